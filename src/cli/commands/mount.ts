import type { Command } from 'commander';
import { InvalidArgumentError } from '../../core/index.js';
import type { MountView } from '../../services/index.js';
import { output, table, withApp } from '../context.js';

function mountRow(mount: MountView) {
  return {
    name: mount.name,
    source: mount.dir ?? `policy ${mount.policyName ?? `#${mount.policyId}`}${mount.prefix ? `:${mount.prefix}` : ''}`,
    access: mount.readOnly ? 'read-only' : 'read-write',
    members: mount.members,
  };
}

/** `cumulus mount`: shared folders, each with its group of the same name (issue 11 item 6). */
export function registerMount(program: Command): void {
  const mount = program.command('mount').description('shared folders grafted at /NAME in the tree of every member of the group NAME');

  mount
    .command('add <name>')
    .description('graft a local directory, an S3 prefix or a remote WebDAV tree at /NAME for the members of the new group NAME')
    .option('--dir <dir>', 'an existing directory; the disk stays the truth')
    .option('--policy <policy>', 'an S3 or WebDAV storage policy: its store is the truth (instead of --dir)')
    .option('--prefix <prefix>', "with --policy: the folder below the policy's prefix or root")
    .option('--read-only', 'refuse every write')
    .action(async (name: string, options: { dir?: string; policy?: string; prefix?: string; readOnly?: boolean }, command: Command) => {
      await withApp(command, async (app, json) => {
        const added = await app.mounts.add({ name, ...options });
        const from = added.dir ?? `policy ${added.policyName}${added.prefix ? ` under ${added.prefix}/` : ''}`;
        output(json, { mount: added }, () =>
          [
            `Added shared folder /${added.name} from ${from}${added.readOnly ? ' (read-only)' : ''}`,
            `Members join with: cumulus user join --email E --group ${added.name}`,
          ].join('\n'),
        );
      });
    });

  mount
    .command('list')
    .description('list shared folders')
    .action(async (_options: unknown, command: Command) => {
      await withApp(command, async (app, json) => {
        const mounts = await app.mounts.list();
        output(json, mounts, () => table(mounts.map(mountRow)));
      });
    });

  mount
    .command('set <name>')
    .description("change a shared folder's access")
    .option('--read-only', 'refuse every write')
    .option('--read-write', 'allow writes again')
    .action(async (name: string, options: { readOnly?: boolean; readWrite?: boolean }, command: Command) => {
      await withApp(command, async (app, json) => {
        if (options.readOnly === options.readWrite) throw new InvalidArgumentError('Give one of --read-only or --read-write');
        const changed = await app.mounts.setReadOnly(name, options.readOnly === true);
        output(json, { mount: changed }, () => `/${changed.name} is now ${changed.readOnly ? 'read-only' : 'read-write'}`);
      });
    });

  mount
    .command('remove <name>')
    .description("take a shared folder out of its members' trees and remove its group; the directory is left as it is")
    .action(async (name: string, _options: unknown, command: Command) => {
      await withApp(command, async (app, json) => {
        const removed = await app.mounts.remove(name);
        output(
          json,
          { removed: removed.name },
          () => `Removed shared folder /${removed.name}; ${removed.dir ?? 'its source'} is untouched`,
        );
      });
    });
}
