import type { Command } from 'commander';
import type { App } from '../../app.js';
import { ConflictError, InvalidArgumentError, parsePath } from '../../core/index.js';
import type { MoveScope } from '../../db/index.js';
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

/** The scope of a migration from the flags: policies by name, the user's folder by path. */
async function scopeFrom(app: App, flags: MigrateFlags): Promise<MoveScope> {
  if (flags.path !== undefined && flags.user === undefined)
    throw new InvalidArgumentError('--path names a folder of a user: give --user too');
  const to = (await app.policies.get(flags.to)).id;
  const from = flags.from === undefined ? undefined : (await app.policies.get(flags.from)).id;
  if (from === to) throw new InvalidArgumentError('--from and --to name the same storage policy');
  const user = flags.user === undefined ? undefined : await app.users.get(flags.user);
  let folderId: number | undefined;
  if (user && flags.path !== undefined) {
    const folder = await app.vfs.stat(await app.users.principalFor(user), parsePath(flags.path));
    if (folder.kind !== 'folder') throw new InvalidArgumentError(`${flags.path} is a file; --path takes a folder`);
    folderId = folder.id;
  }
  return { to, from, ownerId: user?.id, folderId };
}

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
        const scope = await scopeFrom(app, flags);
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
