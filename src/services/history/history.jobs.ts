import type { JobQueue, JobRunner } from '../../jobs/index.js';
import type { Vfs } from '../../vfs/index.js';

/** The kind (and schedule key) of the trash retention job (issue 12). */
export const TRASH_RETENTION_JOB = 'history.trash-retention';

const HOUR = 3600_000;

/**
 * Deletes for good, every hour, what was trashed longer ago than trash.retentionDays: a job
 * on the durable queue, so that with several server processes one at a time runs it and it
 * shows in `cumulus jobs`.
 */
export class HistoryJobs {
  constructor(private readonly vfs: Vfs) {}

  register(runner: JobRunner): void {
    runner.register(TRASH_RETENTION_JOB, () => this.vfs.history.collectExpired());
  }

  async schedule(queue: JobQueue): Promise<void> {
    await queue.schedule(TRASH_RETENTION_JOB, `schedule:${TRASH_RETENTION_JOB}`, { everyMs: HOUR, firstRunDelayMs: HOUR });
  }
}
