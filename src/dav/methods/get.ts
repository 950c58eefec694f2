/** RFC 7231 4.3.1-2 GET and HEAD, with RFC 7232 conditional requests and RFC 7233 byte ranges. */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { SANDBOX_POLICY, contentDisposition, type ByteRange, type Entry } from '../../core/index.js';
import { header, hrefOf, type DavContext } from '../context.js';
import { evaluateIfRange, evaluatePreconditions, parseRange } from '../headers/index.js';
import { contentTypeOf } from '../properties/mime.js';
import { httpDate } from '../properties/live.js';
import { DavError } from '../status.js';
import { escapeText } from '../xml/index.js';

/** How often a GET starts again when the version it resolved was replaced and freed before it opened it. */
const ATTEMPTS = 3;

/** The version a GET resolved was freed before its bytes were opened: resolve again. */
class ReplacedMeanwhile extends Error {}

export async function get(ctx: DavContext): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await getOnce(ctx);
    } catch (error) {
      if (!(error instanceof ReplacedMeanwhile) || attempt >= ATTEMPTS) throw error instanceof ReplacedMeanwhile ? error.cause : error;
    }
  }
}

/**
 * The bytes of the very version whose headers (ETag, length, ranges) this answer carries, even
 * when an overwrite commits between resolving the path and reading (the blob is resolved once).
 */
async function openVersion(ctx: DavContext, entry: Entry, range?: ByteRange): Promise<Readable> {
  try {
    return await ctx.deps.vfs.open(entry, range);
  } catch (error) {
    const now = await ctx.deps.vfs.stat(ctx.principal, ctx.path).catch(() => null);
    if (now?.blobId !== entry.blobId) throw new ReplacedMeanwhile('replaced', { cause: error });
    throw error;
  }
}

async function getOnce(ctx: DavContext): Promise<void> {
  const entry = await ctx.deps.vfs.stat(ctx.principal, ctx.path);
  const headOnly = ctx.request.method === 'HEAD';
  const validators = { etag: entry.etag, mtime: entry.mtime };
  const outcome = evaluatePreconditions(
    {
      ifMatch: header(ctx, 'if-match'),
      ifNoneMatch: header(ctx, 'if-none-match'),
      ifModifiedSince: header(ctx, 'if-modified-since'),
      ifUnmodifiedSince: header(ctx, 'if-unmodified-since'),
    },
    validators,
    ctx.request.method,
  );
  ctx.reply.header('ETag', `"${entry.etag}"`).header('Last-Modified', httpDate(entry.mtime));
  if (outcome === 'not-modified') return void ctx.reply.code(304).send();
  if (outcome === 'precondition-failed') throw new DavError(412, 'A precondition of the request does not hold');

  if (entry.kind === 'folder') return folderIndex(ctx, entry, headOnly);
  if (!headOnly && (await redirected(ctx, entry))) return;

  ctx.reply.headers({
    'Accept-Ranges': 'bytes',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': SANDBOX_POLICY,
  });
  const type = contentTypeOf(entry.name);
  ctx.reply.header('Content-Disposition', contentDisposition(entry.name, type));
  const rangeHeader = header(ctx, 'range');
  const range =
    rangeHeader !== undefined && evaluateIfRange(header(ctx, 'if-range'), validators)
      ? parseRange(rangeHeader, entry.size)
      : { kind: 'none' as const };

  if (range.kind === 'unsatisfiable') {
    ctx.reply
      .code(416)
      .header('Content-Range', `bytes */${entry.size}`)
      .type('text/plain; charset=utf-8')
      .send(headOnly ? undefined : 'Range not satisfiable\n');
    return;
  }
  if (range.kind === 'none') {
    const stream = headOnly ? undefined : await openVersion(ctx, entry);
    ctx.reply.code(200).type(type).header('Content-Length', String(entry.size));
    return void ctx.reply.send(stream);
  }
  if (range.ranges.length === 1) {
    const only = range.ranges[0]!;
    const stream = headOnly ? undefined : await openVersion(ctx, entry, only);
    ctx.reply
      .code(206)
      .type(type)
      .header('Content-Range', `bytes ${only.start}-${only.end}/${entry.size}`)
      .header('Content-Length', String(only.end - only.start + 1));
    return void ctx.reply.send(stream);
  }
  // RFC 7233 4.1 / appendix A: several ranges as multipart/byteranges.
  const boundary = randomBytes(12).toString('hex');
  const parts = range.ranges.map((r) => ({
    range: r,
    head: `\r\n--${boundary}\r\nContent-Type: ${type}\r\nContent-Range: bytes ${r.start}-${r.end}/${entry.size}\r\n\r\n`,
  }));
  const tail = `\r\n--${boundary}--\r\n`;
  const length = parts.reduce((sum, p) => sum + Buffer.byteLength(p.head) + p.range.end - p.range.start + 1, 0) + Buffer.byteLength(tail);
  ctx.reply.code(206).type(`multipart/byteranges; boundary=${boundary}`).header('Content-Length', String(length));
  if (headOnly) return void ctx.reply.send();
  // Every part is opened before the headers go out, from the one version they describe.
  const streams: Readable[] = [];
  try {
    for (const part of parts) streams.push(await openVersion(ctx, entry, part.range));
  } catch (error) {
    for (const stream of streams) stream.destroy();
    throw error;
  }
  async function* body() {
    for (const [index, part] of parts.entries()) {
      yield Buffer.from(part.head);
      const stream = streams[index]!;
      for await (const chunk of stream) yield chunk as Buffer;
    }
    yield Buffer.from(tail);
  }
  ctx.reply.send(Readable.from(body()));
}

/** How long a redirect's presigned URL works: the client follows it at once. */
const REDIRECT_TTL_SECONDS = 3600;

/**
 * Issue 11, item 4: an account created with "redirect downloads" gets 302 to the store for
 * files on a redirect policy (Cloudreve's WebDAV GET, contract 18.3); the store honours the
 * Range the client sends again. Preconditions were answered above, from this server's
 * validators. HEAD stays here: it costs no bytes, and clients probing sizes with it may not
 * follow redirects. Everyone else is streamed, because many WebDAV clients do not follow them.
 */
async function redirected(ctx: DavContext, entry: Entry): Promise<boolean> {
  if (!ctx.principal.redirectDownloads || !ctx.deps.directLinks) return false;
  const url = await ctx.deps.directLinks.forEntry(entry, { disposition: 'attachment', expiresInSeconds: REDIRECT_TTL_SECONDS });
  if (url === null) return false;
  // The URL grants the file to whoever holds it: no cache may keep it.
  ctx.reply.code(302).header('Location', url).header('Cache-Control', 'no-store').header('Content-Length', '0').send();
  return true;
}

/** A plain listing for people who open a folder in a browser; clients use PROPFIND. */
async function folderIndex(ctx: DavContext, folder: Entry, headOnly: boolean): Promise<void> {
  ctx.reply
    .code(200)
    .type('text/html; charset=utf-8')
    .header('X-Content-Type-Options', 'nosniff')
    .header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
  if (headOnly) return void ctx.reply.send();
  const rows: string[] = [];
  for await (const entry of ctx.deps.vfs.children(ctx.principal, ctx.path)) {
    const href = hrefOf(ctx, [...ctx.path, entry.name], entry.kind === 'folder');
    rows.push(`<li><a href="${escapeText(href)}">${escapeText(entry.name)}${entry.kind === 'folder' ? '/' : ''}</a></li>`);
    if (rows.length >= 10_000) break;
  }
  const title = escapeText(folder.name || '/');
  ctx.reply.send(`<!doctype html><meta charset="utf-8"><title>${title}</title><h1>${title}</h1><ul>${rows.join('')}</ul>\n`);
}
