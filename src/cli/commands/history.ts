import type { Command } from 'commander';
import { InvalidArgumentError, formatPath, parsePath, type Principal } from '../../core/index.js';
import type { App } from '../../app.js';
import { output, table, withApp } from '../context.js';

/** The principal of a user over their whole tree (what the API's owner sees). */
async function ownerOf(app: App, email: string): Promise<Principal> {
  return app.users.principalFor(await app.users.get(email));
}

function versionIdOf(text: string | undefined): number {
  const id = Number(text);
  if (text === undefined || !Number.isSafeInteger(id) || id < 1)
    throw new InvalidArgumentError('--version takes a version id from `versions list`');
  return id;
}

/** `cumulus versions` and `cumulus trash` (issue 12): the same operations as the API's, for administrators. */
export function registerHistory(program: Command): void {
  const versions = program.command('versions').description("a file's kept versions: list, restore, delete");
  versions
    .command('list')
    .description('list the current content and the kept versions of a file, newest first')
    .requiredOption('--user <email>', 'the owner')
    .requiredOption('--path <path>', 'the file, e.g. /Docs/report.odt')
    .action(async (options: { user: string; path: string }, command: Command) => {
      await withApp(command, async (app, json) => {
        const listed = await app.vfs.history.versions(await ownerOf(app, options.user), parsePath(options.path));
        const rows = listed.versions.map((v) => ({ id: v.current ? 0 : v.id, size: v.size, mtime: v.mtime, current: v.current }));
        output(json, rows, () =>
          table(
            rows.map((row) => ({
              ...row,
              id: row.current ? '0 (current)' : row.id,
              mtime: new Date(row.mtime).toISOString(),
              current: String(row.current),
            })),
          ),
        );
      });
    });
  versions
    .command('restore')
    .description("make a version the file's content (the current content becomes a version)")
    .requiredOption('--user <email>', 'the owner')
    .requiredOption('--path <path>', 'the file')
    .requiredOption('--version <id>', 'the version id (from list)')
    .action(async (options: { user: string; path: string; version: string }, command: Command) => {
      await withApp(command, async (app, json) => {
        const entry = await app.vfs.history.restoreVersion(
          await ownerOf(app, options.user),
          parsePath(options.path),
          versionIdOf(options.version),
        );
        output(
          json,
          { id: entry.id, size: entry.size, mtime: entry.mtime },
          () => `Restored version ${options.version} of ${options.path}`,
        );
      });
    });
  versions
    .command('delete')
    .description('delete a kept version for good')
    .requiredOption('--user <email>', 'the owner')
    .requiredOption('--path <path>', 'the file')
    .requiredOption('--version <id>', 'the version id (from list)')
    .action(async (options: { user: string; path: string; version: string }, command: Command) => {
      await withApp(command, async (app, json) => {
        await app.vfs.history.deleteVersion(await ownerOf(app, options.user), parsePath(options.path), versionIdOf(options.version));
        output(json, { deleted: Number(options.version) }, () => `Deleted version ${options.version} of ${options.path}`);
      });
    });

  const trash = program.command('trash').description("a user's trash: list, restore, empty");
  trash
    .command('list')
    .description('list what the user deleted, newest first')
    .requiredOption('--user <email>', 'the owner')
    .action(async (options: { user: string }, command: Command) => {
      await withApp(command, async (app, json) => {
        const items = await app.vfs.history.trash(await ownerOf(app, options.user));
        const rows = items.map((item) => ({
          id: item.entry.id,
          kind: item.entry.kind,
          path: formatPath(item.record.restorePath),
          size: item.entry.size,
          trashedAt: item.record.trashedAt,
          expiresAt: item.expiresAt,
        }));
        output(json, rows, () =>
          table(
            rows.map((row) => ({
              ...row,
              trashedAt: new Date(row.trashedAt).toISOString(),
              expiresAt: new Date(row.expiresAt).toISOString(),
            })),
          ),
        );
      });
    });
  trash
    .command('restore')
    .description('put trashed items back where they were (all of them, or those that were at --path or below)')
    .requiredOption('--user <email>', 'the owner')
    .option('--path <path>', 'the original path of the item, or a folder above several')
    .action(async (options: { user: string; path?: string }, command: Command) => {
      await withApp(command, async (app, json) => {
        const principal = await ownerOf(app, options.user);
        const wanted = options.path === undefined ? null : formatPath(parsePath(options.path));
        const restored: string[] = [];
        for (const item of await app.vfs.history.trash(principal)) {
          const from = formatPath(item.record.restorePath);
          if (wanted !== null && from !== wanted && !from.startsWith(`${wanted === '/' ? '' : wanted}/`)) continue;
          const { path } = await app.vfs.history.restore(principal, item.entry.id);
          restored.push(formatPath(path));
          if (!json) process.stderr.write(`restored ${from} -> ${formatPath(path)}\n`);
        }
        output(json, { restored }, () => `Restored ${restored.length} item(s)`);
      });
    });
  trash
    .command('empty')
    .description("delete everything in the user's trash for good")
    .requiredOption('--user <email>', 'the owner')
    .action(async (options: { user: string }, command: Command) => {
      await withApp(command, async (app, json) => {
        const removed = await app.vfs.history.empty(await ownerOf(app, options.user));
        output(json, { removed }, () => `Deleted ${removed} item(s) for good`);
      });
    });
}
