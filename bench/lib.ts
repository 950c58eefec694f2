/**
 * Shared helpers for the benchmarks in bench/: what a benchmark module looks like, temporary
 * directories and databases that are always cleaned up, a real App with one user, timing,
 * statistics and table printing. Each `*.bench.ts` file default-exports a {@link Benchmark};
 * bench/run.ts finds and runs them.
 */
import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import pg from 'pg';
import { pino } from 'pino';
import { createApp, type App } from '../src/app.js';
import { configSchema, type ConfigInput } from '../src/config/index.js';
import type { Principal, User } from '../src/core/index.js';

export type DatabaseKind = 'sqlite' | 'postgres';

/** A database engine to run a benchmark on; PostgreSQL gets a fresh database per use. */
export interface DatabaseTarget {
  readonly kind: DatabaseKind;
  readonly label: string;
  /** PostgreSQL: a URL of a server on which the benchmark may create and drop databases. */
  readonly adminUrl?: string;
}

export interface BenchOptions {
  /** Scaled-down sizes for a fast smoke run. */
  readonly quick: boolean;
  /** SQLite always; PostgreSQL when a server was given or started. */
  readonly databases: readonly DatabaseTarget[];
}

export interface Benchmark {
  readonly name: string;
  readonly description: string;
  run(options: BenchOptions): Promise<void>;
}

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

/** Progress goes to stderr so that stdout holds only the result tables. */
export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

// ---------------------------------------------------------------------------------------
// Cleanup: everything a benchmark creates is registered here and removed at the end, also
// when it fails or is interrupted.

const syncCleanups = new Map<number, () => void>();
let nextCleanup = 0;

/** Registers a synchronous cleanup (run on normal exit, failure and Ctrl-C); returns an unregister function. */
export function onCleanup(cleanup: () => void): () => void {
  const key = nextCleanup++;
  syncCleanups.set(key, cleanup);
  return () => {
    syncCleanups.delete(key);
  };
}

/** Runs and forgets every pending cleanup, latest first. */
export function runCleanups(): void {
  const pending = [...syncCleanups.entries()].reverse();
  syncCleanups.clear();
  for (const [, cleanup] of pending) {
    try {
      cleanup();
    } catch (error) {
      progress(`cleanup failed: ${(error as Error).message}`);
    }
  }
}

export interface TempDir {
  readonly path: string;
  remove(): void;
}

/** A fresh directory under the system's temporary directory (TMPDIR), removed by remove() or at exit. */
export function tempDir(prefix: string): TempDir {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  const unregister = onCleanup(remove);
  return {
    path: dir,
    remove() {
      unregister();
      remove();
    },
  };
}

/** The file system a directory lives on, by name when it is a common one (statfs magic numbers). */
export function fileSystemOf(dir: string): string {
  const names: Record<number, string> = {
    0xef53: 'ext4',
    0x58465342: 'xfs',
    0x9123683e: 'btrfs',
    0x01021994: 'tmpfs',
    0x794c7630: 'overlayfs',
    0x2fc12fc1: 'zfs',
    0x6969: 'nfs',
    0x65735546: 'fuse',
    0xf2f52010: 'f2fs',
  };
  try {
    const type = statfsSync(dir).type;
    return names[type] ?? `fs type 0x${type.toString(16)}`;
  } catch {
    return 'unknown fs';
  }
}

// ---------------------------------------------------------------------------------------
// Databases and the App.

/** A fresh database: SQLite in `dataDir`, or a new database on the PostgreSQL server. */
export async function freshDatabase(target: DatabaseTarget, dataDir: string): Promise<{ url: string; drop: () => Promise<void> }> {
  if (target.kind === 'sqlite') return { url: `sqlite:${path.join(dataDir, 'cumulus.db')}`, drop: async () => undefined };
  if (!target.adminUrl) throw new Error('A PostgreSQL target needs a server URL');
  const adminUrl = target.adminUrl;
  const name = `cumulus_bench_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await withClient(adminUrl, (client) => client.query(`create database ${name}`)).catch((error: unknown) => {
    throw new Error(`Could not create a benchmark database on ${redact(adminUrl)}: ${(error as Error).message}`, { cause: error });
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withClient(adminUrl, (client) => client.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(invalid URL)';
  }
}

export interface BenchApp {
  readonly app: App;
  readonly user: User;
  readonly principal: Principal;
  /** The App's data directory (the database for SQLite, and the local blob store). */
  readonly dataDir: string;
  close(): Promise<void>;
}

/** A real App on a fresh database and data directory, with one ordinary user. */
export async function openBenchApp(target: DatabaseTarget, more: ConfigInput = {}): Promise<BenchApp> {
  const dir = tempDir(`cumulus-bench-${target.kind}-`);
  let database: { url: string; drop: () => Promise<void> } | undefined;
  let app: App | undefined;
  try {
    database = await freshDatabase(target, dir.path);
    const config = configSchema.parse({ ...more, dataDir: dir.path, logLevel: 'silent', databaseUrl: database.url });
    app = await createApp(config, { logger: pino({ level: 'silent' }) });
    const user = await app.users.create({ email: 'bench@example.test', password: 'correct horse battery staple' });
    const principal = await app.users.principalFor(user);
    const opened = app;
    const db = database;
    return {
      app: opened,
      user,
      principal,
      dataDir: dir.path,
      async close() {
        try {
          await opened.close();
          await db.drop();
        } finally {
          dir.remove();
        }
      },
    };
  } catch (error) {
    await app?.close().catch(() => undefined);
    await database?.drop().catch(() => undefined);
    dir.remove();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------
// Timing and statistics.

/** Milliseconds taken by one call. */
export async function timeIt(work: () => unknown): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

/** Runs `work` `warmup` times untimed, then `runs` times timed; returns the samples in ms. */
export async function sample(runs: number, work: (i: number) => unknown, warmup = 0): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await work(-1 - i);
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await work(i);
    samples.push(performance.now() - start);
  }
  return samples;
}

export function median(samples: readonly number[]): number {
  if (samples.length === 0) throw new Error('median of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A readable stream of `total` bytes made of one repeated chunk, so no file is ever held in memory. */
export function repeatedStream(total: number, chunk: Buffer): Readable {
  function* chunks(): Generator<Buffer> {
    for (let left = total; left > 0; left -= chunk.length) yield left >= chunk.length ? chunk : chunk.subarray(0, left);
  }
  return Readable.from(chunks(), { objectMode: false });
}

// ---------------------------------------------------------------------------------------
// Formatting.

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms < 1) return `${(ms * 1000).toFixed(ms < 0.01 ? 2 : 1)} µs`;
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return 'n/a';
  if (ratio >= 100) return `${Math.round(ratio).toLocaleString('en-US')}×`;
  if (ratio >= 0.01) return `${ratio.toFixed(2)}×`;
  return `${ratio.toExponential(1)}×`;
}

export function formatBytes(bytes: number): string {
  if (bytes >= GiB && bytes % GiB === 0) return `${bytes / GiB} GiB`;
  if (bytes >= MiB && bytes % MiB === 0) return `${bytes / MiB} MiB`;
  if (bytes >= KiB && bytes % KiB === 0) return `${bytes / KiB} KiB`;
  return `${bytes} B`;
}

export function formatThroughput(bytes: number, ms: number): string {
  return `${((bytes / MiB) * (1000 / ms)).toFixed(0)} MiB/s`;
}

export const count = (n: number): string => n.toLocaleString('en-US');

/** Prints an aligned table to stdout; the first column is left-aligned, the others right-aligned. */
export function printTable(
  title: string,
  header: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
  notes: readonly string[] = [],
): void {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out: string[] = ['', title, line(header), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const row of rows) out.push(line(row));
  for (const note of notes) out.push(`  ${note}`);
  process.stdout.write(out.join('\n') + '\n');
}
