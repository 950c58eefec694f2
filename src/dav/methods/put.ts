/** RFC 4918 9.7 / RFC 7231 4.3.4 PUT: streams the body into the vfs; 201 when created, 204 when replaced. */
import { PreconditionFailedError, baseName, type Entry } from '../../core/index.js';
import { checkWriteConditions, statOrNull } from '../conditions.js';
import { acceptBody, header, type DavContext } from '../context.js';
import { httpDate, ocFileId } from '../properties/live.js';
import { acceptMtime, requestedMtime } from '../mtime.js';
import { DavError } from '../status.js';
import { isFinderJunk } from '../junk.js';

export async function put(ctx: DavContext): Promise<void> {
  if (header(ctx, 'content-range') !== undefined) {
    // RFC 7231 4.3.4: a partial PUT must not be applied as a whole-file write.
    throw new DavError(400, 'Partial PUT with Content-Range is not supported; send the whole file');
  }
  if (ctx.deps.options.finderJunk === 'refuse' && isFinderJunk(baseName(ctx.path))) {
    throw new DavError(403, 'This is a macOS metadata file, which this server does not store');
  }
  const mtime = requestedMtime(ctx);
  const expectedSize = announcedSize(ctx);
  // Most PUTs carry no conditions: skip the lookup for them (the vfs checks locks itself).
  const conditional = ['if', 'if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since'].some(
    (name) => header(ctx, name) !== undefined,
  );
  const lockTokens = conditional ? await checkWriteConditions(ctx, await statOrNull(ctx, ctx.path)) : [];

  const ifMatch = header(ctx, 'if-match');
  const ifNoneMatch = header(ctx, 'if-none-match');
  // Checked again at commit, so a write that raced with ours cannot be overwritten unseen.
  const precondition = (now: Entry | null) => {
    if (ifNoneMatch?.trim() === '*' && now) throw new PreconditionFailedError('The file exists (If-None-Match: *)');
    if (ifMatch !== undefined && ifMatch.trim() !== '*' && (!now || !ifMatch.includes(`"${now.etag}"`))) {
      throw new PreconditionFailedError('The file changed since the client last saw it (If-Match)');
    }
  };
  const checksum = /^\s*SHA1:([0-9a-fA-F]{40})\s*$/.exec(header(ctx, 'oc-checksum') ?? '')?.[1];

  acceptBody(ctx);
  const { entry, created } = await ctx.deps.vfs.write(ctx.principal, ctx.path, ctx.request.raw, {
    mtime,
    expectedSize,
    precondition,
    lockTokens,
    expectedSha1: checksum,
  });
  if (mtime !== undefined) acceptMtime(ctx);
  ctx.reply
    .code(created ? 201 : 204)
    .header('ETag', `"${entry.etag}"`)
    // Nextcloud's clients record the file id from here, or report the upload as failed.
    .header('OC-FileID', ocFileId(entry))
    .header('OC-ETag', `"${entry.etag}"`)
    .header('Last-Modified', httpDate(entry.mtime))
    .send();
}

/** Content-Length, or for chunked bodies Finder's X-Expected-Entity-Length. */
function announcedSize(ctx: DavContext): number | undefined {
  const length = header(ctx, 'content-length') ?? (header(ctx, 'transfer-encoding') ? header(ctx, 'x-expected-entity-length') : undefined);
  if (length === undefined) return undefined;
  if (!/^\d+$/.test(length.trim())) throw new DavError(400, 'The announced length is not a number');
  return Number(length);
}
