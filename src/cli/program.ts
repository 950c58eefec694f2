// The CLI's commands; loaded by main.ts once the runtime is known to be supported.
import { Command, CommanderError } from 'commander';
import { readVersion } from '../config/index.js';
import { registerDavAccount } from './commands/dav-account.js';
import { registerGroup } from './commands/group.js';
import { registerMaintenance } from './commands/maintenance.js';
import { registerMigrate } from './commands/migrate.js';
import { registerServe } from './commands/serve.js';
import { registerSettings } from './commands/settings.js';
import { registerUser } from './commands/user.js';
import { registerJobs } from './commands/jobs.js';
import { registerPolicy } from './commands/policy.js';
import { registerFolder } from './commands/folder.js';
import { registerMount } from './commands/mount.js';
import { registerLibrary } from './commands/library.js';
import { registerSync } from './commands/sync.js';
import { registerHistory } from './commands/history.js';
import { reportError } from './context.js';

const program = new Command('cumulus')
  .description('Cumulus: a self-hosted file cloud')
  .version(readVersion())
  .option('--data <dir>', 'data directory (env CUMULUS_DATA, default ./data)')
  .option('--config <file>', 'JSON config file (env CUMULUS_CONFIG, default DATA/config.json)')
  .option('--database-url <url>', 'postgres://… or sqlite:PATH (env CUMULUS_DATABASE_URL)')
  .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent')
  .option('--json', 'machine-readable output')
  .exitOverride();

// What the server writes is its own (DESIGN.md: the data directory is private); files a library
// creates without an explicit mode come out owner-only too.
process.umask(0o077);

registerServe(program);
registerUser(program);
registerGroup(program);
registerMaintenance(program);
registerMigrate(program);
registerDavAccount(program);
registerSettings(program);
registerJobs(program);
registerPolicy(program);
registerFolder(program);
registerMount(program);
registerLibrary(program);
registerSync(program);
registerHistory(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else {
    process.exitCode = reportError(error, process.argv.includes('--json'));
  }
}
