import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { createServer } from 'node:net';
import path from 'node:path';

import type { SqlDialectName } from '../../src/db/index.js';

/**
 * The databases the CLI's command-line tests run on: SQLite. Each command is a thin layer over
 * services whose own tests run on both databases; running every CLI scenario twice spawned a
 * hundred more processes for no new coverage. The CLI tests whose SQL or processes differ per
 * database (doctor's recursive queries, sessions ended across processes, migrate, startup)
 * still run on both, and they open PostgreSQL through the CLI's configuration.
 */
export const CLI_DIALECTS: readonly SqlDialectName[] = ['sqlite'];

const MAIN = path.join(import.meta.dirname, '../../src/cli/main.ts');

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  json<T = unknown>(): T;
}

/** Runs the real CLI (from source, through tsx) as a child process. */
export function cumulus(args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const result = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    json<T>() {
      return JSON.parse(result.stdout) as T;
    },
  };
}

/**
 * Spawns the real CLI. A `serve` runs as one process unless the test asks for workers (with
 * `--workers` or CUMULUS_WORKERS): tests that kill or watch "the server" mean one process.
 */
export function spawnCumulus(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    env: { ...process.env, CUMULUS_WORKERS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Ports for one vitest worker: a block of its own, below the kernel's ephemeral range. */
const PORT_BASE = 20_000;
const PORT_BLOCK = 1000;
// Random within the block: test runs of other worktrees on a shared machine use the same blocks.
let portOffset = Math.floor(Math.random() * PORT_BLOCK);

/**
 * A port nobody listens on now, and that nobody else is given before the caller's server binds
 * it (a port the OS picks with listen(0) and then frees may go to another test file's server, or
 * to an outgoing connection, in the seconds a child process takes to start). Each vitest worker
 * (VITEST_POOL_ID 1..maxWorkers; the global setup 0) hands out ports of its own block, below the
 * ephemeral range the OS picks from; the test files running at once are in different workers.
 */
export async function freePort(): Promise<number> {
  const first = PORT_BASE + Number(process.env.VITEST_POOL_ID ?? 0) * PORT_BLOCK;
  if (first + PORT_BLOCK > ephemeralPortsFrom()) return portPickedByOs();
  for (let tries = 0; tries < PORT_BLOCK; tries++) {
    const port = first + (portOffset++ % PORT_BLOCK);
    if (await listenable(port)) return port;
  }
  throw new Error(`no free port in ${first}..${first + PORT_BLOCK - 1}`);
}

/** The lowest port of the kernel's ephemeral range (Linux; 32768 elsewhere). */
function ephemeralPortsFrom(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  } catch {
    return 32768;
  }
}

function listenable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function portPickedByOs(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface ServedCumulus {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything printed so far (pino JSON lines on stdout, and the first-admin notice). */
  stdout(): string;
  stderr(): string;
  /** Log lines (parsed JSON) printed so far. */
  logs(): Array<Record<string, unknown>>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then the exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface ServeOptions {
  /** --workers; absent, the configured default ('auto'). */
  readonly workers?: number | 'auto';
  /** Further flags after `serve`, e.g. ['--database-url', url]. */
  readonly args?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** How long to wait for /api/v4/site/ping to answer (default 120 s: workers start slowly under tsx). */
  readonly readyTimeoutMs?: number;
  /** The server serves HTTPS (--tls…): `url` is https://localhost:PORT and readiness skips certificate checks. */
  readonly https?: boolean;
  /** Listen on this loopback port instead of a free one (a restart at the same address). */
  readonly port?: number;
}

/**
 * Starts a real `cumulus serve` on a free loopback port (with `--workers N` when asked) and
 * resolves once it answers. Logs at info level, so tests can tell which worker served what.
 */
export async function serveCumulus(dataDir: string, options: ServeOptions = {}): Promise<ServedCumulus> {
  const port = options.port ?? (await freePort());
  const child = spawnCumulus(
    ['serve', '--data', dataDir, '--listen', `127.0.0.1:${port}`, '--workers', String(options.workers ?? 1), ...(options.args ?? [])],
    { CUMULUS_LOG_LEVEL: 'info', ...options.env },
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (data: Buffer) => (stdout += data.toString()));
  child.stderr!.on('data', (data: Buffer) => (stderr += data.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let gone = false;
  void exited.then(() => (gone = true));
  const url = options.https ? `https://localhost:${port}` : `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
  for (;;) {
    const ready = options.https
      ? await httpsAnswers(`${url}/api/v4/site/ping`)
      : (await fetch(`${url}/api/v4/site/ping`).catch(() => undefined))?.ok;
    if (ready) break;
    if (gone || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`cumulus serve did not start:\n${stderr}\n${stdout.slice(-4000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const logs = () =>
    stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    url,
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    logs,
    exited,
    stop: () => {
      if (!gone) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Whether an HTTPS URL answers 200, whatever its certificate (the tests check that themselves). */
function httpsAnswers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    httpsGet(url, { rejectUnauthorized: false }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    }).on('error', () => resolve(false));
  });
}
