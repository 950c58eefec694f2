import type { FastifyRequest } from 'fastify';
import { RateLimitedError, formatPath, type Entry } from '../../../core/index.js';
import { SHARE_GONE, ShareNotFoundError, type DownloadTake } from '../../../services/index.js';
import { defineRoute, type ApiDependencies } from '../../context.js';
import { ApiError, CODES, batchError } from '../../errors.js';
import { isoTime } from '../../present.js';
import { locateForReading, type Located } from '../../space.js';
import { parseFileUri } from '../../uri.js';
import { signedPath } from './download.signature.js';
import { thumbQuery, thumbResponse, urlBody, urlResponse } from './download.schema.js';

/** Contract 9.1: how long a download URL works (Cloudreve's entity_url_default_ttl). */
export const URL_TTL_SECONDS = 3600;

/**
 * Contract 9.1 and 9.2: absolute, signed links to the current content of files, usable without
 * a token until `expires` (never null), by whoever holds them: the store's presigned URL for a
 * file on a policy with redirect downloads (9.3, non-local policies), else this server's. A folder (40077) or a missing
 * file (40016) fails its URI: the request answers 40081 unless `skip_error` leaves it out.
 * A link reached through a share counts as one of the share's downloads (as Cloudreve counts),
 * all of a request's at once: a request that fails counts none.
 */
const urlRoute = defineRoute({
  method: 'POST',
  url: '/file/url',
  summary: 'Signed download links to files, valid for an hour without a token',
  tag: 'file',
  auth: 'optional',
  body: urlBody,
  response: urlResponse,
  handler: async ({ body, auth, deps, options, request, reply }) => {
    const client = { address: request.ip };
    if (body.uris.length > options.maxBatchSize) {
      throw new ApiError(CODES.tooManyUris, `Too many URIs: at most ${options.maxBatchSize} in one request, ${body.uris.length} given`);
    }
    if (body.archive)
      throw new ApiError(CODES.forbidden, 'Not supported action: downloading several files as one archive is not available');
    for (const uri of body.uris) parseFileUri(uri);
    const origin = originOf(request, deps);
    const expires = Math.floor(deps.downloads.clock() / 1000) + URL_TTL_SECONDS;

    const failures = new Map<string, unknown>();
    const files: Array<{ uri: string; located: Located; entry: Entry }> = [];
    for (const uri of body.uris) {
      try {
        const located = await locateForReading(uri, auth, deps, client);
        const entry = await deps.vfs.stat(located.space.principal, located.path);
        if (entry.kind === 'folder') {
          throw new ApiError(CODES.entityNotExist, `${formatPath(located.path)} is a folder: only files have download URLs`);
        }
        // Contract 9.1 `entity`: the current content or, for the owner, a kept version (issue 12).
        if (body.entity !== undefined && body.entity !== (entry.blobId ?? '0')) {
          const kept =
            located.space.owned && !located.space.share
              ? (await deps.vfs.history.versions(located.space.principal, located.path)).versions.find((v) => v.blobId === body.entity)
              : undefined;
          if (!kept) throw new ApiError(CODES.entityNotExist, `Entity not exist: ${body.entity} is no version of ${entry.name}`);
          files.push({ uri, located, entry: { ...entry, blobId: kept.blobId, size: kept.size, mtime: kept.mtime } });
          continue;
        }
        files.push({ uri, located, entry });
      } catch (error) {
        // Not signed in is not a failure of one URI: the caller should sign in (contract 2). Nor
        // is too many wrong share passwords: the caller should wait (429 with Retry-After).
        if (error instanceof ApiError && error.code === CODES.loginRequired) throw error;
        if (error instanceof RateLimitedError) throw error;
        failures.set(uri, error);
      }
    }
    const fail = () => batchError(failures, auth !== null, (error, correlationId) => logFailure(deps, error, correlationId));
    if (failures.size > 0 && !body.skip_error) throw fail();

    // Every share's downloads in one step; without skip_error, one refusal counts none.
    const refused = await deps.shares.recordDownloads(downloadsOf(files), { allOrNothing: !body.skip_error });
    const urls: Array<{ url: string; stream_saver_display_name?: string }> = [];
    for (const { uri, located, entry } of files) {
      const { space } = located;
      if (space.share && refused.has(space.share.id)) {
        failures.set(uri, new ShareNotFoundError(SHARE_GONE));
        continue;
      }
      // Issue 11, item 4: a file on a redirect policy is fetched from the store itself.
      const disposition = body.download ? 'attachment' : 'inline';
      const direct = await deps.directLinks?.forEntry(entry, { disposition, expiresInSeconds: URL_TTL_SECONDS });
      if (direct) {
        urls.push({ url: direct, ...(body.download && { stream_saver_display_name: entry.name }) });
        continue;
      }
      const path = signedPath(deps.downloads.key, {
        userId: space.principal.userId,
        rootId: space.principal.rootId,
        fileId: entry.id,
        blobId: entry.blobId,
        name: entry.name,
        download: body.download ?? false,
        expires,
        ...(space.share && { share: { id: space.share.id, revision: space.share.revision } }),
      });
      urls.push({ url: `${origin}/api/v4${path}`, ...(body.download && { stream_saver_display_name: entry.name }) });
    }
    if (refused.size > 0 && !body.skip_error) throw fail();

    // Contract 9.1 `redirect`: with exactly one URI, the answer is the link itself (and the plugin sends nothing more).
    if (body.redirect && body.uris.length === 1 && urls.length === 1) reply.redirect(urls[0]!.url, 302);
    return { urls, expires: isoTime(expires * 1000) };
  },
});

/**
 * Contract section 10: a signed link (`thumb=true`, valid as a download link is) to the JPEG
 * thumbnail of a file's current content, made now when the indexing job has not run yet (the
 * first view; bounded by the tools' limits). 40077 when none can exist: a folder, an empty
 * file, a type with no thumbnailer on this server, or a content whose thumbnail failed (a
 * decompression bomb). A missing file is 40016.
 */
const thumbRoute = defineRoute({
  method: 'GET',
  url: '/file/thumb',
  summary: 'A signed link to the thumbnail of a file (40077 when it cannot have one)',
  tag: 'file',
  auth: 'optional',
  query: thumbQuery,
  response: thumbResponse,
  handler: async ({ query, auth, deps, request }) => {
    const { space, path } = await locateForReading(query.uri, auth, deps, { address: request.ip });
    const entry = await deps.vfs.stat(space.principal, path);
    if (entry.kind === 'folder') throw new ApiError(CODES.entityNotExist, 'Entity not exist: folders have no thumbnail');
    if (entry.blobId === null || !deps.media.mayHaveThumbnail(entry.name)) {
      throw new ApiError(CODES.entityNotExist, 'Entity not exist: no thumbnail can be made of this file');
    }
    const record = await deps.media.ensureIndexed(entry.blobId, entry.name);
    if (record.thumbState !== 'ok') throw new ApiError(CODES.entityNotExist, 'Entity not exist: no thumbnail could be made of this file');
    const expires = Math.floor(deps.downloads.clock() / 1000) + URL_TTL_SECONDS;
    const signed = signedPath(deps.downloads.key, {
      userId: space.principal.userId,
      rootId: space.principal.rootId,
      fileId: entry.id,
      blobId: entry.blobId,
      name: entry.name,
      download: false,
      thumb: true,
      expires,
      ...(space.share && { share: { id: space.share.id, revision: space.share.revision } }),
    });
    return { url: `${originOf(request, deps)}/api/v4${signed}`, expires: isoTime(expires * 1000) };
  },
});

/**
 * The downloads to count per share: one per file reached through it, at the revision it was
 * opened at (a share edited meanwhile is refused rather than counted under its new settings).
 */
function downloadsOf(files: ReadonlyArray<{ located: Located }>): DownloadTake[] {
  const takes = new Map<number, DownloadTake>();
  for (const { located } of files) {
    const share = located.space.share;
    if (!share) continue;
    const count = (takes.get(share.id)?.count ?? 0) + 1;
    takes.set(share.id, { shareId: share.id, revision: takes.get(share.id)?.revision ?? share.revision, count });
  }
  return [...takes.values()];
}

/** Contract 9 and 10. The content endpoint itself serves bytes, not JSON: see download.content.ts. */
export const downloadRoutes = [urlRoute, thumbRoute];

/**
 * Contract 9.2: links are absolute: the configured public URL, or else the scheme and host the
 * request came to (X-Forwarded-Proto and -Host count only from a proxy `trustProxy` trusts).
 */
function originOf(request: FastifyRequest, deps: ApiDependencies): string {
  if (deps.downloads.publicUrl) return deps.downloads.publicUrl.replace(/\/+$/, '');
  if (!/^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/.test(request.host)) {
    throw new ApiError(CODES.parameter, `Cannot build download links for the host ${JSON.stringify(request.host)}; configure publicUrl`);
  }
  return `${request.protocol}://${request.host}`;
}

function logFailure(deps: ApiDependencies, error: unknown, correlationId: string): void {
  deps.logger.error({ err: error, correlationId }, 'API download URL failed');
}
