import { spawn, type ChildProcessByStdio } from 'node:child_process';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database, type SqlDialectName } from '../../src/db/index.js';
import type { JobQueue } from '../../src/jobs/index.js';
import { DIALECTS } from '../support/databases.js';
import { jobDatabase, until } from './support.js';

const WORKER = path.join(import.meta.dirname, '../support/job-worker.ts');

type Worker = ChildProcessByStdio<null, Readable, Readable> & { lines: string[]; waitFor(pattern: RegExp): Promise<string> };

/** Starts the test worker (a real process, through tsx) on the database. */
function startWorker(url: string, env: Record<string, string>): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, url], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  }) as Worker;
  child.lines = [];
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const line of lines) {
      child.lines.push(line);
      for (const waiter of [...waiters]) if (waiter.pattern.test(line)) waiter.resolve(line);
    }
  });
  child.stderr.on('data', () => undefined);
  child.waitFor = (pattern) => {
    const seen = child.lines.find((line) => pattern.test(line));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      waiters.push({ pattern, resolve });
      child.once('exit', (code) => reject(new Error(`worker exited (${code}) before printing ${pattern}`)));
    });
  };
  return child;
}

async function stopWorker(worker: Worker): Promise<void> {
  if (worker.exitCode !== null || worker.signalCode !== null) return;
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  worker.kill('SIGTERM');
  await exited;
}

describe.each(DIALECTS)('job workers in separate processes on %s', (dialect: SqlDialectName) => {
  let store: Awaited<ReturnType<typeof jobDatabase>>;
  let queue: JobQueue;
  beforeAll(async () => {
    store = await jobDatabase(dialect);
    queue = await store.open(Date.now);
  });
  afterAll(() => store.close());

  it('the job of a worker killed mid-job (SIGKILL) is run by another worker once its lease lapses', async () => {
    const { job } = await queue.enqueue('test.hang', null);
    const doomed = startWorker(store.url, { WORKER_MODE: 'hang', WORKER_LEASE_MS: '1500' });
    try {
      await doomed.waitFor(new RegExp(`^started ${job.id}$`));
      expect(await queue.get(job.id)).toMatchObject({ state: 'running', attempts: 1 });
      const gone = new Promise((resolve) => doomed.once('exit', resolve));
      doomed.kill('SIGKILL');
      await gone;
    } finally {
      doomed.kill('SIGKILL');
    }
    const rescuer = startWorker(store.url, { WORKER_MODE: 'complete' });
    try {
      await until(async () => (await queue.get(job.id)).state === 'completed');
      expect(await queue.get(job.id)).toMatchObject({ state: 'completed', attempts: 2, result: { pid: rescuer.pid } });
    } finally {
      await stopWorker(rescuer);
    }
  });
});

describe('two worker processes on postgres claiming in a loop', () => {
  let store: Awaited<ReturnType<typeof jobDatabase>>;
  let queue: JobQueue;
  let database: Database;
  let workers: Worker[] = [];
  beforeAll(async () => {
    store = await jobDatabase('postgres');
    queue = await store.open(Date.now);
    database = Database.open({ url: store.url });
    await sql`create table job_marks (job_id bigint primary key, running int not null default 0, overlapping int not null default 0, completions int not null default 0)`.execute(
      database.db,
    );
    workers = [0, 1].map(() => startWorker(store.url, { WORKER_CONCURRENCY: '4', WORKER_POLL_MS: '20' }));
    await Promise.all(workers.map((worker) => worker.waitFor(/^ready$/)));
  });
  afterAll(async () => {
    await Promise.all(workers.map(stopWorker));
    await database.close();
    await store.close();
  });

  it('never runs a job twice at once: each of many jobs runs exactly once to completion', { timeout: 300_000 }, async () => {
    const pids = new Set<number>();
    for (let round = 0; round < 5; round++) {
      const ids: number[] = [];
      for (let i = 0; i < 60; i++) {
        const { job } = await queue.enqueue('test.record', { round, i });
        ids.push(job.id);
      }
      // The workers poll; this process's queue cannot wake them.
      await until(async () => (await queue.list({ kind: 'test.record', states: ['queued', 'running'], limit: 1 })).length === 0);
      const marks = await sql<{
        running: number;
        overlapping: number;
        completions: number;
      }>`select running, overlapping, completions from job_marks where job_id in (${sql.join(ids)})`.execute(database.db);
      expect(marks.rows).toHaveLength(ids.length);
      for (const mark of marks.rows) expect(mark).toEqual({ running: 0, overlapping: 0, completions: 1 });
      const jobs = await queue.list({ kind: 'test.record', limit: 500 });
      const ofRound = jobs.filter((job) => ids.includes(job.id));
      expect(ofRound.every((job) => job.state === 'completed' && job.attempts === 1)).toBe(true);
      for (const job of ofRound) pids.add((job.result as { pid: number }).pid);
    }
    // Both processes took part.
    expect(pids).toEqual(new Set(workers.map((worker) => worker.pid)));
  });
});
