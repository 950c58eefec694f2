import { randomUUID } from 'node:crypto';
import { NotFoundError } from '../../core/index.js';
import { PermanentJobError, type Job, type JobQueue, type JobRunner } from '../../jobs/index.js';
import type { SyncPairView, SyncService } from './sync.service.js';

export const SYNC_RUN_JOB = 'sync.run';

interface RunPayload {
  readonly pairId: number;
  /** Asked for by a person (CLI, API): runs even when the pair is paused. */
  readonly manual?: boolean;
}

/**
 * Sync runs as jobs (issue 13 item 3): one on demand (`sync run`) and one schedule per pair
 * with an interval. The pair's own claim (SyncService.claim) keeps two processes from running
 * one pair at once, whichever job started them; a failed run is retried by the queue with
 * backoff and its error stays on the pair.
 */
export class SyncJobs {
  constructor(
    private readonly sync: SyncService,
    private readonly queue: JobQueue,
    private readonly options: { clock: () => number; claimMs: number },
  ) {}

  register(runner: JobRunner): void {
    runner.register(SYNC_RUN_JOB, async (job, context) => {
      const payload = job.payload as Partial<RunPayload> | null;
      if (typeof payload?.pairId !== 'number') throw new PermanentJobError('A sync.run job needs {pairId}');
      const pairId = payload.pairId;
      const pair = await this.sync.get(pairId).catch((error: unknown) => {
        if (error instanceof NotFoundError) return null;
        throw error;
      });
      if (!pair) return { pairId, skipped: 'removed' };
      if (pair.paused && !payload.manual) return { pairId, skipped: 'paused' };
      const token = randomUUID();
      if (!(await this.sync.claim(pairId, token, this.options.clock() + this.options.claimMs))) {
        throw new Error(`Sync pair ${pairId} is being run by another process`);
      }
      let claimedAt = this.options.clock();
      try {
        const result = await this.sync.run(pairId, {
          signal: context.signal,
          progress: async (done, total, message) => {
            await context.progress(total === 0 ? 1 : done / total, `${done}/${total} ${message}`);
            if (this.options.clock() - claimedAt > this.options.claimMs / 3) {
              claimedAt = this.options.clock();
              await this.sync.claim(pairId, token, claimedAt + this.options.claimMs);
            }
          },
        });
        if (result.plan.stopped) throw new PermanentJobError(result.plan.stopped);
        if (result.summary && result.summary.failed > 0) {
          throw new Error(`${result.summary.failed} files failed: ${result.summary.errors.slice(0, 3).join('; ')}`);
        }
        return { pairId, done: result.summary?.done ?? {}, bytes: result.summary?.bytes ?? 0, collisions: result.plan.collisions.length };
      } finally {
        await this.sync.release(pairId, token);
      }
    });
  }

  /** Queues a run now (one queued per pair: asking again while one waits adds nothing). */
  async enqueue(pairId: number): Promise<Job> {
    const payload: RunPayload = { pairId, manual: true };
    return (await this.queue.enqueue(SYNC_RUN_JOB, payload, { dedupeKey: `${SYNC_RUN_JOB}:${pairId}`, maxAttempts: 3 })).job;
  }

  /** The recurring run of a pair with an interval. */
  async schedule(pair: Pick<SyncPairView, 'id' | 'intervalSeconds'>): Promise<void> {
    if (!pair.intervalSeconds) return;
    const payload: RunPayload = { pairId: pair.id };
    await this.queue.schedule(SYNC_RUN_JOB, scheduleKey(pair.id), {
      everyMs: pair.intervalSeconds * 1000,
      payload,
      firstRunDelayMs: pair.intervalSeconds * 1000,
    });
  }

  async scheduleAll(): Promise<void> {
    for (const pair of await this.sync.list()) await this.schedule(pair);
  }

  /** Ends a removed pair's schedule. */
  async unschedule(pairId: number): Promise<void> {
    const jobs = await this.queue.list({ kind: SYNC_RUN_JOB, states: ['queued', 'running'], limit: 1000 });
    for (const job of jobs) if (job.dedupeKey === scheduleKey(pairId)) await this.queue.cancel(job.id);
  }
}

const scheduleKey = (pairId: number) => `sync.schedule:${pairId}`;
