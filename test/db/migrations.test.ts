import { afterEach, describe, expect, it } from 'vitest';
import { Database } from '../../src/db/index.js';
import { migrationsFor } from '../../src/db/migrations/index.js';
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
    const names = Object.keys(migrationsFor(dialect));
    expect(first.results?.map((r) => [r.migrationName, r.status])).toEqual(names.map((name) => [name, 'Success']));
    const second = await database.migrate();
    expect(second.results).toEqual([]);
    const tables = (await database.db.introspection.getTables()).map((t) => t.name).filter((n) => !n.startsWith('schema_migrations'));
    expect(tables.sort()).toEqual([
      'blobs',
      'dav_accounts',
      'dead_properties',
      'departures',
      'entries',
      'file_versions',
      'folder_policies',
      'groups',
      'jobs',
      'locks',
      'media',
      'mounts',
      'photo_changes',
      'photo_libraries',
      'sessions',
      'settings',
      'shared_versions',
      'shares',
      'storage_policies',
      'sync_accounts',
      'sync_pairs',
      'sync_state',
      'throttles',
      'trash',
      'upload_chunks',
      'upload_sessions',
      'user_groups',
      'users',
    ]);

    for (const _name of names) expect((await database.migrateDown()).error).toBeUndefined();
    const remaining = (await database.db.introspection.getTables()).map((t) => t.name).filter((n) => !n.startsWith('schema_migrations'));
    expect(remaining).toEqual([]);
    await database.migrate();
  });
});
