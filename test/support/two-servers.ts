import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { Database, type SqlDialectName } from '../../src/db/index.js';
import { freePort, spawnCumulus } from './cli.js';
import { freshDatabase, tempDir } from './databases.js';

/**
 * Two real `cumulus serve` processes on one database and one data directory (so they share
 * blobs and the token signing key), the way `serve --workers` or two nodes behind a load
 * balancer run. Races fire one half at each process and check the database directly; the
 * shared-state tests (revocation, throttles, sessions) use the HTTP helpers at the end.
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
  /** [a, b], for tests that alternate between the nodes. */
  readonly nodes: readonly [ServerProcess, ServerProcess];
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
/** The first administrator both processes know. */
export const ADMIN = { email: ADMIN_EMAIL, password: ADMIN_PASSWORD };
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

  let shared: Promise<Account> | undefined;
  const servers: TwoServers = {
    dialect,
    dataDir: dir.path,
    databaseUrl: fresh.url,
    a,
    b,
    nodes: [a, b],
    database,
    async account(options = {}) {
      adminToken ??= await signIn(a.origin, ADMIN_EMAIL, ADMIN_PASSWORD);
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
      const token = await signIn(a.origin, email, USER_PASSWORD);
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

// HTTP helpers for tests against the two processes.

/** What `send` answers. */
export interface SentReply {
  readonly status: number;
  readonly text: string;
  readonly headers: http.IncomingHttpHeaders;
  json<T = { code: number; msg: string; data: unknown }>(): T;
}

const agents = new Map<string, http.Agent>();

/** One HTTP request from a chosen loopback address (Linux accepts any 127/8 source), over a kept-alive connection. */
export function send(
  origin: string,
  request: { method?: string; path: string; headers?: Record<string, string>; body?: string; from?: string },
): Promise<SentReply> {
  const from = request.from ?? '127.0.0.1';
  let agent = agents.get(from);
  if (!agent) agents.set(from, (agent = new http.Agent({ keepAlive: true, localAddress: from, maxSockets: 64 })));
  const url = new URL(request.path, origin);
  const headers = { ...request.headers };
  if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method: request.method ?? 'GET', headers, agent },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: response.statusCode ?? 0, text, headers: response.headers, json: () => JSON.parse(text) });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}

/** A Cloudreve API call: JSON in, the envelope out. */
export async function api(
  origin: string,
  method: string,
  apiPath: string,
  options: { json?: unknown; token?: string; from?: string } = {},
): Promise<{ code: number; msg: string; data: unknown }> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  const body = options.json === undefined ? undefined : JSON.stringify(options.json);
  const reply = await send(origin, { method, path: `/api/v4${apiPath}`, headers, body, from: options.from });
  return reply.json();
}

export async function signIn(origin: string, email: string, password: string, from?: string): Promise<string> {
  const reply = await api(origin, 'POST', '/session/token', { json: { email, password }, from });
  if (reply.code !== 0) throw new Error(`sign-in failed: ${reply.code} ${reply.msg}`);
  return (reply.data as { token: { access_token: string } }).token.access_token;
}

export function basic(email: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${email}:${password}`).toString('base64')}` };
}

/** One timed request's outcome: when it started (epoch ms, client side), which node, what it answered. */
export interface Sample {
  readonly startedAt: number;
  readonly node: number;
  readonly status: number;
}

/**
 * Sends `request(node, i)` from `workers` loops, alternating between the nodes, until `stop()`
 * says so; every sample records when it started. The samples fill in as answers come.
 */
export function hammer(
  nodes: readonly ServerProcess[],
  workers: number,
  request: (node: ServerProcess, i: number) => Promise<number>,
  stop: () => boolean,
): { samples: Sample[]; finished: Promise<void> } {
  const samples: Sample[] = [];
  let next = 0;
  const finished = Promise.all(
    Array.from({ length: workers }, async () => {
      while (!stop()) {
        const i = next++;
        const node = i % nodes.length;
        const startedAt = Date.now();
        samples.push({ startedAt, node, status: await request(nodes[node]!, i) });
      }
    }),
  ).then(() => undefined);
  return { samples, finished };
}

/** Waits until `condition()` holds, checking every 50 ms, for at most `ms` (generous: a loaded machine). */
export async function until(condition: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
