import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseBasicAuthorization } from '../auth/index.js';
import { UnauthenticatedError, redactUrl } from '../core/index.js';
import type { DavContext, DavDependencies } from './context.js';
import { decodeDavPath } from './paths.js';
import { DAV_METHODS, ALLOW } from './methods/index.js';
import { DavError, failureBody, failureOf } from './status.js';

/** Methods llhttp knows that we do not implement: answered 405 rather than a router 404. */
const UNSUPPORTED = ['POST', 'PATCH', 'REPORT', 'SEARCH', 'ACL', 'TRACE', 'MKCALENDAR', 'BIND', 'UNBIND', 'REBIND'];

/**
 * Mounts WebDAV (RFC 4918) at the configured prefix. Bodies are never parsed by Fastify:
 * PUT streams the raw request into the vfs, XML bodies are read by the methods that take them.
 */
export async function registerDav(server: FastifyInstance, deps: DavDependencies): Promise<void> {
  for (const method of [...Object.keys(DAV_METHODS), ...UNSUPPORTED]) {
    if (!server.supportedMethods.includes(method)) server.addHttpMethod(method, { hasBody: true });
  }
  await server.register(async (dav) => {
    dav.removeAllContentTypeParsers();
    dav.addContentTypeParser('*', (_request, _payload, done) => done(null));
    // Returning the reply tells Fastify the response is ours even while a stream is still
    // being piped; resolving with undefined would make it send an empty body.
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      await handle(request, reply, deps);
      return reply;
    };
    const methods = [...Object.keys(DAV_METHODS), ...UNSUPPORTED];
    const prefix = deps.options.mountPrefix;
    dav.route({ method: methods, url: prefix, handler, exposeHeadRoute: false });
    dav.route({ method: methods, url: `${prefix}/*`, handler, exposeHeadRoute: false });
  });
}

async function handle(request: FastifyRequest, reply: FastifyReply, deps: DavDependencies): Promise<void> {
  reply.header('DAV', '1, 2');
  reply.header('MS-Author-Via', 'DAV');
  try {
    // OPTIONS answers without authentication, the same for every path (DESIGN.md).
    if (request.method === 'OPTIONS') {
      await DAV_METHODS.OPTIONS!({ request, reply, deps } as DavContext);
      return;
    }
    const switches = await deps.settings.switches();
    if (!switches.webdavEnabled) throw new DavError(403, 'WebDAV is turned off on this server');
    const method = DAV_METHODS[request.method];
    if (!method) {
      reply.header('Allow', ALLOW);
      throw new DavError(405, `${request.method} is not supported here`);
    }
    const credentials = parseBasicAuthorization(request.headers.authorization);
    if (!credentials) throw new UnauthenticatedError('Sign in with your email and a WebDAV account password');
    const principal = await deps.accounts.authenticate(credentials.username, credentials.password, request.ip);
    const rawPath = (request.raw.url ?? '/').split('?')[0]!;
    const path = decodeDavPath(rawPath, deps.options.mountPrefix);
    await method({ request, reply, principal, path, deps });
  } catch (error) {
    await sendFailure(request, reply, deps, error);
  }
}

async function sendFailure(request: FastifyRequest, reply: FastifyReply, deps: DavDependencies, error: unknown): Promise<void> {
  const failure = failureOf(error);
  if (!failure) {
    deps.logger.error({ err: error, method: request.method, url: redactUrl(request.url) }, 'WebDAV request failed');
    if (!reply.sent) reply.code(500).type('text/plain; charset=utf-8').send('500 Internal Server Error\n');
    return;
  }
  if (failure.status >= 500) deps.logger.warn({ err: error, method: request.method, url: redactUrl(request.url) }, failure.message);
  else deps.logger.debug({ method: request.method, url: redactUrl(request.url), status: failure.status }, failure.message);
  if (reply.sent) return;
  // A refused request may still have its body in flight: stop reading it rather than draining gigabytes.
  if (!request.raw.complete) reply.header('Connection', 'close');
  const { contentType, body } = failureBody(failure);
  reply
    .code(failure.status)
    .headers(failure.headers ?? {})
    .type(contentType)
    .send(request.method === 'HEAD' ? undefined : body);
}
