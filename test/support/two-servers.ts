import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { Database, type SqlDialectName } from '../../src/db/index.js';
import { freePort, spawnCumulus } from './cli.js';
import { freshDatabase, tempDir } from './databases.js';

/**
 * Two real `cumulus serve` processes on one database and one data directory (so they share
 * blobs and the token signing key), the way `serve --workers` or two nodes behind a load
 * balancer run. Races fire one half at each process; the checks read the database directly.
 */
export interface ServerProcess {
  readonly name: 'A' | 'B';
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  /** What the process wrote to stdout and stderr so far (pino lines at warn and above). */
  output(): string;
  /** Whether the process is running (false after it died or was killed). */
  alive(): boolean;
  /** Sends the signal and waits for the process to exit. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** A user, their login password, an API access token and a read-write WebDAV account over their whole tree. */
export interface Account {
  readonly email: string;
  readonly token: string;
  readonly davPassword: string;
}

export interface TwoServers {
  readonly dialect: SqlDialectName;
  readonly dataDir: string;
  readonly databaseUrl: string;
  readonly a: ServerProcess;
  readonly b: ServerProcess;
  /** The test's own connection, for the invariant checks. */
  readonly database: Database;
  /** A new user (in a new group with that quota in bytes when given) with a WebDAV account and a token. */
  account(options?: { quota?: number }): Promise<Account>;
  /** One account made once and shared by the tests of a file (signing in costs a password hash on a loaded machine). */
  sharedAccount(): Promise<Account>;
  /** Starts the named process again (after a kill) on the same port. */
  restart(name: 'A' | 'B'): Promise<void>;
  close(): Promise<void>;
}

export const ADMIN_EMAIL = 'admin@cumulus.local';
const ADMIN_PASSWORD = 'race admin password';
const USER_PASSWORD = 'correct horse battery';
/** Small thresholds, so that files of a few tens of KiB take the streamed paths (blob file, several chunks). */
export const INLINE_MAX_BYTES = 16 * 1024;
export const CHUNK_BYTES = 16 * 1024;

interface Running {
  child: ChildProcess;
  output: string;
  exited: Promise<void>;
}

/** Starts `cumulus serve` and waits (a bounded number of tries) until it answers ping. */
async function startServe(dataDir: string, databaseUrl: string, port: number): Promise<Running> {
  const child = spawnCumulus(['serve', '--data', dataDir, '--database-url', databaseUrl, '--listen', `127.0.0.1:${port}`]);
  const running: Running = { child, output: '', exited: new Promise((resolve) => child.once('exit', () => resolve())) };
  child.stdout!.on('data', (data: Buffer) => (running.output += data.toString()));
  child.stderr!.on('data', (data: Buffer) => (running.output += data.toString()));
  let exited = false;
  void running.exited.then(() => (exited = true));
  for (let attempt = 0; attempt < 600 && !exited; attempt++) {
    const ping = await fetch(`http://127.0.0.1:${port}/api/v4/site/ping`).catch(() => undefined);
    if (ping?.ok) return running;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`cumulus serve on port ${port} did not come up:\n${running.output}`);
}

async function apiCall<T>(origin: string, method: string, route: string, json: unknown, token?: string): Promise<T> {
  const response = await fetch(`${origin}/api/v4${route}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token && { Authorization: `Bearer ${token}` }) },
    body: JSON.stringify(json),
  });
  const envelope = (await response.json()) as { code: number; msg: string; data: T };
  if (envelope.code !== 0) throw new Error(`${method} ${route}: ${envelope.code} ${envelope.msg}`);
  return envelope.data;
}

/** Starts both processes; the first runs the migrations and creates the administrator before the second starts. */
export async function startTwoServers(
  dialect: SqlDialectName,
  options: { databaseUrl?: string; config?: Record<string, unknown> } = {},
): Promise<TwoServers> {
  const dir = tempDir('cumulus-race-');
  // A given database (a private PostgreSQL cluster) is the caller's to drop.
  const fresh = options.databaseUrl ? { url: options.databaseUrl, drop: async () => undefined } : await freshDatabase(dialect, dir.path);
  writeFileSync(
    path.join(dir.path, 'config.json'),
    JSON.stringify({
      logLevel: 'warn',
      initialAdmin: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
      gc: { onStart: false },
      storage: { inlineMaxBytes: INLINE_MAX_BYTES },
      uploads: { chunkSizeBytes: CHUNK_BYTES },
      database: { poolSize: 5 },
      ...options.config,
    }),
  );
  const ports = { A: await freePort(), B: await freePort() };
  const running: Partial<Record<'A' | 'B', Running>> = {};
  running.A = await startServe(dir.path, fresh.url, ports.A);
  running.B = await startServe(dir.path, fresh.url, ports.B);
  const database = Database.open({ url: fresh.url, poolSize: 2 });

  const processOf = (name: 'A' | 'B'): ServerProcess => ({
    name,
    origin: `http://127.0.0.1:${ports[name]}`,
    output: () => running[name]?.output ?? '',
    alive: () => running[name]?.child.exitCode === null && running[name]?.child.signalCode === null,
    async kill(signal) {
      const current = running[name];
      if (!current) return;
      current.child.kill(signal);
      await current.exited;
      running[name] = undefined;
    },
  });
  const a = processOf('A');
  const b = processOf('B');

  let adminToken: string | undefined;
  let accounts = 0;
  const signIn = async (email: string, password: string) =>
    (await apiCall<{ token: { access_token: string } }>(a.origin, 'POST', '/session/token', { email, password })).token.access_token;

  let shared: Promise<Account> | undefined;
  const servers: TwoServers = {
    dialect,
    dataDir: dir.path,
    databaseUrl: fresh.url,
    a,
    b,
    database,
    async account(options = {}) {
      adminToken ??= await signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
      const n = ++accounts;
      const email = `racer${n}@example.test`;
      let groupId: string | undefined;
      if (options.quota !== undefined) {
        const group = await apiCall<{ id: string }>(
          a.origin,
          'PUT',
          '/admin/group',
          { name: `racers-${n}`, permissions: { webdav: true }, max_storage: options.quota },
          adminToken,
        );
        groupId = group.id;
      }
      await apiCall(a.origin, 'PUT', '/admin/user', { email, password: USER_PASSWORD, ...(groupId && { group_id: groupId }) }, adminToken);
      const token = await signIn(email, USER_PASSWORD);
      const device = await apiCall<{ password: string }>(b.origin, 'PUT', '/devices/dav', { uri: 'cloudreve://my', name: 'racer' }, token);
      return { email, token, davPassword: device.password };
    },
    sharedAccount() {
      shared ??= servers.account();
      return shared;
    },
    async restart(name) {
      await processOf(name).kill('SIGKILL');
      running[name] = await startServe(dir.path, fresh.url, ports[name]);
    },
    async close() {
      await Promise.all([a.kill('SIGTERM'), b.kill('SIGTERM')]);
      await database.close();
      await fresh.drop();
      dir.remove();
    },
  };
  return servers;
}

/** The two servers of a describe block, started in beforeAll and stopped in afterAll. */
export function useTwoServers(dialect: SqlDialectName, config?: Record<string, unknown>): () => TwoServers {
  let started: TwoServers | undefined;
  beforeAll(async () => {
    started = await startTwoServers(dialect, { config });
  });
  afterAll(async () => {
    await started?.close();
  });
  return () => {
    if (!started) throw new Error('The servers start in beforeAll: use them in a test or a hook');
    return started;
  };
}
