import type { JobQueue, JobRunner } from '../../jobs/index.js';
import type { GarbageCollector } from './gc.service.js';

/** The kinds (and schedule keys) of the periodic duties. */
export const MAINTENANCE_JOBS = {
  gc: 'maintenance.gc',
  uploadSweep: 'maintenance.upload-sweep',
  purgeJobs: 'maintenance.purge-jobs',
} as const;

const HOUR = 3600_000;

export interface MaintenanceDuties {
  readonly gc: GarbageCollector;
  readonly uploads: { sweep(cutoff: number): Promise<{ removed: number; freedBytes: number }> };
  readonly queue: JobQueue;
  readonly clock: () => number;
  readonly gcGraceMs: number;
  readonly gcEveryMs: number;
  readonly gcOnStart: boolean;
  readonly keepFinishedMs: number;
}

/**
 * The server's periodic duties as scheduled jobs, so that with several server processes (and
 * nodes) one process at a time runs each: garbage collection (at start-up when configured,
 * then every `gcEveryMs`), the hourly sweep of expired upload sessions, and the removal of
 * finished jobs past their keeping time. `cumulus gc` still runs gc directly.
 */
export class MaintenanceJobs {
  constructor(private readonly duties: MaintenanceDuties) {}

  register(runner: JobRunner): void {
    const { gc, uploads, queue, clock } = this.duties;
    runner.register(MAINTENANCE_JOBS.gc, async (_job, context) => {
      let last = '';
      return gc.run({
        graceMs: this.duties.gcGraceMs,
        // gc reports synchronously; the write is throttled and its answer seen at the next step.
        onProgress: (step, done) => {
          last = `${step}: ${done}`;
          context.progress(null, last).catch(() => undefined);
        },
      });
    });
    runner.register(MAINTENANCE_JOBS.uploadSweep, () => uploads.sweep(clock() - HOUR));
    runner.register(MAINTENANCE_JOBS.purgeJobs, async () => ({ removed: await queue.purge(clock() - this.duties.keepFinishedMs) }));
  }

  /** Stores (or updates) the schedules; every server process calls this at start. */
  async schedule(): Promise<void> {
    const { queue } = this.duties;
    await queue.schedule(MAINTENANCE_JOBS.gc, `schedule:${MAINTENANCE_JOBS.gc}`, {
      everyMs: this.duties.gcEveryMs,
      firstRunDelayMs: this.duties.gcOnStart ? 0 : this.duties.gcEveryMs,
      // Processes starting together run it once.
      ...(this.duties.gcOnStart && { runNowUnlessRanWithinMs: 10 * 60_000 }),
    });
    await queue.schedule(MAINTENANCE_JOBS.uploadSweep, `schedule:${MAINTENANCE_JOBS.uploadSweep}`, {
      everyMs: HOUR,
      firstRunDelayMs: HOUR,
    });
    await queue.schedule(MAINTENANCE_JOBS.purgeJobs, `schedule:${MAINTENANCE_JOBS.purgeJobs}`, {
      everyMs: 24 * HOUR,
      firstRunDelayMs: HOUR,
    });
  }
}
