import { RunningJob, type JobContext } from './context.js';
import type { Job, JobQueue, Outcome } from './queue.js';

export type JobHandler = (job: Job, context: JobContext) => Promise<unknown>;

/** A handler's failure that no retry can fix (bad payload, missing target): the job is dead at once. */
export class PermanentJobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentJobError';
  }
}

export interface JobRunnerOptions {
  /** Jobs run at once in this process. */
  readonly concurrency: number;
  /** Look for due jobs this often (a job enqueued by this process wakes the runner at once). */
  readonly pollMs: number;
  /** How long a claim lasts unless renewed; a dead process's jobs are taken up after this. */
  readonly leaseMs: number;
  /** Renew leases this often (a third of the lease by default). */
  readonly heartbeatMs?: number;
  /** Write progress at most this often (default 1 s). */
  readonly progressMs?: number;
  readonly clock: () => number;
  readonly log: {
    warn(error: unknown, message: string): void;
    info?(details: Record<string, unknown>, message: string): void;
  };
}

/**
 * The worker loop of one process: claims due jobs of the kinds it has handlers for, up to
 * `concurrency` at once, runs them while renewing their leases, and settles them. Several
 * processes (and nodes) run one each on the same database; the leases keep every job to
 * one of them at a time.
 */
export class JobRunner {
  private readonly handlers = new Map<string, JobHandler>();
  private readonly running = new Map<number, { job: RunningJob; done: Promise<void> }>();
  private state: 'idle' | 'started' | 'stopping' = 'idle';
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  /** Set by a wake-up that came while claiming, so that the loop does not then sleep through it. */
  private woken = false;
  private unsubscribe: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly queue: JobQueue,
    private readonly options: JobRunnerOptions,
  ) {}

  /** Registers the handler of a kind; before start(). */
  register(kind: string, handler: JobHandler): this {
    if (this.handlers.has(kind)) throw new Error(`A handler for ${kind} jobs is registered already`);
    this.handlers.set(kind, handler);
    return this;
  }

  get kinds(): string[] {
    return [...this.handlers.keys()];
  }

  /** Jobs running in this process now. */
  get active(): number {
    return this.running.size;
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'started';
    this.unsubscribe = this.queue.onEnqueue((job) => {
      if (this.handlers.has(job.kind)) this.wake();
    });
    const heartbeatMs = this.options.heartbeatMs ?? Math.max(100, Math.floor(this.options.leaseMs / 3));
    this.timer = setInterval(() => this.renewAll(), heartbeatMs);
    this.timer.unref();
    this.loop = this.poll();
  }

  /** Looks for due jobs now instead of at the next poll. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /**
   * Stops claiming, gives running jobs `graceMs` to finish, then tells the rest to stop and
   * gives back the lease of each that does within a further `graceMs`; a handler that ignores
   * its signal keeps its lease until it lapses, so nobody else runs the job meanwhile.
   */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.state !== 'started') return;
    this.state = 'stopping';
    this.unsubscribe?.();
    this.wake();
    await this.loop;
    const settled = () => Promise.all([...this.running.values()].map((entry) => entry.done));
    if (!(await within(settled(), graceMs))) {
      for (const { job } of this.running.values()) job.stop('shutdown');
      await within(settled(), graceMs);
    }
    if (this.timer) clearInterval(this.timer);
  }

  private async poll(): Promise<void> {
    while (this.state === 'started') {
      this.woken = false;
      try {
        await this.fill();
      } catch (error) {
        this.options.log.warn(error, 'claiming jobs failed; trying again at the next poll');
      }
      if (this.state !== 'started') break;
      if (this.woken) continue;
      await new Promise<void>((resolve) => {
        const timeout = setTimeout(resolve, this.options.pollMs);
        this.wakeUp = () => {
          clearTimeout(timeout);
          resolve();
        };
      });
      this.wakeUp = null;
    }
  }

  /** Claims due jobs until the concurrency limit is reached or none is due. */
  private async fill(): Promise<void> {
    while (this.state === 'started' && this.running.size < this.options.concurrency) {
      const lease = await this.queue.claim(this.kinds, this.options.leaseMs);
      if (!lease) return;
      const job = new RunningJob(this.queue, lease, this.options.clock, this.options.progressMs ?? 1000);
      const done = this.run(job).finally(() => {
        this.running.delete(lease.job.id);
        if (this.state === 'started') this.wake();
      });
      this.running.set(lease.job.id, { job, done });
    }
  }

  private async run(running: RunningJob): Promise<void> {
    const { job } = running;
    const handler = this.handlers.get(job.kind)!;
    let outcome: Outcome | null;
    try {
      const result = await handler(job, running);
      // A handler that finished despite being told to stop did the work: only a lost lease drops it.
      outcome = running.stopped?.why === 'lost' ? null : { type: 'completed', result };
    } catch (error) {
      outcome = running.stopped
        ? this.stoppedOutcome(running)
        : { type: 'failed', error: messageOf(error), permanent: error instanceof PermanentJobError };
    }
    if (outcome === null) return;
    try {
      const settled = await this.queue.finish(running.lease, outcome);
      if (settled === null)
        this.options.log.warn(null, `job ${job.id} (${job.kind}) was taken over by another worker; its outcome here is dropped`);
      else if (outcome.type === 'failed')
        this.options.log.warn(outcome.error, `job ${job.id} (${job.kind}) failed (attempt ${job.attempts} of ${job.maxAttempts})`);
    } catch (error) {
      // The lease lapses and another worker takes the job up again.
      this.options.log.warn(error, `could not record the end of job ${job.id} (${job.kind})`);
    }
  }

  /** A lost lease is settled by whoever holds it now; a cancel or a shutdown is recorded here. */
  private stoppedOutcome(running: RunningJob): Outcome | null {
    const why = running.stopped!.why;
    return why === 'lost' ? null : why === 'cancel' ? { type: 'cancelled' } : { type: 'released' };
  }

  private renewAll(): void {
    for (const { job } of this.running.values()) {
      job.renew().catch((error: unknown) => this.options.log.warn(error, `renewing the lease of job ${job.job.id} failed`));
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}

/** True when `promise` settled within `ms`. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
