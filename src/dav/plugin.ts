import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseBasicAuthorization } from '../auth/index.js';
import { UnauthenticatedError, redactUrl } from '../core/index.js';
import type { DavContext, DavDependencies, DavMethod, DavMount } from './context.js';
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
  await registerDavMount(server, deps, { prefix: deps.options.mountPrefix });
}

/**
 * Mounts the same WebDAV code at another prefix (Nextcloud's /remote.php/webdav and
 * /remote.php/dav/files/<user>), with the same authentication, jail and throttling; a mount
 * may replace handlers (Nextcloud's upload folders) and be switched off by its gate.
 */
export async function registerDavMount(server: FastifyInstance, deps: DavDependencies, mount: DavMount): Promise<void> {
  // A mount with handlers of its own answers only those (others get 405), never the tree's.
  const table = mount.methods ?? DAV_METHODS;
  for (const method of [...Object.keys(DAV_METHODS), ...UNSUPPORTED]) {
    if (!server.supportedMethods.includes(method)) server.addHttpMethod(method, { hasBody: true });
  }
  await server.register(async (dav) => {
    dav.removeAllContentTypeParsers();
    dav.addContentTypeParser('*', (_request, _payload, done) => done(null));
    // Returning the reply tells Fastify the response is ours even while a stream is still
    // being piped; resolving with undefined would make it send an empty body.
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      await handle(request, reply, deps, mount, table);
      return reply;
    };
    const methods = [...Object.keys(DAV_METHODS), ...UNSUPPORTED];
    const prefix = mount.prefix;
    dav.route({ method: methods, url: prefix, handler, exposeHeadRoute: false });
    dav.route({ method: methods, url: `${prefix}/*`, handler, exposeHeadRoute: false });
  });
}

async function handle(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: DavDependencies,
  mount: DavMount,
  table: Record<string, DavMethod>,
): Promise<void> {
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
    await mount.gate?.();
    const method = table[request.method];
    if (!method) {
      reply.header('Allow', ALLOW);
      throw new DavError(405, `${request.method} is not supported here`);
    }
    const credentials = parseBasicAuthorization(request.headers.authorization);
    if (!credentials) throw new UnauthenticatedError('Sign in with your email and a WebDAV account password');
    const principal = await deps.accounts.authenticate(credentials.username, credentials.password, request.ip);
    const rawPath = (request.raw.url ?? '/').split('?')[0]!;
    const prefix = mount.userSegment ? userPrefix(rawPath, mount.prefix, credentials.username) : mount.prefix;
    const path = decodeDavPath(rawPath, prefix);
    await method({ request, reply, principal, path, deps, prefix });
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

/**
 * The prefix of a mount whose first segment names the user (`<mount>/<user>`): that segment
 * must name the one who signed in, so no URL reaches into another user's space by its shape.
 */
function userPrefix(rawPath: string, mountPrefix: string, login: string): string {
  const segment = rawPath.slice(mountPrefix.length + 1).split('/')[0] ?? '';
  const [user] = segment === '' ? [] : decodeDavPath(`/${segment}`, '');
  if (user === undefined || user.toLowerCase() !== login.normalize('NFC').toLowerCase()) {
    throw new DavError(404, 'Only your own files are served here: use the login name you signed in with');
  }
  return `${mountPrefix}/${segment}`;
}
