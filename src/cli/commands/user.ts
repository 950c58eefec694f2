import type { Command } from 'commander';
import { generatePassword } from '../../auth/index.js';
import type { User } from '../../core/index.js';
import { BUILT_IN_GROUPS } from '../../services/index.js';
import { formatSize, output, table, withApp } from '../context.js';

function userRow(user: User, groupName: string) {
  return {
    id: user.id,
    email: user.email,
    name: user.displayName,
    group: groupName,
    status: user.status,
    used: formatSize(user.storageUsed),
  };
}

export function registerUser(program: Command): void {
  const user = program.command('user').description('manage users');

  user
    .command('add')
    .description('create a user')
    .requiredOption('--email <email>', 'sign-in email')
    .option('--password <password>', 'login password (generated and printed when absent)')
    .option('--name <name>', 'display name')
    .option('--group <group>', 'group name', BUILT_IN_GROUPS.user)
    .option('--admin', 'put the user in the Admin group')
    .action(async (options: { email: string; password?: string; name?: string; group: string; admin?: boolean }, command: Command) => {
      await withApp(command, async (app, json) => {
        const password = options.password ?? generatePassword(20);
        const created = await app.users.create({
          email: options.email,
          password,
          displayName: options.name,
          group: options.admin ? BUILT_IN_GROUPS.admin : options.group,
        });
        const group = await app.users.groupOf(created);
        const generated = options.password === undefined ? password : undefined;
        output(json, { user: { ...created, group: group.name }, ...(generated && { password: generated }) }, () =>
          [
            `Created user #${created.id} ${created.email} in group ${group.name}`,
            ...(generated ? [`Password (shown once): ${generated}`] : []),
          ].join('\n'),
        );
      });
    });

  user
    .command('list')
    .description('list users')
    .action(async (_options: unknown, command: Command) => {
      await withApp(command, async (app, json) => {
        const groups = new Map((await app.groups.list()).map((g) => [g.id, g.name]));
        const users: User[] = [];
        for (let page = await app.users.list(); page.length > 0; page = await app.users.list({ afterId: page[page.length - 1]!.id })) {
          users.push(...page);
        }
        output(
          json,
          users.map((u) => ({ ...u, group: groups.get(u.groupId) })),
          () => table(users.map((u) => userRow(u, groups.get(u.groupId) ?? '?'))),
        );
      });
    });

  user
    .command('passwd')
    .description("set a user's login password")
    .requiredOption('--email <email>', 'the user')
    .option('--password <password>', 'new password (generated and printed when absent)')
    .action(async (options: { email: string; password?: string }, command: Command) => {
      await withApp(command, async (app, json) => {
        const password = options.password ?? generatePassword(20);
        const updated = await app.users.setPassword(options.email, password);
        const generated = options.password === undefined ? password : undefined;
        output(json, { user: updated, ...(generated && { password: generated }) }, () =>
          [`Password changed for ${updated.email}`, ...(generated ? [`New password (shown once): ${generated}`] : [])].join('\n'),
        );
      });
    });

  for (const [name, status, verb] of [
    ['disable', 'disabled', 'Disabled'],
    ['enable', 'active', 'Enabled'],
  ] as const) {
    user
      .command(name)
      .description(`${name} a user's account`)
      .requiredOption('--email <email>', 'the user')
      .action(async (options: { email: string }, command: Command) => {
        await withApp(command, async (app, json) => {
          const updated = await app.users.setStatus(options.email, status);
          output(json, { user: updated }, () => `${verb} ${updated.email}`);
        });
      });
  }

  for (const [name, verb, description] of [
    ['join', 'joined', "add a user to a group beside their primary one (a shared folder's group gives its folder)"],
    ['leave', 'left', 'take a user out of a group they joined'],
  ] as const) {
    user
      .command(name)
      .description(description)
      .requiredOption('--email <email>', 'the user')
      .requiredOption('--group <group>', 'group name')
      .action(async (options: { email: string; group: string }, command: Command) => {
        await withApp(command, async (app, json) => {
          const { user: member, group } = await app.memberships[name](options.email, options.group);
          const groups = (await app.memberships.groupsOf(member.id)).map((g) => g.name);
          output(json, { user: member.email, group: group.name, groups }, () => `${member.email} ${verb} ${group.name}`);
        });
      });
  }

  user
    .command('set-group')
    .description('move a user to another group')
    .requiredOption('--email <email>', 'the user')
    .requiredOption('--group <group>', 'group name')
    .action(async (options: { email: string; group: string }, command: Command) => {
      await withApp(command, async (app, json) => {
        const updated = await app.users.setGroup(options.email, options.group);
        output(json, { user: updated }, () => `${updated.email} is now in group ${options.group}`);
      });
    });
}
