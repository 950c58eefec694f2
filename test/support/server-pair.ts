// Two `cumulus serve` processes sharing one data directory and database, with small HTTP helpers
// for the shared-state tests (revocation, throttles, sessions). The race suites use two-servers.ts.
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { SqlDialectName } from '../../src/db/index.js';
import { freePort, spawnCumulus } from './cli.js';
import { freshDatabase, tempDir } from './databases.js';

export const ADMIN = { email: 'admin@cumulus.local', password: 'admin password for tests' };

export interface ServerProcess {
  readonly origin: string;
  readonly child: ChildProcess;
  stderr(): string;
}

export interface TwoServers {
  readonly nodes: readonly [ServerProcess, ServerProcess];
  readonly dataDir: string;
  readonly databaseUrl: string;
  close(): Promise<void>;
}

export interface Reply {
  readonly status: number;
  readonly text: string;
  readonly headers: http.IncomingHttpHeaders;
  json<T = { code: number; msg: string; data: unknown }>(): T;
}

/** One `cumulus serve` on the shared data directory and database, once it answers ping. */
async function startServer(dataDir: string, databaseUrl: string): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawnCumulus(['serve', '--data', dataDir, '--database-url', databaseUrl, '--listen', `127.0.0.1:${port}`], {
    CUMULUS_LOG_LEVEL: 'warn',
  });
  let stderr = '';
  child.stderr!.on('data', (data: Buffer) => (stderr += data.toString()));
  child.stdout!.resume();
  const origin = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 600; attempt++) {
    const ping = await fetch(`${origin}/api/v4/site/ping`).catch(() => undefined);
    if (ping?.ok) return { origin, child, stderr: () => stderr };
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`cumulus serve did not start: ${stderr}`);
}

/**
 * Two real server processes on one data directory and one database (two "nodes"), with the
 * first administrator's password fixed and `config` merged into DATA/config.json.
 */
export async function startTwoServers(dialect: SqlDialectName, config: Record<string, unknown> = {}): Promise<TwoServers> {
  const dir = tempDir();
  const database = await freshDatabase(dialect, dir.path);
  writeFileSync(path.join(dir.path, 'config.json'), JSON.stringify({ initialAdmin: { password: ADMIN.password }, ...config }));
  const started: ServerProcess[] = [];
  const close = async () => {
    await Promise.all(
      started.map(
        (node) =>
          new Promise<void>((resolve) => {
            if (node.child.exitCode !== null) return resolve();
            node.child.once('exit', () => resolve());
            node.child.kill('SIGTERM');
          }),
      ),
    );
    await database.drop();
    dir.remove();
  };
  try {
    // One after the other: the first creates the administrator.
    started.push(await startServer(dir.path, database.url));
    started.push(await startServer(dir.path, database.url));
  } catch (error) {
    await close();
    throw error;
  }
  return { nodes: [started[0]!, started[1]!], dataDir: dir.path, databaseUrl: database.url, close };
}

const agents = new Map<string, http.Agent>();

/** One HTTP request from a chosen loopback address (Linux accepts any 127/8 source), over a kept-alive connection. */
export function send(
  origin: string,
  request: { method?: string; path: string; headers?: Record<string, string>; body?: string; from?: string },
): Promise<Reply> {
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
