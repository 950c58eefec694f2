import { ConflictError, InvalidArgumentError, NotFoundError } from '../core/index.js';
import { isUniqueViolation, type Database, type JobRepository, type JobSettlement } from '../db/index.js';
import { retryDelay, type BackoffOptions } from './backoff.js';
import type { EnqueueOptions, HeartbeatAnswer, Job, JobFilter, JobQueue, Lease, Outcome, ScheduleOptions } from './queue.js';

export interface DatabaseJobQueueOptions {
  readonly clock: () => number;
  /** Lease tokens. */
  readonly newToken: () => string;
  readonly backoff: BackoffOptions;
}

const DEFAULT_MAX_ATTEMPTS = 5;
const DEFAULT_SCHEDULE_ATTEMPTS = 3;
const MAX_LIST = 500;

/** The JobQueue in the database (SQLite or PostgreSQL), shared by every process on it. */
export class DatabaseJobQueue implements JobQueue {
  private readonly listeners = new Set<(job: Job) => void>();

  constructor(
    private readonly database: Database,
    private readonly jobs: JobRepository,
    private readonly options: DatabaseJobQueueOptions,
  ) {}

  async enqueue(kind: string, payload: unknown, options: EnqueueOptions = {}): Promise<{ job: Job; created: boolean }> {
    const now = this.options.clock();
    const runAt = options.runAt ?? now + (options.delayMs ?? 0);
    const dedupeKey = options.dedupeKey ?? null;
    const fields = {
      kind,
      payload,
      runAt,
      now,
      dedupeKey,
      priority: options.priority ?? 0,
      maxAttempts: attemptsOf(options.maxAttempts, DEFAULT_MAX_ATTEMPTS),
    };
    // The queued job with the key may be claimed between the insert and the look-up; then try again.
    for (let round = 0; round < 5; round++) {
      const outcome = await this.database.transaction(async (tx) => {
        const created = await this.jobs.insert(tx, fields);
        if (created || dedupeKey === null) return created ? { job: created, created: true } : null;
        const queued =
          options.onDuplicate === 'postpone'
            ? await this.jobs.postponeQueued(tx, dedupeKey, runAt, payload, now)
            : await this.jobs.queuedByKey(tx, dedupeKey);
        return queued ? { job: queued, created: false } : null;
      });
      if (outcome) {
        this.notify(outcome.job);
        return outcome;
      }
    }
    throw new ConflictError(`Could not queue a ${kind} job under key ${dedupeKey}: its queued job kept changing`);
  }

  async schedule(kind: string, key: string, options: ScheduleOptions): Promise<Job> {
    if (!Number.isSafeInteger(options.everyMs) || options.everyMs < 1)
      throw new InvalidArgumentError('A schedule needs an interval of 1 ms or more');
    const now = this.options.clock();
    const job = await this.upsertScheduleRetried(() =>
      this.database.transaction((tx) =>
        this.jobs.upsertSchedule(tx, {
          kind,
          payload: options.payload ?? null,
          // One clock reading: the stored run time is exactly the asked delay from the stored creation time.
          runAt: now + (options.firstRunDelayMs ?? 0),
          now,
          dedupeKey: key,
          intervalMs: options.everyMs,
          priority: options.priority ?? 0,
          maxAttempts: attemptsOf(options.maxAttempts, DEFAULT_SCHEDULE_ATTEMPTS),
          runNowUnlessRanSince: options.runNowUnlessRanWithinMs === undefined ? undefined : now - options.runNowUnlessRanWithinMs,
        }),
      ),
    );
    this.notify(job);
    return job;
  }

  /**
   * PostgreSQL resolves ON CONFLICT on the schedule's index only: a process inserting the same
   * new schedule at the same moment can trip the other unique index (one queued row per key)
   * instead. The row is committed by then, so trying again updates it.
   */
  private async upsertScheduleRetried(upsert: () => Promise<Job>): Promise<Job> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await upsert();
      } catch (error) {
        if (!isUniqueViolation(error) || attempt >= 3) throw error;
      }
    }
  }

  async claim(kinds: readonly string[], leaseMs: number): Promise<Lease | null> {
    // Bounded: each round either returns or ends a job that may not run (cancelled, or out of attempts).
    for (let round = 0; round < 100; round++) {
      const token = this.options.newToken();
      const now = this.options.clock();
      const job = await this.database.transaction((tx) => this.jobs.claim(tx, this.database.dialect, { kinds, now, leaseMs, token }));
      if (!job) return null;
      const lease = { job, token, leaseMs };
      if (job.cancelRequested) await this.finish(lease, { type: 'cancelled' });
      else if (job.attempts > job.maxAttempts) {
        // Only a lapsed lease gets here: the worker died (or hung) in each of its attempts.
        await this.finish(lease, {
          type: 'failed',
          error: `The worker running it stopped ${job.maxAttempts} times (lease lapsed)`,
          permanent: true,
        });
      } else return lease;
    }
    return null;
  }

  async heartbeat(lease: Lease, progress?: { fraction: number | null; message: string | null }): Promise<HeartbeatAnswer> {
    const now = this.options.clock();
    const answer = await this.database.transaction((tx) =>
      this.jobs.renew(tx, { id: lease.job.id, token: lease.token, now, leaseMs: lease.leaseMs }, progress),
    );
    return answer === null ? 'lost' : answer.cancelRequested ? 'cancel' : 'ok';
  }

  async finish(lease: Lease, outcome: Outcome): Promise<Job | null> {
    const now = this.options.clock();
    const changes = this.settlement(lease.job, outcome, now);
    const where = { id: lease.job.id, token: lease.token, now };
    try {
      return await this.database.transaction((tx) => this.jobs.settle(tx, where, changes));
    } catch (error) {
      if (!isUniqueViolation(error) || changes.state !== 'queued') throw error;
      // Queued again while a newer job with its key waits: that one does the work.
      const note = `${changes.last_error ?? 'given back'}; a newer job with the same key is queued`;
      return this.database.transaction((tx) =>
        this.jobs.settle(tx, where, { state: 'cancelled', finished_at: now, last_error: note, run_at: changes.run_at }),
      );
    }
  }

  /** The row changes that settle `job` with `outcome`. */
  private settlement(job: Job, outcome: Outcome, now: number): JobSettlement {
    const recurring = job.intervalMs !== null;
    switch (outcome.type) {
      case 'completed':
        if (recurring)
          return {
            state: 'queued',
            attempts: 0,
            run_at: now + job.intervalMs!,
            result: json(outcome.result),
            last_error: null,
            finished_at: now,
            progress: 1,
          };
        return { state: 'completed', result: json(outcome.result), finished_at: now, progress: 1 };
      case 'failed': {
        const error = outcome.error.slice(0, 4000);
        if (!outcome.permanent && job.attempts < job.maxAttempts) {
          const delay = retryDelay(job.attempts, this.options.backoff);
          return { state: 'queued', run_at: now + (recurring ? Math.min(delay, job.intervalMs!) : delay), last_error: error };
        }
        // A schedule is never dead: it gives up on this occurrence and waits for the next.
        if (recurring) return { state: 'queued', attempts: 0, run_at: now + job.intervalMs!, last_error: error, finished_at: now };
        return { state: 'dead', last_error: error, finished_at: now };
      }
      case 'cancelled':
        return { state: 'cancelled', finished_at: now };
      case 'released':
        return { state: 'queued', attempts: job.attempts - 1, run_at: now };
    }
  }

  async get(id: number): Promise<Job> {
    const job = await this.database.read((db) => this.jobs.byId(db, id));
    if (!job) throw new NotFoundError(`No job ${id}`);
    return job;
  }

  list(filter: JobFilter = {}): Promise<Job[]> {
    const limit = Math.min(Math.max(1, filter.limit ?? 50), MAX_LIST);
    return this.database.read((db) => this.jobs.list(db, { states: filter.states, kind: filter.kind, beforeId: filter.beforeId, limit }));
  }

  async cancel(id: number): Promise<Job> {
    const job = await this.database.transaction((tx) => this.jobs.cancel(tx, id, this.options.clock()));
    if (!job) throw new NotFoundError(`No job ${id}`);
    return job;
  }

  async retry(id: number): Promise<Job> {
    let job: Job | null;
    try {
      job = await this.database.transaction((tx) => this.jobs.requeue(tx, id, this.options.clock()));
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError(`Job ${id} cannot be queued again: another job with its key is queued`);
      throw error;
    }
    if (!job) {
      const current = await this.get(id);
      throw new ConflictError(`Job ${id} is ${current.state}; only a completed, dead or cancelled job can be retried`);
    }
    this.notify(job);
    return job;
  }

  onEnqueue(listener: (job: Job) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  purge(cutoff: number): Promise<number> {
    return this.database.transaction((tx) => this.jobs.deleteFinishedBefore(tx, cutoff));
  }

  private notify(job: Job): void {
    for (const listener of this.listeners) listener(job);
  }
}

function attemptsOf(value: number | undefined, fallback: number): number {
  const attempts = value ?? fallback;
  if (!Number.isSafeInteger(attempts) || attempts < 1) throw new InvalidArgumentError('maxAttempts must be a whole number, 1 or more');
  return attempts;
}

function json(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}
