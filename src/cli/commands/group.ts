import { Option, type Command } from 'commander';
import type { Group, GroupPermissions } from '../../core/index.js';
import type { GroupChanges } from '../../services/index.js';
import { formatSize, output, parseSize, table, withApp } from '../context.js';

interface GroupFlags {
  quota?: string;
  webdav?: boolean;
  share?: boolean;
  versions?: boolean;
  admin?: boolean;
  policies?: string;
  rename?: string;
}

const PERMISSIONS = ['webdav', 'share', 'versions', 'admin'] as const;

/** --webdav / --no-webdav and friends; absent leaves the permission as it is. */
function addPermissionFlags(command: Command): Command {
  command.option('--quota <size>', 'storage quota per member: 500M, 10G, unlimited');
  command.option('--policies <ids>', 'comma-separated storage policy ids; the first is the default');
  for (const permission of PERMISSIONS) {
    command.addOption(new Option(`--${permission}`, `allow ${permission}`));
    command.addOption(new Option(`--no-${permission}`, `forbid ${permission}`));
  }
  return command;
}

function changesFrom(flags: GroupFlags): GroupChanges {
  const permissions: Partial<Record<keyof GroupPermissions, boolean>> = {};
  for (const permission of PERMISSIONS) if (flags[permission] !== undefined) permissions[permission] = flags[permission];
  return {
    ...(Object.keys(permissions).length > 0 && { permissions }),
    ...(flags.quota !== undefined && { maxStorage: parseSize(flags.quota) }),
    ...(flags.policies !== undefined && { storagePolicyIds: flags.policies.split(',').map((id) => Number(id.trim())) }),
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
        const created = await app.groups.create({ name, ...changesFrom(flags) }, app.defaultPolicyId);
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
      const updated = await app.groups.update(name, { ...changesFrom(flags), ...(flags.rename !== undefined && { name: flags.rename }) });
      output(json, { group: updated }, () => table([groupRow(updated)]));
    });
  });
}
