import { z } from 'zod';

/** host:port, [v6]:port or a bare port. */
const listenAddress = z.string().regex(/^(?:(?:\[[0-9a-fA-F:.]+\]|[^:\s]+):)?\d{1,5}$/, 'expected HOST:PORT, [IPV6]:PORT or PORT');

const databaseUrl = z
  .string()
  .refine(
    (value) => /^(?:postgres|postgresql):\/\//.test(value) || /^(?:sqlite:|file:)/.test(value),
    'expected postgres://… or sqlite:PATH',
  );

const durationSeconds = z.coerce.number().int().min(0);

export const configSchema = z
  .object({
    /** Where the database (by default), blobs, keys and temporary files live. */
    dataDir: z.string().min(1).default('./data'),
    listen: listenAddress.default('0.0.0.0:5280'),
    /** Defaults to an SQLite file in the data directory. */
    databaseUrl: databaseUrl.optional(),
    /** The URL users reach the server at, for links when behind a reverse proxy. */
    publicUrl: z.url().optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Trust X-Forwarded-* from these proxies (Fastify trustProxy syntax); off by default. */
    trustProxy: z.union([z.boolean(), z.string()]).default(false),
    /** The administrator created on first start with an empty database. */
    initialAdmin: z
      .object({
        email: z.string().default('admin@cumulus.local'),
        /** Generated and printed once when absent. */
        password: z.string().min(8).optional(),
      })
      .strict()
      .prefault({}),
    webdav: z
      .object({
        /** RFC 4918 9.1: Depth: infinity PROPFIND walks whole trees; refused (403) unless enabled. */
        allowInfinityPropfind: z.boolean().default(false),
        /** macOS `._*` and `.DS_Store` files: 'store' them like any file, or 'refuse' them (403). */
        finderJunk: z.enum(['store', 'refuse']).default('store'),
        /** Lock timeout when the client asks for none, and the most it may ask for, in seconds. */
        defaultLockSeconds: z.coerce.number().int().min(1).default(3600),
        maxLockSeconds: z.coerce.number().int().min(1).default(3600),
        /** Active locks one user may hold over all their WebDAV accounts; LOCK beyond it gets 507. */
        maxLocksPerUser: z.coerce.number().int().min(1).default(1000),
        /** Dead properties one file or folder may carry; a PROPPATCH beyond it gets 507 and changes nothing. */
        maxPropertiesPerResource: z.coerce.number().int().min(1).default(200),
        /** UTF-8 bytes of dead properties (namespaces, names, values) in one user's files; beyond it, 507. */
        maxPropertyBytesPerUser: z.coerce
          .number()
          .int()
          .min(1)
          .default(16 * 1024 * 1024),
        /** Largest XML request body (PROPFIND, PROPPATCH, LOCK), in bytes. */
        maxXmlBytes: z.coerce
          .number()
          .int()
          .min(1024)
          .default(1 << 20),
      })
      .strict()
      .prefault({}),
    gc: z
      .object({
        /** Pending writes and temporary files younger than this are left alone by gc. */
        graceSeconds: durationSeconds.default(3600),
        /** Run gc when the server starts. */
        onStart: z.boolean().default(true),
        /** Run gc this often while the server runs (a scheduled job: one process at a time). */
        intervalSeconds: z.coerce.number().int().min(60).default(86400),
      })
      .strict()
      .prefault({}),
    storage: z
      .object({
        /**
         * Files up to this size keep their bytes in the database row, written in the same
         * transaction as the entry (one transaction and no fsync of a file per small upload);
         * larger ones stream to the storage policy. 0 stores everything in the policy. The
         * threshold of the built-in policy; other policies carry their own (issue 11).
         */
        inlineMaxBytes: z.coerce
          .number()
          .int()
          .min(0)
          .max(1024 * 1024)
          .default(64 * 1024),
      })
      .strict()
      .prefault({}),
    auth: z
      .object({
        /** The file holding the API token signing key; DATA/secrets/jwt.key (created on first start) otherwise. */
        jwtSecretFile: z.string().min(1).optional(),
        /**
         * Failed passwords (WebDAV, API sign-in, share passwords), counted in the database for
         * every process: per address (IPv6 /64), per account from an address, per account.
         */
        throttle: z
          .object({
            /** Failures one address may make, on any account, per window; then 429 until the window ends. */
            perAddress: z.coerce.number().int().min(1).default(30),
            /** Failures on one account from one address per window; then that address waits for the window's end. */
            perAccountAddress: z.coerce.number().int().min(1).default(10),
            windowSeconds: z.coerce.number().int().min(1).default(300),
            /** Failures on one account from all addresses per account window before addresses that failed on it wait... */
            perAccount: z.coerce.number().int().min(1).default(20),
            accountWindowSeconds: z.coerce.number().int().min(1).default(3600),
            /** ...this long, doubled for every further `perAccount` failures, up to the maximum. */
            accountDelaySeconds: z.coerce.number().int().min(0).default(2),
            maxAccountDelaySeconds: z.coerce.number().int().min(0).default(300),
            /** Most counter rows kept in the database; the sweep trims the oldest beyond it. */
            maxRows: z.coerce.number().int().min(10).default(100_000),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    uploads: z
      .object({
        /** Chunk size of REST API upload sessions (Cloudreve V4 contract 15.3), in bytes; Cloudreve's default is 25 MiB. */
        chunkSizeBytes: z.coerce
          .number()
          .int()
          .min(1)
          .default(25 * 1024 * 1024),
        /** How long an upload session stays open, in seconds (contract 15.1: 86400). */
        sessionSeconds: z.coerce.number().int().min(1).default(86400),
        /** Most upload sessions one user may have open (unexpired, not completed) at once. */
        maxOpenSessions: z.coerce.number().int().min(1).default(100),
      })
      .strict()
      .prefault({}),
    database: z
      .object({
        /** PostgreSQL pool size. */
        poolSize: z.coerce.number().int().min(1).max(200).default(10),
        /** How long SQLite waits for a lock before failing, in milliseconds. */
        busyTimeoutMs: z.coerce.number().int().min(0).default(5000),
      })
      .strict()
      .prefault({}),
    jobs: z
      .object({
        /** Jobs one server process runs at once. */
        concurrency: z.coerce.number().int().min(1).max(64).default(2),
        /** How often each server process looks for due jobs, in milliseconds. */
        pollMs: z.coerce.number().int().min(50).default(1000),
        /** A job's lease; the job of a process that died is taken up again after this, in seconds. */
        leaseSeconds: z.coerce.number().int().min(5).default(60),
        /** Finished jobs are kept this long for inspection, in days. */
        keepDays: z.coerce.number().int().min(1).default(14),
      })
      .strict()
      .prefault({}),
    /** Thumbnails and media metadata (issue 12). */
    media: z
      .object({
        /** Longest side of a thumbnail, in pixels. */
        thumbSize: z.coerce.number().int().min(32).max(2048).default(400),
        /** Images with more pixels than this are refused (decompression bombs). */
        maxPixels: z.coerce.number().int().min(1).default(100_000_000),
        /** Files larger than this get no thumbnail (images are decoded in memory). */
        maxSourceBytes: z.coerce.number().int().min(1).default(268_435_456),
        /** An external tool (ffmpeg, pdftoppm, heif-convert) running longer than this is killed, in seconds. */
        toolTimeoutSeconds: z.coerce.number().int().min(1).default(30),
      })
      .strict()
      .prefault({}),
    /** Deleted files and folders (issue 12). */
    trash: z
      .object({
        /** What was deleted this many days ago is deleted for good by a job; 0: no trash, deletes are permanent. */
        retentionDays: z.coerce.number().int().min(0).max(3650).default(30),
      })
      .strict()
      .prefault({}),
    /** Old contents of overwritten files (issue 12). */
    versions: z
      .object({
        /** Versions kept per file, the oldest dropped first; 0: overwrites keep none. */
        maxCount: z.coerce.number().int().min(0).max(100_000).default(100),
      })
      .strict()
      .prefault({}),
    /** Photo libraries (issue 12): how long writes must settle before a run, and the longest a trickle may defer it. */
    photos: z
      .object({
        /** Quiet time after the last write under a library before it is indexed and imported, in seconds. */
        safetyDelaySeconds: z.coerce.number().int().min(0).max(86_400).default(300),
        /** A run starts at most this long after the first change it waits for, however writes keep coming, in seconds. */
        maxDeferSeconds: z.coerce.number().int().min(1).max(604_800).default(3600),
      })
      .strict()
      .prefault({}),
    /** Sync with external WebDAV servers (issue 13). */
    sync: z
      .object({
        /** A run that would delete more than this share (percent) of either side's files stops and reports instead. */
        maxDeletePercent: z.coerce.number().min(0).max(100).default(50),
        /** Let users' remotes reach loopback, link-local and private addresses (operators' CLI pairs always may). */
        allowPrivateNetworks: z.boolean().default(false),
        /** Tries per file before the run reports it and goes on. */
        fileAttempts: z.coerce.number().int().min(1).max(20).default(4),
        /** First pause between two tries of a file, in milliseconds (doubling). */
        retryBaseMs: z.coerce.number().int().min(0).default(1000),
        /** Connecting to a remote, in seconds; waiting for headers and for a stalled body use `requestTimeoutSeconds`. */
        connectTimeoutSeconds: z.coerce.number().int().min(1).default(10),
        requestTimeoutSeconds: z.coerce.number().int().min(1).default(60),
      })
      .strict()
      .prefault({}),
    /**
     * Server processes sharing the listening socket: 'auto' is one per CPU, at most 4; 1 is a
     * single process with no primary.
     */
    workers: z.union([z.literal('auto'), z.coerce.number().int().min(1).max(64)]).default('auto'),
    /** How long a stopping server waits for requests in flight (uploads included) before it exits anyway. */
    shutdownGraceSeconds: z.coerce.number().int().min(1).default(30),
    http: z
      .object({
        /** A request body that stops arriving for this long is answered 408 and its connection closed. */
        bodyTimeoutSeconds: z.coerce.number().int().min(1).default(30),
        /** A request whose headers have not all arrived after this long is answered 408 and closed. */
        headersTimeoutSeconds: z.coerce.number().int().min(1).default(30),
      })
      .strict()
      .prefault({}),
    /**
     * HTTPS served directly: a certificate and key file (PEM; reloaded when they change), or a
     * self-signed certificate made and kept in DATA/secrets on first start. Neither: plain HTTP.
     */
    tls: z
      .object({
        cert: z.string().min(1).optional(),
        key: z.string().min(1).optional(),
        selfSigned: z.boolean().default(false),
      })
      .strict()
      .prefault({})
      .refine((tls) => (tls.cert === undefined) === (tls.key === undefined), 'tls.cert and tls.key go together')
      .refine((tls) => !(tls.selfSigned && tls.cert), 'tls.selfSigned and tls.cert/tls.key exclude each other'),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
