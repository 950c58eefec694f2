import type { Command } from 'commander';
import type { App } from '../../app.js';
import { parsePath, type Principal, type VPath } from '../../core/index.js';
import { output, withApp } from '../context.js';

interface FolderFlags {
  user: string;
  path: string;
  policy?: string;
}

async function target(app: App, flags: FolderFlags): Promise<{ principal: Principal; path: VPath }> {
  const user = await app.users.get(flags.user);
  return { principal: await app.users.principalFor(user), path: parsePath(flags.path) };
}

const where = (flags: FolderFlags) => `${flags.path} of ${flags.user}`;

export function registerFolder(program: Command): void {
  const folder = program.command('folder').description("bind a user's folders to storage policies");
  const located = (command: Command) =>
    command.requiredOption('--user <email>', 'the owner of the folder').requiredOption('--path <folder>', "the folder, in the user's tree");

  located(folder.command('bind').description('new files in the folder and its subfolders go to this policy'))
    .requiredOption('--policy <name>', "a policy the user's group allows")
    .action(async (flags: FolderFlags, command: Command) => {
      await withApp(command, async (app, json) => {
        const { principal, path } = await target(app, flags);
        const bound = await app.folderPolicies.bind(principal, path, flags.policy!);
        output(
          json,
          bound,
          () =>
            `New files in ${where(flags)} go to the storage policy "${bound.policy.name}" (existing files stay: see "cumulus policy migrate").`,
        );
      });
    });

  located(folder.command('unbind').description('the folder inherits its policy again')).action(
    async (flags: FolderFlags, command: Command) => {
      await withApp(command, async (app, json) => {
        const { principal, path } = await target(app, flags);
        const removed = await app.folderPolicies.unbind(principal, path);
        const now = await app.folderPolicies.of(principal, path);
        output(
          json,
          { removed, ...now },
          () => `${removed ? 'Unbound' : 'Was not bound:'} ${where(flags)}; new files there go to "${now.policy.name}".`,
        );
      });
    },
  );

  located(folder.command('policy').description('show where new files in the folder go')).action(
    async (flags: FolderFlags, command: Command) => {
      await withApp(command, async (app, json) => {
        const { principal, path } = await target(app, flags);
        const now = await app.folderPolicies.of(principal, path);
        output(
          json,
          now,
          () => `New files in ${where(flags)} go to "${now.policy.name}"${now.boundAt === null ? " (the user's default)" : ''}.`,
        );
      });
    },
  );
}
