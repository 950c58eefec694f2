import { Option, type Command } from 'commander';
import type { Group, GroupPermissions } from '../../core/index.js';
import type { GroupChanges } from '../../services/index.js';
import type { App } from '../../app.js';
import { formatSize, output, parseSize, table, withApp } from '../context.js';

interface GroupFlags {
  quota?: string;
  webdav?: boolean;
  share?: boolean;
  versions?: boolean;
  admin?: boolean;
  policies?: string;
  defaultPolicy?: string;
  rename?: string;
}

const PERMISSIONS = ['webdav', 'share', 'versions', 'admin'] as const;

/** --webdav / --no-webdav and friends; absent leaves the permission as it is. */
function addPermissionFlags(command: Command): Command {
  command.option('--quota <size>', 'storage quota per member: 500M, 10G, unlimited');
  command.option('--policies <names>', 'comma-separated storage policy names or ids members may use; the first is the default');
  command.option('--default-policy <name>', "the members' default storage policy (added to --policies or the group's list, first)");
  for (const permission of PERMISSIONS) {
    command.addOption(new Option(`--${permission}`, `allow ${permission}`));
    command.addOption(new Option(`--no-${permission}`, `forbid ${permission}`));
  }
  return command;
}

/** --policies and --default-policy as ids, the default first; undefined when neither is given. */
async function policyIdsFrom(app: App, flags: GroupFlags, current: readonly number[]): Promise<number[] | undefined> {
  if (flags.policies === undefined && flags.defaultPolicy === undefined) return undefined;
  const listed =
    flags.policies === undefined
      ? [...current]
      : await app.policies.resolve(
          flags.policies
            .split(',')
            .map((item) => item.trim())
            .filter(Boolean),
        );
  if (flags.defaultPolicy === undefined) return [...new Set(listed)];
  const first = (await app.policies.get(flags.defaultPolicy)).id;
  return [first, ...new Set(listed.filter((id) => id !== first))];
}

function changesFrom(flags: GroupFlags): GroupChanges {
  const permissions: Partial<Record<keyof GroupPermissions, boolean>> = {};
  for (const permission of PERMISSIONS) if (flags[permission] !== undefined) permissions[permission] = flags[permission];
  return {
    ...(Object.keys(permissions).length > 0 && { permissions }),
    ...(flags.quota !== undefined && { maxStorage: parseSize(flags.quota) }),
  };
}

function groupRow(group: Group) {
  return {
    id: group.id,
    name: group.name,
    quota: formatSize(group.maxStorage),
    permissions: PERMISSIONS.filter((p) => group.permissions[p]).join(',') || '-',
    policies: group.storagePolicyIds.join(','),
  };
}

export function registerGroup(program: Command): void {
  const group = program.command('group').description('manage groups and their permissions');

  addPermissionFlags(group.command('add').description('create a group').argument('<name>', 'group name')).action(
    async (name: string, flags: GroupFlags, command: Command) => {
      await withApp(command, async (app, json) => {
        const storagePolicyIds = await policyIdsFrom(app, flags, [app.defaultPolicyId]);
        const created = await app.groups.create(
          { name, ...changesFrom(flags), ...(storagePolicyIds && { storagePolicyIds }) },
          app.defaultPolicyId,
        );
        output(json, { group: created }, () => `Created group #${created.id} ${created.name}\n${table([groupRow(created)])}`);
      });
    },
  );

  group
    .command('list')
    .description('list groups')
    .action(async (_options: unknown, command: Command) => {
      await withApp(command, async (app, json) => {
        const groups = await app.groups.list();
        output(json, groups, () => table(groups.map(groupRow)));
      });
    });

  addPermissionFlags(
    group
      .command('set')
      .description("change a group's quota, permissions or name")
      .argument('<name>', 'group name')
      .option('--rename <new>', 'new name'),
  ).action(async (name: string, flags: GroupFlags, command: Command) => {
    await withApp(command, async (app, json) => {
      const storagePolicyIds = await policyIdsFrom(app, flags, (await app.groups.get(name)).storagePolicyIds);
      const updated = await app.groups.update(name, {
        ...changesFrom(flags),
        ...(storagePolicyIds && { storagePolicyIds }),
        ...(flags.rename !== undefined && { name: flags.rename }),
      });
      output(json, { group: updated }, () => table([groupRow(updated)]));
    });
  });
}
