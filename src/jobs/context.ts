import type { HeartbeatAnswer, Job, JobQueue, Lease } from './queue.js';

/** What a handler gets besides the job: a signal to stop on, and progress reporting. */
export interface JobContext {
  readonly job: Job;
  /** Aborted when the job is cancelled, its lease is lost or the process shuts down. */
  readonly signal: AbortSignal;
  /**
   * Records progress (a fraction 0..1, or null when unknown, and a message); writes are
   * throttled. Renews the lease, and throws the signal's reason once the job must stop.
   */
  progress(fraction: number | null, message?: string): Promise<void>;
  /** Renews the lease now; throws once the job must stop. */
  heartbeat(): Promise<void>;
}

/** Why a running job was told to stop (the signal's reason). */
export class JobStopped extends Error {
  constructor(readonly why: 'cancel' | 'lost' | 'shutdown') {
    super(why === 'cancel' ? 'The job was cancelled' : why === 'lost' ? 'The lease on the job was lost' : 'The server is shutting down');
    this.name = 'JobStopped';
  }
}

/**
 * One running job's lease keeper: renews the lease (on its own timer and on the handler's
 * progress calls), writes progress at most every `progressMs`, and aborts the signal when
 * the queue answers "cancel" or "lost".
 */
export class RunningJob implements JobContext {
  private readonly controller = new AbortController();
  private pending: { fraction: number | null; message: string | null } | undefined;
  private lastWrite = 0;
  private renewing: Promise<void> | null = null;

  constructor(
    private readonly queue: JobQueue,
    readonly lease: Lease,
    private readonly clock: () => number,
    private readonly progressMs: number,
  ) {
    this.lastWrite = clock();
  }

  get job(): Job {
    return this.lease.job;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Why the job stopped, if it was told to. */
  get stopped(): JobStopped | undefined {
    return this.signal.aborted ? (this.signal.reason as JobStopped) : undefined;
  }

  stop(why: JobStopped['why']): void {
    if (!this.signal.aborted) this.controller.abort(new JobStopped(why));
  }

  async progress(fraction: number | null, message?: string): Promise<void> {
    this.throwIfStopped();
    const clamped = fraction === null || !Number.isFinite(fraction) ? null : Math.min(1, Math.max(0, fraction));
    this.pending = { fraction: clamped, message: message?.slice(0, 500) ?? null };
    if (this.clock() - this.lastWrite >= this.progressMs) await this.renew();
    this.throwIfStopped();
  }

  async heartbeat(): Promise<void> {
    this.throwIfStopped();
    await this.renew();
    this.throwIfStopped();
  }

  /** One renewal at a time; the timer and the handler share it. */
  renew(): Promise<void> {
    this.renewing ??= this.renewNow().finally(() => {
      this.renewing = null;
    });
    return this.renewing;
  }

  private async renewNow(): Promise<void> {
    if (this.signal.aborted) return;
    const progress = this.pending;
    this.pending = undefined;
    this.lastWrite = this.clock();
    const answer: HeartbeatAnswer = await this.queue.heartbeat(this.lease, progress);
    if (answer !== 'ok') this.stop(answer);
  }

  private throwIfStopped(): void {
    if (this.signal.aborted) throw this.signal.reason as JobStopped;
  }
}
