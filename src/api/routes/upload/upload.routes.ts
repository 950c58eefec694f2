import type { FastifyRequest } from 'fastify';
import { generatePassword } from '../../../auth/index.js';
import { UploadSessionNotFoundError } from '../../../services/index.js';
import { defineRoute, type RouteSpec } from '../../context.js';
import { reportingLockConflicts } from '../files/files.lock.js';
import { ApiError, CODES } from '../../errors.js';
import { locate } from '../../space.js';
import { presentStoragePolicy } from '../../present.js';
import { callbackRoutes } from './upload.callback.js';
import { cancelUploadBody, createUploadBody, uploadProgressSchema, uploadSessionSchema } from './upload.schema.js';

/**
 * Contract 15.1: opens an upload session. Everything that would make the upload fail is
 * checked first (name 40052, existing file or folder 40004, quota 40051, locks 40073), so a
 * doomed upload fails before any byte; a new file appears at once as an empty placeholder,
 * and missing parent folders are created. `entity_type: "version"` replaces the content of
 * an existing file, which keeps its id; without it an existing file is 40004.
 */
const createRoute = defineRoute({
  method: 'PUT',
  url: '/file/upload',
  summary: 'Open a chunked upload session; then POST the chunks to /file/upload/{session_id}/{index}',
  tag: 'upload',
  auth: 'optional',
  body: createUploadBody,
  response: uploadSessionSchema,
  handler: async ({ body, auth, deps }) => {
    const { space, path } = await locate(body.uri, auth, deps.users);
    if (body.entity_type === 'live_photo') {
      // Contract 15.1: a live photo attaches to an existing file (40016 when missing); none are kept here.
      await deps.vfs.stat(space.principal, path);
      throw new ApiError(CODES.parameter, 'entity_type "live_photo" is not supported by this server');
    }
    const { session, policy, direct } = await deps.uploads.create(space.principal, {
      userId: auth!.user.id,
      path,
      uri: space.uriOf(path),
      size: body.size,
      mtime: body.last_modified,
      replace: body.entity_type === 'version',
      relay: body.relay,
    });
    const common = { session_id: session.id, expires: unixSeconds(session.expiresAt), uri: session.uri };
    if (direct && session.direct) {
      // Contract 15.5, s3: the parts go straight to the store; no relay through this server.
      const { relay: _relay, ...storagePolicy } = presentStoragePolicy(policy);
      return {
        ...common,
        upload_id: direct.uploadId,
        chunk_size: direct.partSize,
        storage_policy: storagePolicy,
        upload_urls: [...direct.partUrls],
        completeURL: direct.completeUrl,
        callback_secret: session.direct.callbackSecret,
      };
    }
    return {
      ...common,
      upload_id: '',
      chunk_size: session.chunkSize,
      storage_policy: presentStoragePolicy(policy),
      // Contract 15.1: always present; only callbacks of other policy types would use it.
      callback_secret: generatePassword(32),
    };
  },
});

/**
 * Contract 15.3: one chunk as the raw request body (Content-Type: application/octet-stream,
 * though any type or none is taken, as by Cloudreve: see rawBodyRoutes), `chunk_size` bytes
 * except the last, which holds the rest; any other length is 40013, an index outside the file
 * 40012, an unknown, expired or other user's session 40011, and nothing is stored then.
 * Chunks may come in any order and again (a retry replaces the chunk); the last one missing
 * completes the file, with no further call. A chunk sent again while the file is being
 * assembled waits for the outcome, and is answered 409 if it is still unknown (contract 15.7).
 */
const chunkRoute = defineRoute({
  method: 'POST',
  url: '/file/upload/:sessionId/:index',
  summary: 'Upload chunk {index} (0-based) of a session as the raw body; the last chunk completes the file',
  tag: 'upload',
  auth: 'required',
  handler: async ({ request, reply, auth, deps }) => {
    const params = request.params as { sessionId: string; index: string };
    try {
      const session = await deps.uploads.find(auth!.user.id, params.sessionId);
      if (!session) throw new UploadSessionNotFoundError();
      if (!/^\d{1,16}$/.test(params.index)) throw new ApiError(CODES.parameter, 'The chunk index must be a number');
      const { space } = await locate(session.uri, auth, deps.users);
      await deps.uploads.putChunk(space.principal, session, Number(params.index), request.raw, announcedLength(request));
    } catch (error) {
      // A refused chunk may still be on its way: close the connection rather than read it all.
      if (!request.raw.complete) reply.header('Connection', 'close');
      throw error;
    }
  },
});

/** Not in Cloudreve (documented in the schema): which chunks arrived, so a client can resume. */
const progressRoute = defineRoute({
  method: 'GET',
  url: '/file/upload/:sessionId',
  summary: 'Where an upload stands: which chunks are stored, and whether the file is complete',
  tag: 'upload',
  auth: 'required',
  response: uploadProgressSchema,
  handler: async ({ request, auth, deps }) => {
    const { sessionId } = request.params as { sessionId: string };
    const session = await deps.uploads.find(auth!.user.id, sessionId);
    if (!session) throw new UploadSessionNotFoundError();
    return {
      session_id: session.id,
      uri: session.uri,
      size: session.size,
      chunk_size: session.chunkSize,
      chunks: session.chunkCount,
      uploaded: await deps.uploads.received(session),
      completed: session.completedAt !== null,
      expires: unixSeconds(session.expiresAt),
    };
  },
});

/**
 * Contract 15.6: cancels a session of the caller's for that URI (404 "Upload session not
 * found" otherwise, or once it completed), removes its chunks, and the placeholder unless
 * someone wrote to it meanwhile.
 */
const cancelRoute = defineRoute({
  method: 'DELETE',
  url: '/file/upload',
  summary: 'Cancel an upload session: its chunks and its placeholder go',
  tag: 'upload',
  auth: 'optional',
  body: cancelUploadBody,
  handler: async ({ body, auth, deps }) => {
    const { space, path } = await locate(body.uri, auth, deps.users);
    const session = await deps.uploads.find(auth!.user.id, body.id);
    const sameTarget =
      session !== null && session.ownerId === space.principal.userId && JSON.stringify(session.path) === JSON.stringify(path);
    if (!session || !sameTarget || session.completedAt !== null) throw new ApiError(CODES.notFound, 'Upload session not found');
    await deps.uploads.cancel(space.principal, session);
  },
});

/** Contract section 15. */
// A lock in the way of a new upload answers 40073 with the locks listed (contract 14.2).
export const uploadRoutes = [reportingLockConflicts(createRoute), chunkRoute, progressRoute, cancelRoute, ...callbackRoutes];

/** Routes that stream their request body themselves, so the API reads none of it whatever its Content-Type. */
// The POST callback too: older drivers send it any body, of any type, which means nothing.
export const rawBodyRoutes: readonly RouteSpec[] = [chunkRoute, callbackRoutes[1]!];

/** Contract 15.3: Content-Length, or X-Expected-Entity-Length for a chunked body. */
function announcedLength(request: FastifyRequest): number | undefined {
  const header =
    request.headers['content-length'] ?? (request.headers['transfer-encoding'] ? request.headers['x-expected-entity-length'] : undefined);
  if (typeof header !== 'string' || !/^\d{1,16}$/.test(header.trim())) return undefined;
  return Number(header);
}

/** Contract 3.3: upload-session expiry is integer Unix seconds. */
function unixSeconds(epochMs: number): number {
  return Math.floor(epochMs / 1000);
}
