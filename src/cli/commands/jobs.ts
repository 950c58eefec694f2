import type { Command } from 'commander';
import { InvalidArgumentError } from '../../core/index.js';
import type { Job, JobState } from '../../jobs/index.js';
import { output, table, withApp } from '../context.js';

const STATES: readonly JobState[] = ['queued', 'running', 'completed', 'dead', 'cancelled'];

function jobId(text: string): number {
  const id = Number(text);
  if (!Number.isSafeInteger(id) || id < 1) throw new InvalidArgumentError(`"${text}" is not a job id (a whole number)`);
  return id;
}

const time = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'));

function jobRow(job: Job) {
  return {
    id: job.id,
    kind: job.kind,
    state: job.state + (job.cancelRequested ? ' (cancelling)' : ''),
    attempts: `${job.attempts}/${job.maxAttempts}`,
    progress: job.progress === null ? '-' : `${Math.round(job.progress * 100)}%`,
    'run at': time(job.runAt),
    error: job.lastError?.slice(0, 60) ?? '',
  };
}

function details(job: Job): string {
  return [
    table([jobRow(job)]),
    `payload:  ${JSON.stringify(job.payload)}`,
    ...(job.intervalMs !== null ? [`every:    ${job.intervalMs / 1000} s`] : []),
    ...(job.progressMessage ? [`message:  ${job.progressMessage}`] : []),
    ...(job.result !== null ? [`result:   ${JSON.stringify(job.result)}`] : []),
    ...(job.lastError ? [`error:    ${job.lastError}`] : []),
    `created:  ${time(job.createdAt)}  started: ${time(job.startedAt)}  finished: ${time(job.finishedAt)}`,
  ].join('\n');
}

export function registerJobs(program: Command): void {
  const jobs = program.command('jobs').description('inspect the job queue: list, show, retry or cancel jobs');

  jobs
    .command('list', { isDefault: true })
    .description('list jobs, newest first')
    .option('--state <state>', `only jobs in this state (${STATES.join(', ')}); repeatable`, (value: string, previous: string[] = []) => [
      ...previous,
      value,
    ])
    .option('--kind <kind>', 'only jobs of this kind')
    .option('--limit <n>', 'at most this many (default 50, at most 500)')
    .action(async (flags: { state?: string[]; kind?: string; limit?: string }, command: Command) => {
      await withApp(command, async (app, json) => {
        const states = flags.state ?? [];
        const unknown = states.find((state) => !STATES.includes(state as JobState));
        if (unknown) throw new InvalidArgumentError(`Unknown state "${unknown}"; expected one of ${STATES.join(', ')}`);
        const limit = flags.limit === undefined ? 50 : jobId(flags.limit);
        const list = await app.jobs.queue.list({ states: states as JobState[], kind: flags.kind, limit });
        output(json, list, () => table(list.map(jobRow)));
      });
    });

  jobs
    .command('show')
    .description('show one job')
    .argument('<id>', 'job id')
    .action(async (id: string, _flags: unknown, command: Command) => {
      await withApp(command, async (app, json) => {
        const job = await app.jobs.queue.get(jobId(id));
        output(json, job, () => details(job));
      });
    });

  jobs
    .command('retry')
    .description('queue a completed, dead or cancelled job again')
    .argument('<id>', 'job id')
    .action(async (id: string, _flags: unknown, command: Command) => {
      await withApp(command, async (app, json) => {
        const job = await app.jobs.queue.retry(jobId(id));
        output(json, job, () => `Queued job ${job.id} (${job.kind}) again.`);
      });
    });

  jobs
    .command('cancel')
    .description('cancel a job: a queued one at once, a running one at its next heartbeat')
    .argument('<id>', 'job id')
    .action(async (id: string, _flags: unknown, command: Command) => {
      await withApp(command, async (app, json) => {
        const job = await app.jobs.queue.cancel(jobId(id));
        output(json, job, () =>
          job.state === 'cancelled'
            ? `Cancelled job ${job.id} (${job.kind}).`
            : job.state === 'running'
              ? `Asked job ${job.id} (${job.kind}) to stop; it stops at its next heartbeat.`
              : `Job ${job.id} (${job.kind}) had already ended (${job.state}).`,
        );
      });
    });
}
