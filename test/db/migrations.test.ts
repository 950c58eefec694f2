import { afterEach, describe, expect, it } from 'vitest';
import { Database } from '../../src/db/index.js';
import { DIALECTS, freshDatabase, tempDir } from '../support/databases.js';

describe.each(DIALECTS)('migrations on %s', (dialect) => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('apply, are idempotent, and roll back to an empty schema', async () => {
    const dir = tempDir();
    const fresh = await freshDatabase(dialect, dir.path);
    const database = Database.open({ url: fresh.url });
    cleanups.push(dir.remove, fresh.drop, () => database.close());

    const first = await database.migrate();
    expect(first.results?.map((r) => r.status)).toEqual(['Success', 'Success', 'Success']);
    const second = await database.migrate();
    expect(second.results).toEqual([]);
    const tables = (await database.db.introspection.getTables()).map((t) => t.name).filter((n) => !n.startsWith('schema_migrations'));
    expect(tables.sort()).toEqual([
      'blobs',
      'dav_accounts',
      'dead_properties',
      'entries',
      'groups',
      'locks',
      'sessions',
      'settings',
      'storage_policies',
      'users',
    ]);

    for (let i = 0; i < 3; i++) expect((await database.migrateDown()).error).toBeUndefined();
    const remaining = (await database.db.introspection.getTables()).map((t) => t.name).filter((n) => !n.startsWith('schema_migrations'));
    expect(remaining).toEqual([]);
    await database.migrate();
  });
});
