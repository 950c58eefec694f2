import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  IntegrityError,
  SANDBOX_POLICY,
  contentDisposition,
  contentTypeOf,
  evaluateIfRange,
  formatHttpDate,
  parseRange,
  type ByteRange,
} from '../../../core/index.js';
import { SHARE_GONE } from '../../../services/index.js';
import type { ApiDependencies } from '../../context.js';
import { ApiError, CODES, failureOf } from '../../errors.js';
import { verifyLink, type DownloadGrant } from './download.signature.js';

/**
 * Contract 9.3: `GET|HEAD /api/v4/file/content/{entity}/{speed}/{name}?sign=…`, the bytes a
 * signed link grants, with no login. Streams the content (a single byte range: 206, or 416),
 * with a strong ETag and the headers that keep an uploaded HTML or SVG from running in this
 * origin (DESIGN.md, security decisions).
 *
 * Failures are real HTTP statuses, each with the envelope as body (contract 9.3 recommends
 * this deviation from Cloudreve's HTTP 200: a client that saves the answer must not save an
 * error as the file): 403 for a bad signature (40071) or an expired one (40005), 404 for a file
 * deleted, overwritten or moved out of reach since the link was made (40016), and likewise for
 * a link made through a share that has since been deleted, edited or has expired.
 */
export function registerContentRoute(api: FastifyInstance, deps: ApiDependencies): void {
  api.route({
    method: ['GET', 'HEAD'],
    url: '/file/content/:entity/:speed/:name',
    // Returning the reply tells Fastify the answer is under way (a stream still flowing).
    handler: async (request, reply) => {
      await serve(request, reply, deps);
      return reply;
    },
  });
}

/** The HTTP status of each refusal; anything else the client caused is 400. */
const STATUS_OF: Record<number, number> = {
  [CODES.invalidSign]: 403,
  [CODES.signatureExpired]: 403,
  [CODES.forbidden]: 403, // the owner's account is disabled
  [CODES.notExist]: 404,
  [CODES.notFound]: 404, // the owner's account is gone
};

interface ContentParams {
  readonly entity: string;
  readonly speed: string;
  readonly name: string;
}

async function serve(request: FastifyRequest, reply: FastifyReply, deps: ApiDependencies): Promise<void> {
  // Any site may fetch a link it was given (contract 9.3: CORS * on this route).
  reply.header('Access-Control-Allow-Origin', '*');
  try {
    const params = request.params as ContentParams;
    const query = request.query as Record<string, unknown>;
    const now = deps.downloads.clock();
    const verified = verifyLink(
      deps.downloads.key,
      {
        ...params,
        download: query.download === 'true',
        thumb: query.thumb === 'true',
        sign: typeof query.sign === 'string' ? query.sign : undefined,
      },
      now,
    );
    if (!verified.ok) {
      if (verified.reason === 'expired') throw new ApiError(CODES.signatureExpired, 'Signature expired: ask for a new download URL');
      throw new ApiError(CODES.invalidSign, 'invalid sign: this download URL was not issued by this server or was changed');
    }
    await send(request, reply, deps, verified.grant, now);
  } catch (error) {
    // Nothing of the file's headers on an error (the body is the envelope).
    for (const name of Object.keys(reply.getHeaders())) if (name !== 'access-control-allow-origin') reply.removeHeader(name);
    const failure = failureOf(error, false);
    const { code, correlation_id: correlationId } = failure.envelope;
    // The path only: the signature is a credential and stays out of the logs.
    const path = request.url.split('?')[0];
    if (failure.internal) deps.logger.error({ err: error, path, correlationId }, 'download failed');
    else deps.logger.debug({ path, code }, failure.envelope.msg);
    const status = failure.internal ? 500 : (STATUS_OF[code] ?? 400);
    reply.code(status).type('application/json; charset=utf-8').send(failure.envelope);
  }
}

/** A thumbnail link (contract 10): the JPEG made of this version, whole, as long as it exists. */
async function sendThumbnail(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: ApiDependencies,
  blobId: string | null,
  maxAgeSeconds: number,
): Promise<void> {
  const record = blobId ? await deps.media.recordOf(blobId) : null;
  if (!record?.thumbBlobId) throw new ApiError(CODES.notExist, 'This file has no thumbnail any more');
  reply.headers({
    ETag: `"${record.thumbBlobId}"`,
    'Content-Type': 'image/jpeg',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': SANDBOX_POLICY,
    'Cache-Control': `private, max-age=${Math.max(0, maxAgeSeconds)}`,
  });
  reply.code(200);
  if (request.method === 'HEAD') return void reply.send();
  // gc may have taken a thumbnail replaced since the row was read: gone, not a server failure.
  const bytes = await deps.media.openThumbnail(record.thumbBlobId).catch((error: unknown) => {
    if (error instanceof IntegrityError) throw new ApiError(CODES.notExist, 'This file has no thumbnail any more');
    throw error;
  });
  reply.send(bytes);
}

async function send(request: FastifyRequest, reply: FastifyReply, deps: ApiDependencies, grant: DownloadGrant, now: number): Promise<void> {
  // A share's limits hold for its links too: checked on every fetch, as the file is.
  if (grant.share && !(await deps.shares.stillServes(grant.share.id, grant.share.revision))) {
    throw new ApiError(CODES.notExist, SHARE_GONE);
  }
  // The link reads as the user it was made for, within the root it was made in (their space or a share).
  const owner = await deps.users.get(grant.userId);
  const principal = await deps.users.principalFor(owner, {
    rootId: grant.rootId,
    readOnly: true,
    label: `link:${grant.userId}`,
    lockHolder: null,
  });
  const file = await deps.lookups.version(principal, grant.fileId, grant.blobId);
  if (grant.thumb) return sendThumbnail(request, reply, deps, file.blobId, grant.expires - Math.floor(now / 1000));

  const type = contentTypeOf(grant.name);
  reply.headers({
    'Accept-Ranges': 'bytes',
    // The etag is the content version, as in the link (contract 9.3).
    ETag: `"${file.etag}"`,
    'Last-Modified': formatHttpDate(file.mtime),
    'Content-Type': type,
    'Content-Disposition': contentDisposition(grant.name, type, grant.download ? 'attachment' : 'inline'),
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': SANDBOX_POLICY,
    // What a link serves never changes, so it may be kept for as long as the link works.
    'Cache-Control': `private, max-age=${Math.max(0, grant.expires - Math.floor(now / 1000))}`,
    'Access-Control-Expose-Headers': 'Accept-Ranges, Content-Disposition, Content-Length, Content-Range, ETag',
  });

  // RFC 7233: one range is served as 206; several are answered with the whole file (3.1 lets
  // a server ignore Range), as is a range whose If-Range no longer matches (3.2).
  const { range: header, 'if-range': ifRange } = request.headers;
  // Two If-Range headers cannot both be checked: serve the whole file.
  const honoured = !Array.isArray(ifRange) && evaluateIfRange(ifRange, { etag: file.etag, mtime: file.mtime });
  const ranged = header !== undefined && honoured ? parseRange(header, file.size) : ({ kind: 'none' } as const);
  if (ranged.kind === 'unsatisfiable') {
    reply.code(416).header('Content-Range', `bytes */${file.size}`).type('text/plain; charset=utf-8');
    return void reply.send(request.method === 'HEAD' ? undefined : 'Range not satisfiable\n');
  }
  let range: ByteRange | undefined;
  if (ranged.kind === 'ranges' && ranged.ranges.length === 1) {
    range = ranged.ranges[0]!;
    reply.code(206).header('Content-Range', `bytes ${range.start}-${range.end}/${file.size}`);
  } else {
    reply.code(200);
  }
  reply.header('Content-Length', String(range ? range.end - range.start + 1 : file.size));
  if (request.method === 'HEAD') return void reply.send();
  reply.send(await deps.lookups.open(file, range));
}
