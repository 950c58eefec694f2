import { CallbackSecretError, UploadSessionNotFoundError } from '../../../services/index.js';
import { defineRoute, type RouteContext } from '../../context.js';
import { failureOf } from '../../errors.js';

/**
 * Contract 15.5: after uploading every part straight to the store and completing it at
 * `completeURL`, the client calls `/callback/s3/{session_id}/{callback_secret}` (OpenList: a
 * bodiless GET with its Bearer token; older drivers POST). The server checks the object's size
 * and turns the placeholder into the file. Failures are real HTTP statuses with the envelope,
 * as Cloudreve answers s3 callbacks: 401 for an unknown or expired session or a wrong secret,
 * 400 for anything else (40006 for a session whose chunks come here, a size mismatch, ...).
 */
async function callback({ request, reply, auth, deps }: RouteContext<unknown, unknown>): Promise<void> {
  const { sessionId, secret } = request.params as { sessionId: string; secret: string };
  try {
    await deps.uploads.completeDirect(sessionId, secret);
  } catch (error) {
    const failure = failureOf(error, auth !== null);
    if (failure.internal) deps.logger.error({ err: error, correlationId: failure.envelope.correlation_id }, 'upload callback failed');
    const refused = error instanceof UploadSessionNotFoundError || error instanceof CallbackSecretError;
    reply.code(refused ? 401 : 400).send(failure.envelope);
  }
}

const url = '/callback/s3/:sessionId/:secret';
const summary = 'Complete a direct upload to S3 (contract 15.5) once its parts are in the store and completed';

export const callbackRoutes = [
  defineRoute({ method: 'GET', url, summary, tag: 'upload', auth: 'optional', handler: callback }),
  defineRoute({ method: 'POST', url, summary, tag: 'upload', auth: 'optional', handler: callback }),
];
