import type { Command } from 'commander';
import type { App } from '../../app.js';
import { formatPath, parsePath, type Principal } from '../../core/index.js';
import type { LibraryView } from '../../services/index.js';
import { output, withApp } from '../context.js';

interface LibraryFlags {
  user: string;
  path?: string;
  import?: string;
}

async function principalOf(app: App, email: string): Promise<Principal> {
  return app.users.principalFor(await app.users.get(email));
}

/** What `--json` prints for a library: paths as strings, as the user sees them. */
function shown(library: LibraryView) {
  return {
    id: library.id,
    path: formatPath(library.path),
    import: library.importPath === null ? null : formatPath(library.importPath),
    pending: library.pending,
    createdAt: new Date(library.createdAt).toISOString(),
  };
}

const describe = (library: LibraryView) =>
  `#${library.id} ${formatPath(library.path)}${library.importPath ? ` (imports from ${formatPath(library.importPath)})` : ''}` +
  (library.pending > 0 ? `, ${library.pending} changes waiting for the next run` : '');

export function registerLibrary(program: Command): void {
  const library = program
    .command('library')
    .description('photo libraries: folders indexed, and fed from an import folder, a safety delay after writes settle');

  library
    .command('add')
    .description('mark a folder (of the user, or in a shared folder they see) as a photo library')
    .requiredOption('--user <email>', 'the user the library belongs to (its runs act as this user)')
    .requiredOption('--path <folder>', "the library's folder, in the user's tree")
    .option('--import <folder>', 'files put here are moved into the library as YYYY/MM/name (created when missing)')
    .action(async (flags: LibraryFlags, command: Command) => {
      await withApp(command, async (app, json) => {
        const principal = await principalOf(app, flags.user);
        const added = await app.libraries.add(principal, parsePath(flags.path!), flags.import ? parsePath(flags.import) : null);
        output(json, shown(added), () => `Photo library ${describe(added)} of ${flags.user}.`);
      });
    });

  library
    .command('list')
    .description("a user's photo libraries")
    .requiredOption('--user <email>', 'whose libraries')
    .action(async (flags: LibraryFlags, command: Command) => {
      await withApp(command, async (app, json) => {
        const libraries = await app.libraries.list(await principalOf(app, flags.user));
        output(json, libraries.map(shown), () =>
          libraries.length === 0 ? `${flags.user} has no photo library.` : libraries.map(describe).join('\n'),
        );
      });
    });

  library
    .command('remove')
    .description('unmark a photo library (its files stay where they are)')
    .requiredOption('--user <email>', 'the owner of the library')
    .requiredOption('--path <folder>', "the library's folder")
    .action(async (flags: LibraryFlags, command: Command) => {
      await withApp(command, async (app, json) => {
        const removed = await app.libraries.remove(await principalOf(app, flags.user), parsePath(flags.path!));
        output(json, shown(removed), () => `${formatPath(removed.path)} is no longer a photo library; its files stay.`);
      });
    });
}
