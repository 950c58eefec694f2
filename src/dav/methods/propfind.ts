/** RFC 4918 9.1 PROPFIND: live and dead properties of a resource and, at Depth 1, its members. */
import { Readable } from 'node:stream';
import { MAX_PATH_DEPTH, type Entry, type VPath } from '../../core/index.js';
import { header, hrefOf, readXmlBody, type DavContext } from '../context.js';
import { parseDepth } from '../headers/index.js';
import type { PropertyScope } from '../properties/live.js';
import { activeLockOf, propstatsFor } from '../properties/propstats.js';
import { DavError } from '../status.js';
import { multistatusClose, multistatusOpen, parsePropfind, responseXml, type PropfindRequest } from '../xml/index.js';

const PAGE = 1000;

export async function propfind(ctx: DavContext): Promise<void> {
  const depth = parseDepth(header(ctx, 'depth'), { allowed: ['0', '1', 'infinity'], fallback: 'infinity' });
  if (depth === 'infinity' && !ctx.deps.options.allowInfinityPropfind) {
    throw new DavError(403, 'Depth: infinity is not allowed here; list one level at a time (Depth: 1)', 'propfind-finite-depth');
  }
  const request = parsePropfind(await readXmlBody(ctx));
  // Resolve before the status line: a missing target is a plain 404, never a 207.
  const target = await ctx.deps.vfs.stat(ctx.principal, ctx.path);
  const quota = needsQuota(request) ? await ctx.deps.vfs.capacity(ctx.principal) : { used: 0, available: 0 };
  const targetScope = await scopeFor(ctx, [target], quota, null);

  async function* body(): AsyncGenerator<string> {
    yield multistatusOpen();
    yield responseXml(hrefOf(ctx, ctx.path, target.kind === 'folder'), propstatsFor(target, request, targetScope));
    if (target.kind === 'folder' && depth !== '0') yield* members(ctx, target, ctx.path, request, quota, depth === 'infinity');
    yield multistatusClose();
  }

  ctx.reply
    .code(207)
    .type('application/xml; charset=utf-8')
    .send(Readable.from(body(), { objectMode: false }));
}

/** Streams the members of a folder page by page: each page costs a fixed number of queries. */
async function* members(
  ctx: DavContext,
  folder: Entry,
  folderPath: VPath,
  request: PropfindRequest,
  quota: PropertyScope['quota'],
  recursive: boolean,
): AsyncGenerator<string> {
  let cursor: string | undefined;
  do {
    const page = await ctx.deps.vfs.list(ctx.principal, folderPath, { limit: PAGE, cursor });
    const scope = await scopeFor(ctx, page.entries, quota, folder);
    let chunk = '';
    for (const entry of page.entries) {
      chunk += responseXml(hrefOf(ctx, [...folderPath, entry.name], entry.kind === 'folder'), propstatsFor(entry, request, scope));
    }
    yield chunk;
    // No client can name a member deeper than a path may be; stopping there also bounds the
    // walk in a damaged tree (a view whose root lies on a cycle).
    if (recursive && folderPath.length < MAX_PATH_DEPTH) {
      for (const entry of page.entries) {
        if (entry.kind === 'folder') yield* members(ctx, entry, [...folderPath, entry.name], request, quota, true);
      }
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

/** Looks up, once per batch, what the properties of these entries need: dead properties and locks. */
async function scopeFor(
  ctx: DavContext,
  entries: readonly Entry[],
  quota: PropertyScope['quota'],
  parent: Entry | null,
): Promise<PropertyScope> {
  const dead = await ctx.deps.vfs.properties.list(entries.map((entry) => entry.id));
  const locks =
    parent === null
      ? new Map(await Promise.all(entries.map(async (entry) => [entry.id, await ctx.deps.vfs.locks.discover(entry.id)] as const)))
      : await ctx.deps.vfs.locks.discoverChildren(parent, entries);
  const now = Date.now();
  return {
    quota,
    readOnly: ctx.principal.readOnly,
    deadOf: (entry) => dead.get(entry.id) ?? [],
    locksOf: (entry) => (locks.get(entry.id) ?? []).map((lock) => activeLockOf(lock, now, ctx.principal)),
  };
}

function needsQuota(request: PropfindRequest): boolean {
  return request.kind === 'prop' && request.props.some((p) => p.ns === 'DAV:' && p.name.startsWith('quota-'));
}
