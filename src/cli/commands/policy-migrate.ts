import type { Command } from 'commander';
import type { App } from '../../app.js';
import { ConflictError, parsePath } from '../../core/index.js';
import { JobRunner, type Job } from '../../jobs/index.js';
import { endProgress, formatSize, output, progressReporter, withApp } from '../context.js';

interface MigrateFlags {
  to: string;
  from?: string;
  user?: string;
  path?: string;
  wait: boolean;
}

const FINISHED = new Set(['completed', 'dead', 'cancelled']);

function bar(fraction: number | null): string {
  if (fraction === null) return '[' + ' '.repeat(24) + ']   ?%';
  const filled = Math.round(fraction * 24);
  return `[${'#'.repeat(filled)}${'-'.repeat(24 - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%`;
}

/**
 * Waits for the job to finish, running it in this process meanwhile (a server's worker may
 * take it instead: the queue gives it to one of them), and reports its progress: a bar on
 * stderr, or one JSON event per line on stdout with --json.
 */
async function follow(app: App, job: Job, json: boolean): Promise<Job> {
  const runner = new JobRunner(app.jobs.queue, {
    concurrency: 1,
    pollMs: 500,
    leaseMs: app.config.jobs.leaseSeconds * 1000,
    progressMs: 500,
    clock: Date.now,
    log: { warn: (error, message) => app.logger.warn({ err: error }, message) },
  });
  app.policyMigration.register(runner);
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
            `${bar(current.progress)} ${current.progressMessage ?? current.state}${current.lastError ? ` (retrying: ${current.lastError})` : ''}`,
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

export function registerPolicyMigrate(policy: Command): void {
  policy
    .command('migrate')
    .description('move existing files into another storage policy, online, as a resumable job')
    .requiredOption('--to <name>', 'the policy to move into')
    .option('--from <name>', 'only files stored in this policy')
    .option('--user <email>', "only this user's files")
    .option('--path <folder>', "only files below this folder of the user's tree (with --user)")
    .option('--no-wait', 'queue the job and return (a server runs it; follow it with "cumulus jobs show")')
    .action(async (flags: MigrateFlags, command: Command) => {
      await withApp(command, async (app, json) => {
        const scope = await app.folderPolicies.migrationScope({
          to: flags.to,
          from: flags.from,
          user: flags.user,
          path: flags.path === undefined ? undefined : parsePath(flags.path),
        });
        const remaining = await app.policyMigration.remaining(scope);
        const job = await app.policyMigration.enqueue(scope);
        if (!flags.wait) {
          output(
            json,
            { event: 'queued', job: job.id, remaining },
            () => `Queued job ${job.id}: ${remaining.blobs} contents (${formatSize(remaining.bytes)}) to move.`,
          );
          return;
        }
        if (json) process.stdout.write(`${JSON.stringify({ event: 'queued', job: job.id, remaining })}\n`);
        else process.stderr.write(`Job ${job.id}: moving ${remaining.blobs} contents (${formatSize(remaining.bytes)})\n`);
        const finished = await follow(app, job, json);
        if (finished.state !== 'completed') {
          throw new ConflictError(
            `The migration job ${finished.id} ended ${finished.state}${finished.lastError ? `: ${finished.lastError}` : ''}`,
          );
        }
        const result = finished.result as { moved: number; files: number; bytes: number; skipped: number; missing: string[] };
        if (json) process.stdout.write(`${JSON.stringify({ event: 'completed', job: finished.id, result })}\n`);
        else
          process.stdout.write(
            `Moved ${result.moved} contents of ${result.files} files (${formatSize(result.bytes)})` +
              `${result.skipped ? `; ${result.skipped} changed meanwhile and stayed` : ''}` +
              `${result.missing.length ? `; ${result.missing.length} were already missing from storage (see cumulus doctor)` : ''}.\n`,
          );
        if (result.missing.length > 0) process.exitCode = 4;
      });
    });
}
