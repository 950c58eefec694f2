import type { Command } from 'commander';
import { ConflictError, parsePath } from '../../core/index.js';
import { formatSize, output, withApp } from '../context.js';
import { followJob } from '../follow-job.js';

interface MigrateFlags {
  to: string;
  from?: string;
  user?: string;
  path?: string;
  wait: boolean;
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
        const finished = await followJob(app, job, json, (runner) => app.policyMigration.register(runner));
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
