import { sql, type Selectable, type Updateable } from 'kysely';
import type { Tx } from '../database.js';
import type { SqlDialectName } from '../dialect.js';
import type { JobsTable } from '../schema.js';

export type JobState = 'queued' | 'running' | 'completed' | 'dead' | 'cancelled';

export interface JobRecord {
  readonly id: number;
  readonly kind: string;
  readonly payload: unknown;
  readonly state: JobState;
  readonly priority: number;
  readonly runAt: number;
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly dedupeKey: string | null;
  readonly intervalMs: number | null;
  readonly leaseExpiresAt: number | null;
  readonly cancelRequested: boolean;
  readonly progress: number | null;
  readonly progressMessage: string | null;
  readonly result: unknown;
  readonly lastError: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
}

export interface NewJob {
  readonly kind: string;
  readonly payload: unknown;
  readonly runAt: number;
  readonly priority: number;
  readonly maxAttempts: number;
  readonly dedupeKey: string | null;
  readonly now: number;
}

export interface JobListQuery {
  readonly states?: readonly JobState[];
  readonly kind?: string;
  /** Jobs with a smaller id only (the next page). */
  readonly beforeId?: number;
  readonly limit: number;
}

/** The columns a claim holder may change when it settles its job. */
export type JobSettlement = Pick<
  Updateable<JobsTable>,
  'state' | 'run_at' | 'attempts' | 'result' | 'last_error' | 'finished_at' | 'progress' | 'progress_message'
>;

const ACTIVE: readonly JobState[] = ['queued', 'running'];

/**
 * The job queue's rows (see the 20261207T0200_jobs migration). Every change a worker makes
 * to a running job names its lease token, so a worker whose lease lapsed and was taken over
 * changes nothing any more.
 */
export class JobRepository {
  /** A new queued job, or null when one with the same key is queued already. */
  async insert(tx: Tx, job: NewJob): Promise<JobRecord | null> {
    const row = await tx
      .insertInto('jobs')
      .values({ ...newRow(job), state: 'queued' })
      .onConflict((c) => c.column('dedupe_key').where(sql.ref('state'), '=', sql.lit('queued')).doNothing())
      .returningAll()
      .executeTakeFirst();
    return row ? toJob(row) : null;
  }

  /** The queued job with this key, its start moved to `runAt` when that is later (a debounce). */
  async postponeQueued(tx: Tx, dedupeKey: string, runAt: number, payload: unknown, now: number): Promise<JobRecord | null> {
    const row = await tx
      .updateTable('jobs')
      .set({
        run_at: sql<number>`case when run_at < ${runAt} then ${runAt} else run_at end`,
        payload: JSON.stringify(payload ?? null),
        updated_at: now,
      })
      .where('dedupe_key', '=', dedupeKey)
      .where('state', '=', 'queued')
      .returningAll()
      .executeTakeFirst();
    return row ? toJob(row) : null;
  }

  async queuedByKey(tx: Tx, dedupeKey: string): Promise<JobRecord | null> {
    const row = await tx
      .selectFrom('jobs')
      .selectAll()
      .where('dedupe_key', '=', dedupeKey)
      .where('state', '=', 'queued')
      .executeTakeFirst();
    return row ? toJob(row) : null;
  }

  /**
   * The one row of a recurring job under this key, created queued at `job.runAt` the first
   * time; later calls update its interval, payload and attempts, and leave its state alone.
   */
  async upsertSchedule(tx: Tx, job: NewJob & { dedupeKey: string; intervalMs: number; runNowUnlessRanSince?: number }): Promise<JobRecord> {
    const ranSince = job.runNowUnlessRanSince;
    // Brought forward to now when asked (a run at start-up), unless it ran recently (several processes start at once).
    const runAt =
      ranSince === undefined
        ? sql<number>`jobs.run_at`
        : sql<number>`case when jobs.state = 'queued' and jobs.run_at > ${job.now} and (jobs.finished_at is null or jobs.finished_at < ${ranSince}) then ${job.now} else jobs.run_at end`;
    const row = await tx
      .insertInto('jobs')
      .values({ ...newRow(job), state: 'queued', interval_ms: job.intervalMs })
      .onConflict((c) =>
        c
          .column('dedupe_key')
          .where(sql.ref('interval_ms'), 'is not', null)
          .doUpdateSet({
            kind: job.kind,
            interval_ms: job.intervalMs,
            payload: JSON.stringify(job.payload ?? null),
            max_attempts: job.maxAttempts,
            priority: job.priority,
            run_at: runAt,
            updated_at: job.now,
          }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return toJob(row);
  }

  /**
   * Takes the next due job of these kinds: a queued one whose time has come, or a running one
   * whose lease lapsed (its worker died). One statement, so that two workers never take the
   * same row: PostgreSQL skips rows another claim has locked (FOR UPDATE SKIP LOCKED); SQLite
   * runs the statement under its single writer lock. A job whose key has a run in progress
   * waits for it, so two runs for one key never overlap.
   */
  async claim(
    tx: Tx,
    dialect: SqlDialectName,
    claim: { kinds: readonly string[]; now: number; leaseMs: number; token: string },
  ): Promise<JobRecord | null> {
    if (claim.kinds.length === 0) return null;
    const { now } = claim;
    let next = tx
      .selectFrom('jobs as j')
      .select('j.id')
      .where('j.kind', 'in', claim.kinds)
      .where((eb) =>
        eb.or([
          eb.and([eb('j.state', '=', 'queued'), eb('j.run_at', '<=', now)]),
          eb.and([eb('j.state', '=', 'running'), eb('j.lease_expires_at', '<', now)]),
        ]),
      )
      .where((eb) =>
        eb.or([
          eb('j.dedupe_key', 'is', null),
          eb('j.state', '=', 'running'),
          eb.not(
            eb.exists(
              eb.selectFrom('jobs as r').select('r.id').whereRef('r.dedupe_key', '=', 'j.dedupe_key').where('r.state', '=', 'running'),
            ),
          ),
        ]),
      )
      .orderBy('j.priority', 'desc')
      .orderBy('j.run_at')
      .orderBy('j.id')
      .limit(1);
    if (dialect === 'postgres') next = next.forUpdate().skipLocked();
    const row = await tx
      .updateTable('jobs')
      .set((eb) => ({
        state: 'running',
        attempts: eb('attempts', '+', 1),
        lease_token: claim.token,
        lease_expires_at: now + claim.leaseMs,
        started_at: now,
        updated_at: now,
        progress: null,
        progress_message: null,
      }))
      .where('id', '=', next)
      .returningAll()
      .executeTakeFirst();
    return row ? toJob(row) : null;
  }

  /**
   * Extends the lease of a running job (and records progress when given). Null when the
   * lease is no longer this token's: it lapsed and another worker took the job, or it was settled.
   */
  async renew(
    tx: Tx,
    lease: { id: number; token: string; now: number; leaseMs: number },
    progress?: { fraction: number | null; message: string | null },
  ): Promise<{ cancelRequested: boolean } | null> {
    const row = await tx
      .updateTable('jobs')
      .set({
        lease_expires_at: lease.now + lease.leaseMs,
        updated_at: lease.now,
        ...(progress && { progress: progress.fraction, progress_message: progress.message }),
      })
      .where('id', '=', lease.id)
      .where('lease_token', '=', lease.token)
      .where('state', '=', 'running')
      .returning('cancel_requested')
      .executeTakeFirst();
    return row ? { cancelRequested: row.cancel_requested === 1 } : null;
  }

  /** Ends a claim with these changes; null when the lease is no longer this token's. */
  async settle(tx: Tx, lease: { id: number; token: string; now: number }, changes: JobSettlement): Promise<JobRecord | null> {
    const row = await tx
      .updateTable('jobs')
      .set({ ...changes, lease_token: null, lease_expires_at: null, cancel_requested: 0, updated_at: lease.now })
      .where('id', '=', lease.id)
      .where('lease_token', '=', lease.token)
      .where('state', '=', 'running')
      .returningAll()
      .executeTakeFirst();
    return row ? toJob(row) : null;
  }

  /**
   * Cancels a job: a queued one (or a running one whose worker is gone) at once; a running one
   * is asked to stop, which its worker sees at its next heartbeat. Null for an unknown id.
   */
  async cancel(tx: Tx, id: number, now: number): Promise<JobRecord | null> {
    const ended = await tx
      .updateTable('jobs')
      .set({ state: 'cancelled', finished_at: now, updated_at: now, lease_token: null, lease_expires_at: null, cancel_requested: 0 })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('state', '=', 'queued'), eb.and([eb('state', '=', 'running'), eb('lease_expires_at', '<', now)])]))
      .returningAll()
      .executeTakeFirst();
    if (ended) return toJob(ended);
    const asked = await tx
      .updateTable('jobs')
      .set({ cancel_requested: 1, updated_at: now })
      .where('id', '=', id)
      .where('state', '=', 'running')
      .returningAll()
      .executeTakeFirst();
    return asked ? toJob(asked) : this.byId(tx, id);
  }

  /** Queues a finished job again from its first attempt; null when it is not finished (or unknown). */
  async requeue(tx: Tx, id: number, now: number): Promise<JobRecord | null> {
    const row = await tx
      .updateTable('jobs')
      .set({
        state: 'queued',
        attempts: 0,
        run_at: now,
        updated_at: now,
        finished_at: null,
        cancel_requested: 0,
        progress: null,
        progress_message: null,
      })
      .where('id', '=', id)
      .where('state', 'not in', ACTIVE)
      .returningAll()
      .executeTakeFirst();
    return row ? toJob(row) : null;
  }

  async byId(tx: Tx, id: number): Promise<JobRecord | null> {
    const row = await tx.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toJob(row) : null;
  }

  /** Newest first. */
  async list(tx: Tx, query: JobListQuery): Promise<JobRecord[]> {
    let select = tx.selectFrom('jobs').selectAll().orderBy('id', 'desc').limit(query.limit);
    if (query.states && query.states.length > 0) select = select.where('state', 'in', query.states);
    if (query.kind !== undefined) select = select.where('kind', '=', query.kind);
    if (query.beforeId !== undefined) select = select.where('id', '<', query.beforeId);
    return (await select.execute()).map(toJob);
  }

  /** Removes finished one-off jobs that ended before `cutoff`; returns how many. */
  async deleteFinishedBefore(tx: Tx, cutoff: number): Promise<number> {
    const result = await tx
      .deleteFrom('jobs')
      .where('state', 'in', ['completed', 'dead', 'cancelled'])
      .where('interval_ms', 'is', null)
      .where('finished_at', '<', cutoff)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function newRow(job: NewJob) {
  return {
    kind: job.kind,
    payload: JSON.stringify(job.payload ?? null),
    priority: job.priority,
    run_at: job.runAt,
    attempts: 0,
    max_attempts: job.maxAttempts,
    dedupe_key: job.dedupeKey,
    cancel_requested: 0,
    created_at: job.now,
    updated_at: job.now,
  };
}

function toJob(row: Selectable<JobsTable>): JobRecord {
  return {
    id: Number(row.id),
    kind: row.kind,
    payload: JSON.parse(row.payload) as unknown,
    state: row.state as JobState,
    priority: Number(row.priority),
    runAt: Number(row.run_at),
    attempts: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    dedupeKey: row.dedupe_key,
    intervalMs: row.interval_ms === null ? null : Number(row.interval_ms),
    leaseExpiresAt: row.lease_expires_at === null ? null : Number(row.lease_expires_at),
    cancelRequested: Number(row.cancel_requested) === 1,
    progress: row.progress === null ? null : Number(row.progress),
    progressMessage: row.progress_message,
    result: row.result === null ? null : (JSON.parse(row.result) as unknown),
    lastError: row.last_error,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    startedAt: row.started_at === null ? null : Number(row.started_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
  };
}
