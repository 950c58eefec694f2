import { Database, JobRepository, type SqlDialectName } from '../../src/db/index.js';
import { DatabaseJobQueue } from '../../src/jobs/index.js';
import { freshDatabase, tempDir } from '../support/databases.js';

/** A fresh, migrated database and a function that opens queues on it with the given clock. */
export async function jobDatabase(dialect: SqlDialectName) {
  const dir = tempDir();
  const fresh = await freshDatabase(dialect, dir.path);
  const opened: Database[] = [];
  let tokens = 0;
  const open = async (clock: () => number, backoff = { baseMs: 1000, maxMs: 60_000, random: () => 0.5 }) => {
    const database = Database.open({ url: fresh.url });
    opened.push(database);
    await database.migrate();
    return new DatabaseJobQueue(database, new JobRepository(), { clock, newToken: () => `lease-${++tokens}`, backoff });
  };
  return {
    url: fresh.url,
    dir: dir.path,
    open,
    async close() {
      for (const database of opened) await database.close();
      await fresh.drop();
      dir.remove();
    },
  };
}

/** Resolves once `check` holds, asking every `everyMs`; the calling test's timeout is the budget. */
export async function until(check: () => Promise<boolean> | boolean, everyMs = 50): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, everyMs));
}
