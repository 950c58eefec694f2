import { NotFoundError, parentOf, type Entry, type VPath } from '../core/index.js';
import { header, type DavContext } from './context.js';
import { evaluateIfHeader, evaluatePreconditions, parseIfHeader } from './headers/index.js';
import { resolveDavUrl } from './paths.js';
import { DavError } from './status.js';

/**
 * Request preconditions for a method that changes `current` (null when the target does not
 * exist yet): RFC 7232 If-Match & co., then the RFC 4918 10.4 If header. Returns the lock
 * tokens the request submitted, for the vfs to honour.
 */
export async function checkWriteConditions(ctx: DavContext, current: Entry | null): Promise<string[]> {
  const outcome = evaluatePreconditions(
    {
      ifMatch: header(ctx, 'if-match'),
      ifNoneMatch: header(ctx, 'if-none-match'),
      ifModifiedSince: header(ctx, 'if-modified-since'),
      ifUnmodifiedSince: header(ctx, 'if-unmodified-since'),
    },
    current ? { etag: current.etag, mtime: current.mtime } : null,
    ctx.request.method,
  );
  if (outcome !== 'proceed') throw new DavError(412, 'A precondition of the request (If-Match, If-None-Match or a date) does not hold');
  return checkIfHeader(ctx, current);
}

/** The If header alone (RFC 4918 10.4); returns the submitted lock tokens. */
export async function checkIfHeader(ctx: DavContext, current: Entry | null): Promise<string[]> {
  const value = header(ctx, 'if');
  if (!value) return [];
  const parsed = parseIfHeader(value);
  const states = new Map<string | null, { exists: boolean; etag: string | null; lockTokens: readonly string[] }>();
  states.set(null, await stateOf(ctx, ctx.path, current));
  for (const list of parsed.lists) {
    if (list.resource === null || states.has(list.resource)) continue;
    states.set(list.resource, await stateOfTag(ctx, list.resource));
  }
  const result = evaluateIfHeader(parsed, (resource) => states.get(resource) ?? { exists: false, etag: null, lockTokens: [] });
  if (result.satisfied) return result.submittedTokens;
  // A request naming no valid token for a locked resource is refused as locked (423), as
  // mod_dav does; any other unmet condition is 412.
  const own = states.get(null)!;
  const tried = result.submittedTokens.filter((token) => token !== 'DAV:no-lock');
  if (own.lockTokens.length > 0 && tried.length > 0 && !tried.some((token) => own.lockTokens.includes(token))) {
    throw new DavError(423, 'The resource is locked and the request did not submit its lock token', 'lock-token-submitted');
  }
  throw new DavError(412, 'The If header does not match the current state of the resource');
}

async function stateOf(ctx: DavContext, path: VPath, known?: Entry | null) {
  const entry: Entry | null = known === undefined ? await statOrNull(ctx, path) : known;
  // An unmapped URL is governed by the locks of the folder that would hold it.
  let lockHolder = entry;
  if (!entry && path.length > 0) lockHolder = await statOrNull(ctx, parentOf(path));
  const lockTokens = lockHolder ? await ctx.deps.vfs.locks.tokensCovering(lockHolder.id) : [];
  return { exists: entry !== null, etag: entry?.etag ?? null, lockTokens };
}

async function stateOfTag(ctx: DavContext, resource: string) {
  try {
    const acceptedHosts = ctx.deps.options.acceptedHosts;
    const path = resolveDavUrl(resource, { host: header(ctx, 'host'), acceptedHosts }, ctx.prefix, 'The If header resource');
    return await stateOf(ctx, path);
  } catch {
    // A resource that is not ours, or not valid, is a resource that does not exist.
    return { exists: false, etag: null, lockTokens: [] };
  }
}

export async function statOrNull(ctx: DavContext, path: VPath): Promise<Entry | null> {
  try {
    return await ctx.deps.vfs.stat(ctx.principal, path);
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    if (error instanceof Error && error.name === 'NotAFolderError') return null;
    throw error;
  }
}
