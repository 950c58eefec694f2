import { hkdfSync, randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Logger } from 'pino';
import { LoginThrottle, SecretBox, TokenSigner, loadSigningKey } from './auth/index.js';
import { databaseUrlOf, readVersion, type Config } from './config/index.js';
import { REDACTING_LOG_OPTIONS } from './core/index.js';
import {
  BlobRepository,
  Database,
  DavAccountRepository,
  EntryRepository,
  GroupRepository,
  LockRepository,
  PolicyRepository,
  PropertyRepository,
  SessionRepository,
  SettingsRepository,
  ShareRepository,
  UploadSessionRepository,
  UserRepository,
  JobRepository,
  SharedVersionRepository,
  ThrottleRepository,
  PolicyMoveRepository,
  MembershipRepository,
  MountRepository,
  MediaRepository,
  PhotoLibraryRepository,
  SyncRepository,
} from './db/index.js';
import { DatabaseJobQueue, EventFeed, JobRunner, type JobQueue } from './jobs/index.js';
import {
  Bootstrap,
  DavAccountService,
  Doctor,
  GarbageCollector,
  GroupService,
  ServerKeyCheck,
  ServerSettings,
  SessionService,
  ShareService,
  sealStoredSharePasswords,
  UploadService,
  UserService,
  type CreatedAdmin,
  MaintenanceJobs,
  HistoryJobs,
  SharedVersions,
  ServerPresence,
  DatabaseThrottleStore,
  MediaService,
  MediaJobs,
  Thumbnailer,
  detectTools,
  DirectLinks,
  DirectUploads,
  FolderPolicies,
  PolicyMigration,
  PolicyRegistry,
  PolicyService,
  MembershipService,
  MountService,
  MountWatcher,
  LibraryService,
  PhotoFeed,
  PhotoImporter,
  PhotoJobs,
  InProgress,
  SyncService,
  SyncJobs,
  ChunkedTransfers,
  remoteConnectOptions,
} from './services/index.js';
import { ChunkStore, defaultInlineMaxBytes, makeDataDirPrivate, type BlobBackend, type PolicyType } from './storage/index.js';
import { BlobStore, Lookups, Vfs, VfsEvents } from './vfs/index.js';

export interface AppOptions {
  readonly logger: Logger;
  readonly clock?: () => number;
  readonly newId?: () => string;
  /** Replaces the backend of every storage policy (tests measuring layers above storage). */
  readonly backendOverride?: (policyId: number) => BlobBackend;
  /** How often a long write refreshes its pending blob, for gc. */
  readonly heartbeatMs?: number;
  /** Refuse to migrate a database that a running server of another version uses (one-shot CLI commands). */
  readonly guardMigrations?: boolean;
  /** Create the first administrator when there are no users (the server does; other CLI commands do not). */
  readonly createFirstAdmin?: boolean;
  /** Jitter of job retries (0 <= random() < 1). */
  readonly random?: () => number;
  /** How long a storage backend whose policy changed stays open for requests begun on it (PolicyRegistry). */
  readonly retiredBackendGraceMs?: number;
}

/** The durable job queue and this process's worker (started by `serve` only). */
export interface AppJobs {
  readonly queue: JobQueue;
  readonly runner: JobRunner;
  /** Where processors subscribe to vfs events and queue their jobs. */
  readonly feed: EventFeed;
  /** Stores the periodic duties' schedules and starts the runner. */
  start(): Promise<void>;
}

/** Every service, built once with its collaborators (DESIGN.md: the composition root). */
export interface App {
  readonly config: Config;
  readonly logger: Logger;
  readonly database: Database;
  readonly vfs: Vfs;
  /** Entries by id, name search and locks by token (for the REST API). */
  readonly lookups: Lookups;
  readonly events: VfsEvents;
  readonly users: UserService;
  readonly groups: GroupService;
  /** Primary and joined groups: the one place membership is decided. */
  readonly memberships: MembershipService;
  /** Administrators' shared folders (mounts). */
  readonly mounts: MountService;
  readonly settings: ServerSettings;
  readonly davAccounts: DavAccountService;
  /** API sign-ins and tokens. */
  readonly sessions: SessionService;
  /** Signed download URLs: a key derived from the token signing key for this use alone, and the clock. */
  readonly downloadSigning: { readonly key: Uint8Array; readonly clock: () => number };
  /** Share links (contract section 17). */
  readonly shares: ShareService;
  /** Seals secrets the server reads back (share passwords; remote credentials) under a key derived from the signing key. */
  readonly secretBox: SecretBox;
  /** Chunked uploads through the REST API (contract section 15). */
  readonly uploads: UploadService;
  readonly gc: GarbageCollector;
  readonly doctor: Doctor;
  /** The backends built so far, by policy id (the registry's, kept current). */
  readonly backends: ReadonlyMap<number, BlobBackend>;
  /** Storage policies (issue 11): managed by administrators, folders bound to them, files moved between them. */
  readonly policies: PolicyService;
  readonly folderPolicies: FolderPolicies;
  readonly policyMigration: PolicyMigration;
  readonly policyRegistry: PolicyRegistry;
  readonly defaultPolicyId: number;
  /** Which server version uses the database (serve announces itself; see ServerPresence). */
  readonly presence: ServerPresence;
  /** Set when this start created the first administrator. */
  readonly createdAdmin: CreatedAdmin | null;
  readonly jobs: AppJobs;
  /** Thumbnails and media metadata (issue 12). */
  readonly media: MediaService;
  /** Presigned URLs of the store for files on redirect policies (issue 11, item 4). */
  readonly directLinks: DirectLinks;
  /** Photo libraries (issue 12): marked folders, their timeline, and the runs a safety delay after writes settle. */
  readonly libraries: LibraryService;
  readonly photoFeed: PhotoFeed;
  /** Sync pairs with external WebDAV servers (issue 13) and their runs as jobs. */
  readonly sync: SyncService;
  readonly syncJobs: SyncJobs;
  /** Nextcloud's chunked uploads, in the REST API's chunk store (issue 14). */
  readonly chunkedTransfers: ChunkedTransfers;
  close(): Promise<void>;
}

export const newBlobId = (): string => randomUUID().replaceAll('-', '');

/** Opens the database, applies migrations and wires the services. */
export async function createApp(config: Config, options: AppOptions): Promise<App> {
  const clock = options.clock ?? Date.now;
  const newId = options.newId ?? newBlobId;
  // Every log line of the server passes the redaction of secrets (core/redact.ts).
  const logger = options.logger.child({}, REDACTING_LOG_OPTIONS);
  const tightened = await makeDataDirPrivate(config.dataDir);
  if (tightened.length > 0) {
    logger.warn(
      { dataDir: config.dataDir, count: tightened.length, paths: tightened.slice(0, 20) },
      'the data directory was open to other users: tightened to owner-only (folders 0700, files 0600)',
    );
  }
  const database = Database.open({
    url: databaseUrlOf(config),
    poolSize: config.database.poolSize,
    busyTimeoutMs: config.database.busyTimeoutMs,
  });
  try {
    const presence = new ServerPresence(database, new SettingsRepository(), readVersion(), clock);
    if (options.guardMigrations) await presence.assertMayMigrate(await database.pendingMigrations());
    await database.migrate();
    const entries = new EntryRepository();
    const blobs = new BlobRepository();
    const userRepository = new UserRepository();
    const groupRepository = new GroupRepository();
    const policies = new PolicyRepository();
    const versions = new SharedVersions(database, new SharedVersionRepository(), clock);
    const settings = new ServerSettings(database, new SettingsRepository(), versions);

    let defaultPolicyId = 0;
    const groups = new GroupService(database, groupRepository, versions, clock);
    const sessionRepository = new SessionRepository();
    const users = new UserService(
      database,
      userRepository,
      groupRepository,
      entries,
      sessionRepository,
      versions,
      clock,
      () => defaultPolicyId,
    );
    const membershipRepository = new MembershipRepository();
    const mountRepository = new MountRepository();
    const memberships = new MembershipService(database, membershipRepository, userRepository, groupRepository, clock);
    const mounts = new MountService(
      database,
      mountRepository,
      groupRepository,
      membershipRepository,
      userRepository,
      entries,
      clock,
      newId,
    );
    // A membership change grafts or removes the member's shared folders in its own transaction.
    memberships.onChange((tx, userId) => mounts.syncLinks(tx, userId));
    users.onGroupsChanged((tx, userId) => memberships.changed(tx, userId));
    const bootstrap = new Bootstrap(database, policies, groups, users, clock);
    const policyList = await bootstrap.ensureDefaultPolicy();
    defaultPolicyId = policyList[0]!.id;
    await bootstrap.ensureGroups(defaultPolicyId);

    // Issue 11: backends built from the policy rows, following changes other processes make.
    const policyRegistry = new PolicyRegistry(database, policies, {
      dataDir: config.dataDir,
      // The box exists once the signing key is loaded below; backends are built after that.
      secrets: { reveal: (sealed, purpose) => secretBox.reveal(sealed, purpose) },
      versions,
      // The built-in policy keeps `storage.inlineMaxBytes` (compatibility); others their type's default.
      inlineDefault: (policy) =>
        policy.id === defaultPolicyId ? config.storage.inlineMaxBytes : defaultInlineMaxBytes(policy.type as PolicyType),
      override: options.backendOverride,
      warn: (details, message) => logger.warn(details, message),
      retireAfterMs: options.retiredBackendGraceMs,
    });
    const backends = policyRegistry.loaded;

    const warn = (error: unknown, message: string) => logger.warn({ err: error }, message);
    const events = new VfsEvents((error, event) => logger.error({ err: error, event: event.type }, 'vfs listener failed'));
    const blobStore = new BlobStore(database, blobs, policyRegistry, { clock, newId, warn, heartbeatMs: options.heartbeatMs });
    const vfs = new Vfs({
      database,
      entries,
      blobs,
      users: userRepository,
      locks: new LockRepository(),
      properties: new PropertyRepository(),
      blobStore,
      events,
      clock,
      newId,
      newToken: randomUUID,
      lockLimits: { maxSeconds: config.webdav.maxLockSeconds, maxPerUser: config.webdav.maxLocksPerUser },
      propertyLimits: { maxPerResource: config.webdav.maxPropertiesPerResource, maxBytesPerUser: config.webdav.maxPropertyBytesPerUser },
      mounts: { mounts: mountRepository, memberships: membershipRepository, sourceFor: (mount) => mounts.sourceFor(mount) },
      trashRetentionDays: config.trash.retentionDays,
      versionsMaxCount: config.versions.maxCount,
    });
    const lookups = new Lookups({
      database,
      entries,
      locks: new LockRepository(),
      blobStore,
      clock,
      openMounted: (entry, range) => vfs.open(entry, range),
    });
    const signingKey = await loadSigningKey({ dataDir: config.dataDir, file: config.auth.jwtSecretFile });
    await new ServerKeyCheck(database, new SettingsRepository()).verify(
      signingKey,
      config.auth.jwtSecretFile ?? path.join(config.dataDir, 'secrets', 'jwt.key'),
    );
    const throttle = loginThrottle(database, config, signingKey, clock);
    users.limitSignUpsWith((address, how) =>
      throttle.countAttempt(
        'sign-up',
        address,
        SIGN_UP_LIMITS,
        (seconds) => `Too many sign-ups from this address; try again in ${seconds} seconds`,
        how,
      ),
    );
    const davAccounts = new DavAccountService(database, new DavAccountRepository(), entries, users, settings, vfs, versions, throttle, {
      clock,
    });
    const signer = new TokenSigner(signingKey, { clock });
    // HKDF (RFC 5869): a download link can never be turned into a token, nor a token into a link.
    const downloadKey = new Uint8Array(hkdfSync('sha256', signingKey, '', 'cumulus signed download urls v1', 32));
    const sessions = new SessionService(database, sessionRepository, userRepository, users, settings, signer, versions, throttle, {
      clock,
    });
    const secretBox = new SecretBox(signingKey);
    const shareRepository = new ShareRepository();
    const shares = new ShareService(database, shareRepository, users, vfs, throttle, {
      clock,
      secrets: secretBox,
      publicUrl: config.publicUrl,
    });
    const sealedPasswords = await sealStoredSharePasswords(database, shareRepository, secretBox);
    if (sealedPasswords > 0) logger.info({ shares: sealedPasswords }, 'share passwords stored in clear are now sealed');
    const chunkStore = new ChunkStore(path.join(config.dataDir, 'uploads'));
    const uploads = new UploadService(database, new UploadSessionRepository(), policies, vfs, users, chunkStore, {
      clock,
      chunkSize: config.uploads.chunkSizeBytes,
      sessionMs: config.uploads.sessionSeconds * 1000,
      maxOpenSessions: config.uploads.maxOpenSessions,
      warn,
      direct: new DirectUploads(database, new UploadSessionRepository(), blobs, policies, vfs, (id) => blobStore.backendOf(id), {
        clock,
        newId,
        inlineMaxBytesOf: (id) => blobStore.inlineMaxBytesOf(id),
        leaseMs: 5 * 60_000,
        warn,
      }),
    });
    const gc = new GarbageCollector(database, blobs, policyRegistry, clock, [uploads]);
    const doctor = new Doctor(database, entries, blobs, userRepository, policyRegistry);
    const { queue, runner, feed } = wireJobs(config, { database, events, clock, warn, random: options.random ?? Math.random });
    const maintenance = new MaintenanceJobs({
      gc,
      uploads,
      queue,
      clock,
      gcGraceMs: config.gc.graceSeconds * 1000,
      gcEveryMs: config.gc.intervalSeconds * 1000,
      gcOnStart: config.gc.onStart,
      keepFinishedMs: config.jobs.keepDays * 86400_000,
    });
    maintenance.register(runner);
    const policyService = new PolicyService(database, policies, policyRegistry, versions, groups, {
      dataDir: config.dataDir,
      secrets: secretBox,
      clock,
    });
    mounts.usePolicies({ get: (policy) => policyService.get(policy), settingsOf: (id) => policyRegistry.settingsOf(id) });
    const folderPolicies = new FolderPolicies(database, policies, policyService, users, vfs, clock);
    const policyMigration = new PolicyMigration(database, new PolicyMoveRepository(), blobs, entries, blobStore, queue, clock);
    policyMigration.register(runner);
    await policyRegistry.reload();
    // Changes made on a mount's disk outside Cumulus: watched by the process holding this job's lease.
    const mountWatcher = new MountWatcher(vfs, mounts, { warn });
    mountWatcher.register(runner);
    const media = mediaService(config, { database, blobs, blobStore, clock, warn, policyId: () => defaultPolicyId }, await detectTools());
    const mediaJobs = new MediaJobs(media);
    mediaJobs.register(runner);
    feed.add(mediaJobs);
    const historyJobs = new HistoryJobs(vfs);
    historyJobs.register(runner);
    const photos = wirePhotos(config, { database, entries, users, media, vfs, lookups, queue, events, clock, warn });
    photos.jobs.register(runner);
    const { sync, syncJobs } = syncServices(config, { database, users, vfs, secretBox, queue, clock });
    syncJobs.register(runner);
    const jobs: AppJobs = {
      queue,
      runner,
      feed,
      start: async () => {
        await maintenance.schedule();
        await mountWatcher.schedule(queue);
        await historyJobs.schedule(queue);
        await syncJobs.scheduleAll();
        runner.start();
      },
    };
    const directLinks = new DirectLinks(database, blobs, policies, (policyId) => blobStore.backendOf(policyId));
    const createdAdmin = options.createFirstAdmin ? await bootstrap.ensureAdmin(config.initialAdmin) : null;

    return {
      config,
      logger,
      database,
      vfs,
      lookups,
      events,
      users,
      groups,
      memberships,
      mounts,
      settings,
      davAccounts,
      sessions,
      downloadSigning: { key: downloadKey, clock },
      shares,
      secretBox,
      uploads,
      gc,
      doctor,
      backends,
      defaultPolicyId,
      policies: policyService,
      folderPolicies,
      policyMigration,
      policyRegistry,
      createdAdmin,
      presence,
      jobs,
      media,
      directLinks,
      libraries: photos.libraries,
      photoFeed: photos.feed,
      sync,
      syncJobs,
      chunkedTransfers: new ChunkedTransfers(vfs, chunkStore),
      close: async () => {
        await jobs.runner.stop();
        await jobs.feed.settled();
        await photos.feed.settled();
        await policyRegistry.close();
        await database.close();
      },
    };
  } catch (error) {
    await database.close().catch(() => undefined);
    throw error;
  }
}

/** The queue in the database, this process's runner (woken by its own enqueues) and the event feed. */
function wireJobs(
  config: Config,
  parts: {
    database: Database;
    events: VfsEvents;
    clock: () => number;
    warn: (error: unknown, message: string) => void;
    random: () => number;
  },
): Pick<AppJobs, 'queue' | 'runner' | 'feed'> {
  const { database, clock, warn } = parts;
  const queue = new DatabaseJobQueue(database, new JobRepository(), {
    clock,
    newToken: randomUUID,
    backoff: { baseMs: 10_000, maxMs: 3600_000, random: parts.random },
  });
  const runner = new JobRunner(queue, {
    concurrency: config.jobs.concurrency,
    pollMs: config.jobs.pollMs,
    leaseMs: config.jobs.leaseSeconds * 1000,
    clock,
    log: { warn },
  });
  return { queue, runner, feed: new EventFeed(parts.events, queue, warn) };
}

/** Sign-ups one client address may attempt per hour, across every process (each costs a password hash). */
const SIGN_UP_LIMITS = { limit: 10, windowMs: 3600_000 };

/** The failed-password throttle every surface shares, its counts in the database; keys are HMACs under a key of their own. */
function loginThrottle(database: Database, config: Config, signingKey: Uint8Array, clock: () => number): LoginThrottle {
  const limits = config.auth.throttle;
  const store = new DatabaseThrottleStore(database, new ThrottleRepository(), { clock, maxRows: limits.maxRows });
  const key = new Uint8Array(hkdfSync('sha256', signingKey, '', 'cumulus throttle keys v1', 32));
  return new LoginThrottle(
    store,
    key,
    {
      perAddress: limits.perAddress,
      perAccountAddress: limits.perAccountAddress,
      windowMs: limits.windowSeconds * 1000,
      perAccount: limits.perAccount,
      accountWindowMs: limits.accountWindowSeconds * 1000,
      accountDelayMs: limits.accountDelaySeconds * 1000,
      maxAccountDelayMs: limits.maxAccountDelaySeconds * 1000,
    },
    clock,
  );
}

/** The media indexer: thumbnails with sharp and the external tools this machine has. */
function mediaService(
  config: Config,
  parts: {
    database: Database;
    blobs: BlobRepository;
    blobStore: BlobStore;
    clock: () => number;
    warn: (error: unknown, message: string) => void;
    policyId: () => number;
  },
  tools: Awaited<ReturnType<typeof detectTools>>,
): MediaService {
  const limits = {
    size: config.media.thumbSize,
    maxPixels: config.media.maxPixels,
    maxSourceBytes: config.media.maxSourceBytes,
    toolTimeoutMs: config.media.toolTimeoutSeconds * 1000,
  };
  return new MediaService(parts.database, new MediaRepository(), parts.blobs, parts.blobStore, new Thumbnailer(limits, tools), {
    ...limits,
    clock: parts.clock,
    policyId: parts.policyId,
    tools,
    warn: parts.warn,
  });
}

/** Photo libraries: the service, the feed that marks changes under them, and their runs. */
function wirePhotos(
  config: Config,
  parts: {
    database: Database;
    entries: EntryRepository;
    users: UserService;
    media: MediaService;
    vfs: Vfs;
    lookups: Lookups;
    queue: JobQueue;
    events: VfsEvents;
    clock: () => number;
    warn: (error: unknown, message: string) => void;
  },
): { libraries: LibraryService; feed: PhotoFeed; jobs: PhotoJobs } {
  const { database, entries, vfs, lookups, clock } = parts;
  const repository = new PhotoLibraryRepository();
  const timing = { safetyDelayMs: config.photos.safetyDelaySeconds * 1000, maxDeferMs: config.photos.maxDeferSeconds * 1000 };
  const feed = new PhotoFeed(database, repository, entries, parts.queue, timing, clock, parts.warn);
  feed.attach(parts.events);
  const jobs = new PhotoJobs({
    database,
    libraries: repository,
    entries,
    users: parts.users,
    media: parts.media,
    importer: new PhotoImporter(database, repository, entries, vfs, lookups),
    inProgress: new InProgress(database, new UploadSessionRepository(), lookups, clock),
    lookups,
    vfs,
    feed,
    timing,
    clock,
  });
  return { libraries: new LibraryService(database, repository, entries, vfs, lookups, clock), feed, jobs };
}

/** Sync with external WebDAV servers (issue 13): the service and its jobs. */
function syncServices(
  config: Config,
  parts: { database: Database; users: UserService; vfs: Vfs; secretBox: SecretBox; queue: JobQueue; clock: () => number },
): { sync: SyncService; syncJobs: SyncJobs } {
  const options = config.sync;
  const sync = new SyncService(parts.database, new SyncRepository(), parts.users, parts.vfs, parts.secretBox, {
    clock: parts.clock,
    maxDeletePercent: options.maxDeletePercent,
    fileAttempts: options.fileAttempts,
    retryBaseMs: options.retryBaseMs,
    connectFor: (account) => remoteConnectOptions(account.url, account.anyAddress || options.allowPrivateNetworks),
    timeouts: {
      connectMs: options.connectTimeoutSeconds * 1000,
      headersMs: options.requestTimeoutSeconds * 1000,
      idleMs: options.requestTimeoutSeconds * 1000,
    },
  });
  const syncJobs = new SyncJobs(sync, parts.queue, { clock: parts.clock, claimMs: config.jobs.leaseSeconds * 1000 });
  return { sync, syncJobs };
}
