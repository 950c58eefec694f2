/**
 * Previews for the phone apps' photo grid: `/index.php/core/preview?fileId=<oc:fileid>&x=&y=`
 * and the files app's `/index.php/apps/files/api/v1/thumbnail/<x>/<y>/<path>`, served from the
 * thumbnails of the media indexer (one size; `x` and `y` are accepted and not honoured). Basic
 * authentication with a WebDAV-account password, in that account's jail, as on /remote.php.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseBasicAuthorization } from '../auth/index.js';
import { NotFoundError, UnauthenticatedError, type Entry, type Principal } from '../core/index.js';
import { decodeDavPath, failureOf, type DavDependencies } from '../dav/index.js';
import type { Lookups } from '../vfs/index.js';
import type { MediaService } from '../services/index.js';

export interface PreviewDependencies {
  readonly dav: DavDependencies;
  readonly lookups: Lookups;
  readonly media: MediaService;
  readonly enabled: () => Promise<boolean>;
}

export function registerPreviews(scope: FastifyInstance, deps: PreviewDependencies): void {
  scope.get('/index.php/core/preview', (request, reply) =>
    serve(request, reply, deps, async (principal) => {
      const fileId = Number((request.query as Record<string, string | undefined>).fileId);
      if (!Number.isSafeInteger(fileId) || fileId <= 0) throw new NotFoundError('Name a file by its fileId');
      return (await deps.lookups.find(principal, fileId)).entry;
    }),
  );
  scope.get('/index.php/apps/files/api/v1/thumbnail/:x/:y/*', (request, reply) =>
    serve(request, reply, deps, async (principal) => {
      // Decoded and checked by the one rule for request paths, as WebDAV's are.
      const raw = (request.raw.url ?? '').split('?')[0]!;
      const prefix = /^\/index\.php\/apps\/files\/api\/v1\/thumbnail\/[^/]+\/[^/]+/.exec(raw)?.[0] ?? raw;
      return deps.dav.vfs.stat(principal, decodeDavPath(raw, prefix));
    }),
  );
}

async function serve(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: PreviewDependencies,
  locate: (principal: Principal) => Promise<Entry>,
): Promise<FastifyReply> {
  try {
    if (!(await deps.enabled())) throw new NotFoundError('The Nextcloud client surface is turned off on this server');
    const credentials = parseBasicAuthorization(request.headers.authorization);
    if (!credentials) throw new UnauthenticatedError('Sign in with your email and a WebDAV account password');
    const principal = await deps.dav.accounts.authenticate(credentials.username, credentials.password, request.ip);
    const entry = await locate(principal);
    if (entry.kind !== 'file' || entry.blobId === null || !deps.media.mayHaveThumbnail(entry.name)) {
      throw new NotFoundError('This file has no preview');
    }
    const record = await deps.media.ensureIndexed(entry.blobId, entry.name);
    if (record.thumbState !== 'ok' || !record.thumbBlobId) throw new NotFoundError('No preview could be made of this file');
    const body = await deps.media.openThumbnail(record.thumbBlobId);
    return reply
      .type('image/jpeg')
      .headers({ 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'private, max-age=3600', ETag: `"${entry.etag}"` })
      .send(body);
  } catch (error) {
    const failure = failureOf(error);
    if (!failure) throw error;
    return reply
      .code(failure.status)
      .headers(failure.headers ?? {})
      .type('text/plain; charset=utf-8')
      .send(`${failure.message}\n`);
  }
}
