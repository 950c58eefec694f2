import { sql, type Kysely } from 'kysely';
import type { SqlDialectName } from '../dialect.js';

/**
 * The durable job queue (DESIGN.md decision 8): one row per job, claimed with a lease so
 * that a job never runs in two processes at once and the job of a dead process is taken up
 * again once its lease expires. A recurring job is one row that goes back to 'queued' after
 * each run, so at most one occurrence of a schedule exists across every node.
 */
export function jobs(dialect: SqlDialectName) {
  const id = dialect === 'postgres' ? 'bigserial' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('jobs')
        .addColumn('id', id, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull().defaultTo('{}'))
        // queued, running, completed, dead, cancelled.
        .addColumn('state', 'text', (c) => c.notNull())
        // Higher first, then the earliest run_at.
        .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('run_at', 'bigint', (c) => c.notNull())
        // Claims so far, including the one running now.
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('max_attempts', 'integer', (c) => c.notNull())
        // A job with a key is queued at most once (see the indexes below).
        .addColumn('dedupe_key', 'text')
        // Set on recurring jobs: the pause between the end of one run and the next.
        .addColumn('interval_ms', 'bigint')
        // The lease: a token of the claim, and when it lapses unless renewed.
        .addColumn('lease_token', 'text')
        .addColumn('lease_expires_at', 'bigint')
        .addColumn('cancel_requested', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('progress', 'double precision')
        .addColumn('progress_message', 'text')
        .addColumn('result', 'text')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('started_at', 'bigint')
        .addColumn('finished_at', 'bigint')
        .execute();
      // What a claim looks for: queued jobs due first, and running ones whose lease lapsed.
      await db.schema.createIndex('jobs_due').on('jobs').columns(['state', 'run_at']).execute();
      await db.schema.createIndex('jobs_kind').on('jobs').columns(['kind', 'state']).execute();
      // A key is queued at most once (a debounced job is postponed instead of queued again);
      // one more may be queued while one with the key runs, since the change came after it started.
      await db.schema
        .createIndex('jobs_dedupe_queued')
        .on('jobs')
        .column('dedupe_key')
        .unique()
        .where(sql.ref('state'), '=', sql.lit('queued'))
        .execute();
      // A schedule is one row for ever.
      await db.schema
        .createIndex('jobs_schedule')
        .on('jobs')
        .column('dedupe_key')
        .unique()
        .where(sql.ref('interval_ms'), 'is not', null)
        .execute();
      await db.schema.createIndex('jobs_dedupe_running').on('jobs').columns(['dedupe_key', 'state']).execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('jobs').execute();
    },
  };
}
