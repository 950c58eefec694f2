/**
 * A test-only worker process: a JobRunner against the database at argv[2], with handlers for
 * the kinds the process tests use. It prints "ready" once running and "started <id>" when a
 * job starts, and stops gracefully on SIGTERM.
 *   test.hang    WORKER_MODE=hang: never ends (until killed); otherwise completes at once
 *   test.record  records its run in job_marks (running count, completions), to check that
 *                no job runs twice at once and each completes once
 */
import { sql } from 'kysely';
import { Database, JobRepository } from '../../src/db/index.js';
import { DatabaseJobQueue, JobRunner } from '../../src/jobs/index.js';

const url = process.argv[2]!;
const database = Database.open({ url, poolSize: 4 });
await database.migrate();
const queue = new DatabaseJobQueue(database, new JobRepository(), {
  clock: Date.now,
  newToken: () => crypto.randomUUID(),
  backoff: { baseMs: 100, maxMs: 1000, random: Math.random },
});
const runner = new JobRunner(queue, {
  concurrency: Number(process.env.WORKER_CONCURRENCY ?? 2),
  pollMs: Number(process.env.WORKER_POLL_MS ?? 50),
  leaseMs: Number(process.env.WORKER_LEASE_MS ?? 30_000),
  clock: Date.now,
  log: { warn: (error, message) => process.stderr.write(`${message}: ${String(error)}\n`) },
});

runner.register('test.hang', async (job) => {
  process.stdout.write(`started ${job.id}\n`);
  if (process.env.WORKER_MODE === 'hang') await new Promise(() => undefined);
  return { pid: process.pid };
});

runner.register('test.record', async (job, context) => {
  const db = database.db;
  const begin = await sql<{
    running: number;
  }>`insert into job_marks (job_id, running) values (${job.id}, 1) on conflict (job_id) do update set running = job_marks.running + 1 returning running`.execute(
    db,
  );
  if (Number(begin.rows[0]?.running) > 1)
    await sql`update job_marks set overlapping = overlapping + 1 where job_id = ${job.id}`.execute(db);
  await context.progress(0.5, 'half way');
  await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
  await sql`update job_marks set running = running - 1, completions = completions + 1 where job_id = ${job.id}`.execute(db);
  return { pid: process.pid };
});

runner.start();
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void runner
    .stop(5000)
    .then(() => database.close())
    .then(() => process.exit(0));
});
