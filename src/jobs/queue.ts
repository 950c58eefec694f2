import type { JobRecord, JobState } from '../db/index.js';

export type { JobState };

/** A job as the queue shows it; `payload` and `result` are the JSON values given. */
export type Job = JobRecord;

export interface EnqueueOptions {
  /** Not before this time (epoch ms); now by default. */
  readonly runAt?: number;
  /** Not before this many milliseconds from now (ignored when `runAt` is given). */
  readonly delayMs?: number;
  /**
   * At most one queued job per key. A second enqueue with the key while one is queued
   * keeps the queued one ('keep', the default) or moves its start to the later time and
   * takes the new payload ('postpone', a debounce). One may be queued while one with the
   * key runs, and it waits for that run to end: runs of one key never overlap.
   */
  readonly dedupeKey?: string;
  readonly onDuplicate?: 'keep' | 'postpone';
  /** Claims before the job is dead (default 5). */
  readonly maxAttempts?: number;
  /** Higher runs first (default 0). */
  readonly priority?: number;
}

export interface ScheduleOptions {
  /** Pause between the end of one run and the start of the next. */
  readonly everyMs: number;
  readonly payload?: unknown;
  /** The first run this many milliseconds from the queue's now; 0 by default (a schedule already stored keeps its next run). */
  readonly firstRunDelayMs?: number;
  /** Run it now (at start-up) unless it ran within this many milliseconds (other processes starting too). */
  readonly runNowUnlessRanWithinMs?: number;
  /** Tries per occurrence before waiting for the next one (default 3). */
  readonly maxAttempts?: number;
  readonly priority?: number;
}

/** A claim: the job and the token that proves this worker holds it. */
export interface Lease {
  readonly job: Job;
  readonly token: string;
  readonly leaseMs: number;
}

/** What a heartbeat learnt: carry on, stop because an administrator cancelled, or stop because another worker has the job. */
export type HeartbeatAnswer = 'ok' | 'cancel' | 'lost';

export type Outcome =
  | { readonly type: 'completed'; readonly result?: unknown }
  /** `permanent`: no retry, the job is dead at once. */
  | { readonly type: 'failed'; readonly error: string; readonly permanent?: boolean }
  | { readonly type: 'cancelled' }
  /** Given back unfinished (shutdown): queued again without counting the attempt. */
  | { readonly type: 'released' };

export interface JobFilter {
  readonly states?: readonly JobState[];
  readonly kind?: string;
  readonly beforeId?: number;
  readonly limit?: number;
}

/**
 * The durable job queue (DESIGN.md: jobs/). Producers enqueue and schedule; workers claim
 * with a lease, renew it while they run, and settle the job; administrators list, cancel
 * and retry. A job never runs in two places at once: every change a worker makes names its
 * lease, and a lease lapses only when its worker stops renewing it.
 */
export interface JobQueue {
  enqueue(kind: string, payload: unknown, options?: EnqueueOptions): Promise<{ job: Job; created: boolean }>;
  /** A recurring job under `key` (one row for ever, one run at a time across every process). */
  schedule(kind: string, key: string, options: ScheduleOptions): Promise<Job>;
  /** The next due job of these kinds, leased to the caller for `leaseMs`; null when none is due. */
  claim(kinds: readonly string[], leaseMs: number): Promise<Lease | null>;
  /** Renews the lease, recording progress (a fraction 0..1 and a message) when given. */
  heartbeat(lease: Lease, progress?: { fraction: number | null; message: string | null }): Promise<HeartbeatAnswer>;
  /** Settles a claim; null when the lease was lost (the job is another worker's now). */
  finish(lease: Lease, outcome: Outcome): Promise<Job | null>;
  get(id: number): Promise<Job>;
  list(filter?: JobFilter): Promise<Job[]>;
  /** A queued job ends at once; a running one is asked to stop (it sees it at its next heartbeat). */
  cancel(id: number): Promise<Job>;
  /** Queues a finished (completed, dead or cancelled) job again from its first attempt. */
  retry(id: number): Promise<Job>;
  /** Called after this process enqueued a job (so that a local runner wakes at once). */
  onEnqueue(listener: (job: Job) => void): () => void;
  /** Removes one-off jobs finished before `cutoff`; returns how many. */
  purge(cutoff: number): Promise<number>;
}
