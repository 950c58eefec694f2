import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { redactUrl } from '../core/index.js';
import { authenticate } from './auth.js';
import type { ApiDependencies, ApiOptions, RouteSpec } from './context.js';
import { ApiError, CODES, failureOf } from './errors.js';
import { openApiDocument } from './openapi.js';
import { adminRoutes } from './routes/admin/admin.routes.js';
import { deviceRoutes } from './routes/devices/devices.routes.js';
import { registerContentRoute } from './routes/download/download.content.js';
import { downloadRoutes } from './routes/download/download.routes.js';
import { fileRoutes } from './routes/files/files.routes.js';
import { sessionRoutes } from './routes/session/session.routes.js';
import { shareRoutes } from './routes/share/share.routes.js';
import { siteRoutes } from './routes/site/site.routes.js';
import { rawBodyRoutes, uploadRoutes } from './routes/upload/upload.routes.js';
import { userRoutes } from './routes/user/user.routes.js';
import { parseInput } from './validation.js';

/** Fastify's refusals of a request body, as messages for 40001. */
const BODY_ERRORS: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'The request body is not valid JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'The request says it is JSON but has no body',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Send request bodies as JSON with Content-Type: application/json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'The request body is too large',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'The request body does not match its Content-Length',
};

const DEFAULT_OPTIONS: ApiOptions = { maxBatchSize: 1000 };

/** Every route of the API, for the server and for the OpenAPI document. */
export const API_ROUTES: readonly RouteSpec[] = [
  ...siteRoutes,
  ...sessionRoutes,
  ...fileRoutes,
  ...downloadRoutes,
  ...uploadRoutes,
  ...userRoutes,
  ...shareRoutes,
  ...deviceRoutes,
  ...adminRoutes,
];

/**
 * Mounts the REST API at /api/v4 (Cloudreve V4 contract): Bearer tokens, the `{code, msg,
 * data}` envelope on HTTP 200 for every answer, errors from one table (errors.ts), and
 * /api/v4/openapi.json describing it all from the route schemas.
 */
export async function registerApi(server: FastifyInstance, deps: ApiDependencies): Promise<void> {
  const options: ApiOptions = { ...DEFAULT_OPTIONS, ...deps.options };
  const document = JSON.stringify(openApiDocument(API_ROUTES, deps.version));
  await server.register(
    async (api) => {
      // JSON only: a text/plain body is refused with a clear message rather than parsed as a string.
      api.removeContentTypeParser('text/plain');
      const mount = (scope: FastifyInstance, spec: RouteSpec) =>
        scope.route({ method: spec.method, url: spec.url, handler: (request, reply) => handle(spec, request, reply, deps, options) });
      for (const spec of API_ROUTES) if (!rawBodyRoutes.includes(spec)) mount(api, spec);
      // Contract 9.3: bytes, not the envelope, so not one of API_ROUTES.
      registerContentRoute(api, deps);
      api.get('/openapi.json', async (_request, reply) => reply.type('application/json; charset=utf-8').send(document));

      // Bodies Fastify refuses before a handler runs: malformed JSON, wrong type, too large.
      api.setErrorHandler((error: FastifyError, request, reply) => {
        const known = BODY_ERRORS[error.code];
        // Never the parser's own message: it quotes the body or URL back (error bodies never echo input).
        const refusal = known ?? ((error.statusCode ?? 500) < 500 ? 'The request could not be read' : null);
        send(request, reply, deps, refusal === null ? error : new ApiError(CODES.parameter, refusal), false);
      });
      api.setNotFoundHandler((request, reply) => {
        send(request, reply, deps, new ApiError(CODES.notFound, 'There is no such API endpoint'), false);
      });
      // Upload chunks (contract 15.3) are raw bytes that their route streams from the request itself,
      // taken with any Content-Type or none, as Cloudreve does (curl --data-binary sends a form type):
      // a scope of their own that ignores the type (even a malformed one) and whose one parser reads
      // nothing. Registered last, so it shares the handlers above.
      await api.register(async (raw) => {
        raw.addHook('onRequest', async (request) => {
          delete request.headers['content-type'];
        });
        raw.removeAllContentTypeParsers();
        raw.addContentTypeParser('*', (_request, _payload, done) => done(null));
        for (const spec of rawBodyRoutes) mount(raw, spec);
      });
    },
    { prefix: '/api/v4' },
  );
}

async function handle(spec: RouteSpec, request: FastifyRequest, reply: FastifyReply, deps: ApiDependencies, options: ApiOptions) {
  let signedIn = false;
  try {
    const auth = spec.auth === 'none' ? null : await authenticate(request, deps.sessions);
    signedIn = auth !== null;
    if (spec.auth === 'required' && !auth) throw new ApiError(CODES.loginRequired, 'Login required');
    if (spec.guard) await spec.guard(auth, deps);
    const query = spec.query ? parseInput(spec.query, request.query, 'query') : undefined;
    const body = spec.body ? parseInput(spec.body, request.body, 'body') : undefined;
    const data = await spec.handler({ request, reply, query, body, auth, deps, options });
    // The handler answered itself (POST /file/url with redirect: a 302).
    if (reply.sent) return reply;
    if (!spec.response) return reply.send({ code: 0, msg: '' });
    const checked = spec.response.safeParse(data);
    if (!checked.success) throw new ResponseShapeError(spec, checked.error.message);
    return reply.send({ code: 0, msg: '', data: checked.data });
  } catch (error) {
    return send(request, reply, deps, error, signedIn);
  }
}

/** A handler answered data its own response schema refuses: our bug, reported as an internal error. */
class ResponseShapeError extends Error {
  constructor(spec: RouteSpec, details: string) {
    super(`The response of ${spec.method} ${spec.url} does not match its schema: ${details}`);
    this.name = 'ResponseShapeError';
  }
}

function send(request: FastifyRequest, reply: FastifyReply, deps: ApiDependencies, error: unknown, signedIn: boolean) {
  const failure = failureOf(error, signedIn);
  const context = {
    method: request.method,
    url: redactUrl(request.url),
    code: failure.envelope.code,
    correlationId: failure.envelope.correlation_id,
  };
  if (failure.internal) deps.logger.error({ ...context, err: error }, 'API request failed');
  else deps.logger.debug(context, failure.envelope.msg);
  return reply
    .code(200)
    .headers(failure.headers ?? {})
    .send(failure.envelope);
}
