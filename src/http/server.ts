import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import { registerApi } from '../api/index.js';
import type { App } from '../app.js';
import { readVersion } from '../config/index.js';
import { DAV_ALLOW, registerDav } from '../dav/index.js';
import { registerNextcloud } from '../nextcloud/index.js';
import { registerPlainHttpWarning } from './plain-http-warning.js';
import { registerBodyTimeout, registerLingeringClose } from './request-body.js';
import { registerHsts, type TlsPair } from './tls.js';
import { registerWeb } from './web.js';

/**
 * The Fastify app. Later pieces mount here: /dav (Basic auth), /api/v4 (Bearer), share
 * pages and the web UI's assets.
 */
export async function buildHttpServer(app: App, options: { tls?: TlsPair } = {}): Promise<FastifyInstance> {
  // Slow headers (slowloris) get Node's 408; checked often enough that the timeout holds.
  const httpOptions = {
    headersTimeout: app.config.http.headersTimeoutSeconds * 1000,
    connectionsCheckingInterval: Math.min(5_000, app.config.http.headersTimeoutSeconds * 500),
  };
  const server = Fastify({
    loggerInstance: app.logger as FastifyBaseLogger,
    trustProxy: app.config.trustProxy,
    // Uploads stream; nothing here buffers a body beyond the JSON limit.
    bodyLimit: 1 << 20,
    return503OnClosing: true,
    // An https server takes the http options in the same object (Fastify passes only one).
    ...(options.tls ? { https: { ...httpOptions, ...options.tls } } : { http: httpOptions }),
    // A URL the router cannot decode (e.g. /dav/%C0%AE) never reaches a route. WebDAV's
    // OPTIONS must still answer the same for every path, and its errors stay plain text.
    frameworkErrors: (error, request, rawReply) => {
      const reply = rawReply as unknown as FastifyReply;
      const isDav = request.url.startsWith('/dav') || request.url.startsWith('/remote.php/');
      if (isDav && request.method === 'OPTIONS') {
        reply.code(200).headers({ DAV: '1, 2', 'MS-Author-Via': 'DAV', Allow: DAV_ALLOW, 'Content-Length': '0' }).send();
        return;
      }
      const status = error.statusCode ?? 400;
      // Not Fastify's message, which quotes the URL back: error bodies never echo input.
      const message = 'The URL could not be decoded';
      if (isDav) reply.code(status).type('text/plain; charset=utf-8').send(`${status} Bad Request: ${message}\n`);
      // The API answers every error as HTTP 200 with its envelope (Cloudreve V4 contract 3.1).
      else reply.code(200).send({ code: 40001, msg: message });
    },
  });
  const version = readVersion();
  registerBodyTimeout(server, app.config.http.bodyTimeoutSeconds * 1000);
  registerLingeringClose(server);
  if (options.tls) registerHsts(server);
  else registerPlainHttpWarning(server, app.logger);

  // Expect: 100-continue (RFC 9110 10.1.1): Node would invite every body before any check.
  // WebDAV sends the 100 itself once authentication and preconditions pass, so a refused
  // upload costs no bytes; every other route invites the body at once.
  server.server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    if (!request.url?.startsWith('/dav') && !request.url?.startsWith('/remote.php/')) response.writeContinue();
    server.server.emit('request', request, response);
  });

  await registerApi(server, {
    vfs: app.vfs,
    users: app.users,
    sessions: app.sessions,
    uploads: app.uploads,
    shares: app.shares,
    settings: app.settings,
    groups: app.groups,
    davAccounts: app.davAccounts,
    memberships: app.memberships,
    mounts: app.mounts,
    lookups: app.lookups,
    jobs: app.jobs.queue,
    downloads: { ...app.downloadSigning, publicUrl: app.config.publicUrl },
    media: app.media,
    directLinks: app.directLinks,
    logger: app.logger,
    version,
    policies: app.policies,
    folderPolicies: app.folderPolicies,
    libraries: app.libraries,
    policyMigration: app.policyMigration,
  });

  // Windows Explorer sends OPTIONS / on the host root before mapping a deeper URL; it must
  // get a 2xx without authentication or redirect.
  server.options('/', async (_request, reply) => {
    reply.headers({ DAV: '1, 2', 'MS-Author-Via': 'DAV', Allow: 'OPTIONS, GET, HEAD' }).code(200).send();
  });

  const webdav = app.config.webdav;
  const davDependencies = {
    vfs: app.vfs,
    accounts: app.davAccounts,
    settings: app.settings,
    directLinks: app.directLinks,
    logger: app.logger,
    options: {
      mountPrefix: '/dav',
      acceptedHosts: app.config.publicUrl ? [new URL(app.config.publicUrl).host] : [],
      xmlLimits: { maxBytes: webdav.maxXmlBytes },
      allowInfinityPropfind: webdav.allowInfinityPropfind,
      defaultLockSeconds: webdav.defaultLockSeconds,
      maxLockSeconds: webdav.maxLockSeconds,
      finderJunk: webdav.finderJunk,
    },
  };
  await registerDav(server, davDependencies);
  // Issue 14: Nextcloud's clients, on the same WebDAV code.
  await registerNextcloud(server, {
    dav: davDependencies,
    users: app.users,
    transfers: app.chunkedTransfers,
    lookups: app.lookups,
    media: app.media,
    version,
  });

  // The browser UI at / (web/dist), with index.html for client-side routes outside /api and /dav.
  await registerWeb(server, { connectOrigins: () => app.policyRegistry.directUploadOrigins() });

  return server;
}

/** "host:port", "[v6]:port" or "port" as Fastify listen options. */
export function parseListen(listen: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(listen);
  if (match) return { host: match[1] ?? match[2]!, port: Number(match[3]) };
  return { host: '0.0.0.0', port: Number(listen) };
}
