import type { Command } from 'commander';
import { ConflictError, InvalidArgumentError } from '../../core/index.js';
import type { SyncPairView, SyncRunResult } from '../../services/index.js';
import { formatSize, output, table, withApp } from '../context.js';
import { followJob } from '../follow-job.js';

interface AddFlags {
  user: string;
  url: string;
  username?: string;
  password?: string;
  remote: string;
  local: string;
  direction: string;
  interval?: string;
  deletes: string;
  exclude: string[];
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `90s`, `15m`, `1h`, `2d` (or plain seconds) as seconds. */
export function parseInterval(text: string): number {
  const match = /^(\d+)\s*([smhd]?)$/.exec(text.trim());
  if (!match) throw new InvalidArgumentError(`The interval "${text}" is not a duration like 15m, 1h or 1d`);
  return Number(match[1]) * UNITS[match[2] || 's']!;
}

function pairId(text: string): number {
  const id = Number(text);
  if (!Number.isSafeInteger(id) || id < 1) throw new InvalidArgumentError(`"${text}" is not a sync pair id`);
  return id;
}

function row(pair: SyncPairView) {
  return {
    id: pair.id,
    remote: `${pair.url.replace(/\/$/, '')}${pair.remotePath}`,
    local: pair.localPath,
    direction: pair.direction,
    deletes: pair.deletes,
    every: pair.intervalSeconds ? `${pair.intervalSeconds}s` : '-',
    state: pair.paused ? 'paused' : (pair.lastStatus ?? 'never run'),
    'last run': pair.lastRunAt ? new Date(pair.lastRunAt).toISOString() : '-',
    'last error': pair.lastError ?? '',
  };
}

function planLines(result: SyncRunResult): string {
  const lines = result.plan.actions.map(
    (a) => `${a.type.padEnd(13)} ${a.path}${a.type === 'conflict' ? ` (${a.loser} kept as ${a.conflictPath})` : ''}`,
  );
  for (const group of result.plan.collisions) lines.push(`collision     ${group.join(' | ')} (one name once normalised: skipped)`);
  for (const note of [...result.plan.notes, ...result.remoteErrors]) lines.push(`note          ${note}`);
  if (result.plan.stopped) lines.push(`STOPPED       ${result.plan.stopped}`);
  return lines.length > 0 ? lines.join('\n') : 'Nothing to do.';
}

/** `cumulus sync`: pairs of a remote WebDAV folder and a local folder (issue 13). */
export function registerSync(program: Command): void {
  const sync = program.command('sync').description('keep folders in step with external WebDAV servers');

  sync
    .command('add')
    .description("pair a remote WebDAV folder with a folder of a user's tree")
    .requiredOption('--user <email>', 'the user whose tree holds the local folder')
    .requiredOption('--url <url>', "the remote server's WebDAV URL")
    .option('--username <name>', 'user name on the remote')
    .option('--password <password>', 'password on the remote (stored sealed, never shown again)')
    .requiredOption('--remote <folder>', 'folder on the remote, below the URL')
    .requiredOption('--local <folder>', "folder in the user's tree")
    .requiredOption('--direction <direction>', 'download, upload or two-way')
    .option('--interval <duration>', 'run every so often (15m, 1h, 1d)')
    .option('--deletes <what>', 'propagate or keep', 'propagate')
    .option('--exclude <glob>', 'leave matching names alone (repeatable)', (value: string, all: string[]) => [...all, value], [])
    .action(async (flags: AddFlags, command: Command) => {
      await withApp(command, async (app, json) => {
        const user = await app.users.get(flags.user);
        const pair = await app.sync.add(user.id, {
          url: flags.url,
          username: flags.username,
          password: flags.password,
          remotePath: flags.remote,
          localPath: flags.local,
          direction: flags.direction,
          deletes: flags.deletes,
          intervalSeconds: flags.interval === undefined ? null : parseInterval(flags.interval),
          excludes: flags.exclude,
          // The operator's pairs may reach any address (issue 13 item 4).
          anyAddress: true,
        });
        await app.syncJobs.schedule(pair);
        output(json, pair, () => `Added sync pair ${pair.id}: ${row(pair).remote} <-> ${pair.localPath} (${pair.direction})`);
      });
    });

  sync
    .command('list')
    .description('list sync pairs with their last run')
    .action(async (_options: unknown, command: Command) => {
      await withApp(command, async (app, json) => {
        const pairs = await app.sync.list();
        output(json, pairs, () => table(pairs.map(row)));
      });
    });

  sync
    .command('run <id>')
    .description('run a pair now (queued for the server unless --wait or --dry-run)')
    .option('--wait', 'run it here (or wait for a server to) and show progress')
    .option('--dry-run', 'list what a run would do, and do nothing')
    .action(async (id: string, flags: { wait?: boolean; dryRun?: boolean }, command: Command) => {
      await withApp(command, async (app, json) => {
        if (flags.dryRun) {
          const result = await app.sync.run(pairId(id), { dryRun: true });
          output(json, result, () => planLines(result));
          return;
        }
        const job = await app.syncJobs.enqueue(pairId(id));
        if (!flags.wait) {
          output(json, { event: 'queued', job: job.id }, () => `Queued job ${job.id}.`);
          return;
        }
        const finished = await followJob(app, job, json, (runner) => app.syncJobs.register(runner));
        const pair = await app.sync.get(pairId(id));
        if (finished.state !== 'completed') {
          throw new ConflictError(
            `The sync job ${finished.id} ended ${finished.state}${finished.lastError ? `: ${finished.lastError}` : ''}`,
          );
        }
        const result = finished.result as { done: Record<string, number>; bytes: number };
        output(json, { event: 'completed', job: finished.id, result, pair }, () => {
          const counts = Object.entries(result.done ?? {}).map(([type, n]) => `${n} ${type}`);
          return `Sync pair ${pair.id}: ${counts.length ? counts.join(', ') : 'nothing to do'} (${formatSize(result.bytes ?? 0)}).`;
        });
      });
    });

  for (const [name, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    sync
      .command(`${name} <id>`)
      .description(paused ? 'stop scheduled runs of a pair' : 'let scheduled runs of a pair go on')
      .action(async (id: string, _options: unknown, command: Command) => {
        await withApp(command, async (app, json) => {
          const pair = await app.sync.setPaused(pairId(id), paused);
          output(json, pair, () => `Sync pair ${pair.id} is ${paused ? 'paused' : 'running on schedule again'}.`);
        });
      });
  }

  sync
    .command('remove <id>')
    .description('remove a pair and its state (no file is deleted on either side)')
    .action(async (id: string, _options: unknown, command: Command) => {
      await withApp(command, async (app, json) => {
        await app.sync.remove(pairId(id));
        await app.syncJobs.unschedule(pairId(id));
        output(json, { removed: pairId(id) }, () => `Removed sync pair ${id}.`);
      });
    });
}
