/**
 * The surface Nextcloud's desktop and phone clients expect (issue 14): status.php, the OCS
 * capabilities and user, and WebDAV at /remote.php/webdav and /remote.php/dav/files/<user>/
 * served by the same code as /dav (WebDAV-account passwords only, same jail, read-only and
 * throttling), plus chunked uploads at /remote.php/dav/uploads/<user>/. An administrator
 * switches it all off with the `nextcloud.enabled` setting.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseBasicAuthorization } from '../auth/index.js';
import { UnauthenticatedError, type Principal } from '../core/index.js';
import { DavError, failureOf, registerDavMount, type DavDependencies } from '../dav/index.js';
import type { ChunkedTransfers, MediaService, UserService } from '../services/index.js';
import type { Lookups } from '../vfs/index.js';
import { sendOcs, sendOcsFailure, type OcsVersion } from './ocs.js';
import { registerPreviews } from './previews.js';
import { uploadMethods } from './uploads.js';

/** The Nextcloud release whose client behaviour we follow; clients switch features by it. */
const NEXTCLOUD_VERSION = { major: 28, minor: 0, micro: 0 };
const VERSION_STRING = `${NEXTCLOUD_VERSION.major}.${NEXTCLOUD_VERSION.minor}.${NEXTCLOUD_VERSION.micro}`;

export interface NextcloudDependencies {
  readonly dav: DavDependencies;
  readonly users: UserService;
  readonly transfers: ChunkedTransfers;
  /** Files by id (the previews' fileId). */
  readonly lookups: Lookups;
  /** Thumbnails for the previews. */
  readonly media: MediaService;
  /** Cumulus's own version, shown beside the Nextcloud one. */
  readonly version: string;
}

export async function registerNextcloud(server: FastifyInstance, deps: NextcloudDependencies): Promise<void> {
  const { dav } = deps;
  const enabled = async () => (await dav.settings.switches()).nextcloudEnabled;
  const gate = async () => {
    if (!(await enabled())) throw new DavError(404, 'The Nextcloud client surface is turned off on this server');
  };

  await server.register(async (scope) => {
    scope.get('/status.php', async (_request, reply) => {
      if (!(await enabled())) return reply.code(404).type('text/plain; charset=utf-8').send('Not Found\n');
      return reply.type('application/json; charset=utf-8').send(statusOf(deps.version));
    });
    for (const version of [1, 2] as const) {
      const base = `/ocs/v${version}.php/cloud`;
      // Capabilities answer without authentication, as Nextcloud's do: clients read them before signing in.
      scope.get(`${base}/capabilities`, (request, reply) =>
        ocs(request, reply, version, deps, async () => ({ version: versionOf(deps.version), capabilities: CAPABILITIES }), false),
      );
      scope.get(`${base}/user`, (request, reply) =>
        ocs(request, reply, version, deps, (principal, login) => userOf(deps, principal, login)),
      );
    }
    registerPreviews(scope, { dav, lookups: deps.lookups, media: deps.media, enabled });
  });

  const mounts = [
    { prefix: '/remote.php/webdav' },
    { prefix: '/remote.php/dav/files', userSegment: true },
    { prefix: '/remote.php/dav/uploads', userSegment: true, methods: uploadMethods(deps.transfers) },
  ];
  for (const mount of mounts) await registerDavMount(server, dav, { ...mount, gate });
}

/** One OCS request: the surface switch, Basic authentication with a WebDAV-account password, the envelope. */
async function ocs(
  request: FastifyRequest,
  reply: FastifyReply,
  version: OcsVersion,
  deps: NextcloudDependencies,
  handler: (principal: Principal, login: string) => Promise<Parameters<typeof sendOcs>[3]>,
  authenticated = true,
): Promise<FastifyReply> {
  try {
    if (!(await deps.dav.settings.switches()).nextcloudEnabled) return sendOcsFailure(request, reply, version, 404, 'Not found');
    if (!authenticated) return sendOcs(request, reply, version, await handler(null as unknown as Principal, ''));
    const credentials = parseBasicAuthorization(request.headers.authorization);
    if (!credentials) throw new UnauthenticatedError('Sign in with your email and a WebDAV account password');
    const principal = await deps.dav.accounts.authenticate(credentials.username, credentials.password, request.ip);
    return sendOcs(request, reply, version, await handler(principal, credentials.username));
  } catch (error) {
    const failure = failureOf(error);
    if (!failure) throw error;
    if (failure.headers) reply.headers(failure.headers);
    return sendOcsFailure(request, reply, version, failure.status, failure.message);
  }
}

function statusOf(version: string) {
  return {
    installed: true,
    maintenance: false,
    needsDbUpgrade: false,
    version: `${VERSION_STRING}.0`,
    versionstring: VERSION_STRING,
    edition: '',
    productname: 'Cumulus',
    extendedSupport: false,
    cumulusVersion: version,
  };
}

function versionOf(version: string) {
  return { ...NEXTCLOUD_VERSION, string: VERSION_STRING, edition: '', extendedSupport: false, cumulus: version };
}

/**
 * What is implemented, and nothing else: chunking v1 (with v2's Destination accepted), SHA-1
 * checksums, conflict copies uploaded; no bulk upload, sharing, trash or versions here yet.
 */
const CAPABILITIES = {
  core: { pollinterval: 60, 'webdav-root': 'remote.php/webdav', 'reference-api': false },
  dav: { chunking: '1.0' },
  files: { bigfilechunking: true, blacklisted_files: ['.htaccess'], undelete: false, versioning: false, comments: false },
  checksums: { supportedTypes: ['SHA1'], preferredUploadType: 'SHA1' },
  uploadConflictFiles: true,
};

/** The signed-in user as /cloud/user answers; `id` is the login, which the client puts into its DAV URLs. */
async function userOf(deps: NextcloudDependencies, principal: Principal, login: string) {
  const user = await deps.users.get(principal.userId);
  const { used, available } = await deps.dav.vfs.capacity(principal);
  const total = principal.quota ?? used + available;
  const quota = {
    free: available,
    used,
    total,
    relative: total > 0 ? Math.round((used / total) * 10000) / 100 : 0,
    // Nextcloud's "unlimited" is -3.
    quota: principal.quota ?? -3,
  };
  const id = login.trim().toLowerCase();
  return { enabled: true, id, email: user.email, 'display-name': user.displayName, displayname: user.displayName, quota };
}
