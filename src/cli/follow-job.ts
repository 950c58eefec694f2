import type { App } from '../app.js';
import { JobRunner, type Job } from '../jobs/index.js';
import { endProgress, progressReporter } from './context.js';

const FINISHED = new Set(['completed', 'dead', 'cancelled']);

export function progressBar(fraction: number | null): string {
  if (fraction === null) return '[' + ' '.repeat(24) + ']   ?%';
  const filled = Math.round(fraction * 24);
  return `[${'#'.repeat(filled)}${'-'.repeat(24 - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%`;
}

/**
 * Waits for the job to finish, running it in this process meanwhile (a server's worker may
 * take it instead: the queue gives it to one of them), and reports its progress: a bar on
 * stderr, or one JSON event per line on stdout with --json. `register` adds the handler.
 */
export async function followJob(app: App, job: Job, json: boolean, register: (runner: JobRunner) => void): Promise<Job> {
  const runner = new JobRunner(app.jobs.queue, {
    concurrency: 1,
    pollMs: 500,
    leaseMs: app.config.jobs.leaseSeconds * 1000,
    progressMs: 500,
    clock: Date.now,
    log: { warn: (error, message) => app.logger.warn({ err: error }, message) },
  });
  register(runner);
  runner.start();
  const report = progressReporter();
  let last = '';
  try {
    for (;;) {
      const current = await app.jobs.queue.get(job.id);
      const line = JSON.stringify({
        event: 'progress',
        state: current.state,
        fraction: current.progress,
        message: current.progressMessage,
      });
      if (line !== last) {
        last = line;
        if (json) process.stdout.write(`${line}\n`);
        else
          report(
            `${progressBar(current.progress)} ${current.progressMessage ?? current.state}${current.lastError ? ` (retrying: ${current.lastError})` : ''}`,
          );
      }
      if (FINISHED.has(current.state)) return current;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    endProgress();
    await runner.stop();
  }
}
