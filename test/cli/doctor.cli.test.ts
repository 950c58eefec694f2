import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../src/db/index.js';
import { cumulus } from '../support/cli.js';
import { DIALECTS, freshDatabase, tempDir } from '../support/databases.js';
import { expectInvariants } from '../support/invariants.js';

describe.each(DIALECTS)('cumulus doctor on a tree with a cycle on %s', (dialect) => {
  let dir: ReturnType<typeof tempDir>;
  let drop: () => Promise<void>;
  let url: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = tempDir();
    const database = await freshDatabase(dialect, dir.path);
    ({ drop, url } = database);
    env = { CUMULUS_DATABASE_URL: url };
  });
  afterAll(async () => {
    await drop();
    dir.remove();
  });

  const run = (...args: string[]) => cumulus(['--data', dir.path, ...args], env);

  it('reports the cycle (exit 4), repairs it under lost+found, and then finds nothing', async () => {
    expect(run('user', 'add', '--email', 'ann@example.test', '--password', 'long enough').status).toBe(0);
    const database = Database.open({ url });
    try {
      const db = database.db;
      const user = await db.selectFrom('users').select(['id', 'root_id']).executeTakeFirstOrThrow();
      const folder = (parent: number, name: string) =>
        db
          .insertInto('entries')
          .values({ parent_id: parent, owner_id: user.id, name, kind: 'folder', size: 0, blob_id: null, mtime: 0, ctime: 0, etag: name })
          .returning('id')
          .executeTakeFirstOrThrow();
      const a = await folder(user.root_id!, 'a');
      const b = await folder(a.id, 'b');
      await db.updateTable('entries').set({ parent_id: b.id }).where('id', '=', a.id).execute();

      const found = run('doctor', '--json');
      expect(found.status).toBe(4);
      expect(found.json()).toMatchObject({ problems: [{ kind: 'tree-cycle', entryId: a.id }], repaired: 0 });
      expect(run('doctor').stdout).toContain('form a parent cycle');

      const repaired = run('doctor', '--repair', '--json');
      expect(repaired.status).toBe(0);
      expect(repaired.json()).toMatchObject({ repaired: 1 });
      expect(run('doctor', '--json').json()).toMatchObject({ problems: [] });
      const moved = await db.selectFrom('entries').select(['parent_id', 'name']).where('id', '=', a.id).executeTakeFirstOrThrow();
      const lostFound = await db
        .selectFrom('entries')
        .select(['id', 'parent_id'])
        .where('name', '=', 'lost+found')
        .executeTakeFirstOrThrow();
      expect(moved).toEqual({ parent_id: lostFound.id, name: 'a' });
      expect(lostFound.parent_id).toBe(user.root_id);
      await expectInvariants(database);
    } finally {
      await database.close();
    }
  });
});
