import type { Command } from 'commander';
import { Database } from '../../db/index.js';
import { databaseUrlOf } from '../../config/index.js';
import { configFrom, output } from '../context.js';

/**
 * `cumulus migrate`: applies pending migrations on purpose. Other one-shot commands refuse
 * to while a server of another version uses the database (ServerPresence); a server's own
 * start migrates too.
 */
export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (also while a server of another version is running)')
    .action(async (_options: unknown, command: Command) => {
      const config = configFrom(command);
      const json = Boolean(command.optsWithGlobals<{ json?: boolean }>().json);
      const database = Database.open({ url: databaseUrlOf(config), busyTimeoutMs: config.database.busyTimeoutMs });
      try {
        const result = await database.migrate();
        const applied = (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
        output(json, { applied }, () => (applied.length === 0 ? 'The database is up to date.' : `Applied: ${applied.join(', ')}`));
      } finally {
        await database.close();
      }
    });
}
