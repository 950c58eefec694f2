import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { parsePath, type Entry, type Principal } from '../../src/core/index.js';
import { DIALECTS } from '../support/databases.js';
import { bodyOf, readAll, startTestApp, type TestApp } from '../support/app.js';
import { expectInvariants, treeViolations } from '../support/invariants.js';

const p = parsePath;

/** Damage planted with SQL: doctor names each kind, and --repair mends it without losing a byte. */
describe.each(DIALECTS)('doctor on a damaged tree on %s', (dialect) => {
  let t: TestApp;
  let me: Principal;
  let a: Entry;
  let x: Entry;

  beforeAll(async () => {
    t = await startTestApp(dialect);
    me = (await t.newUser()).principal;
    const vfs = t.app.vfs;
    await vfs.write(me, p('/keep.txt'), bodyOf('kept'));
    await vfs.mkdir(me, p('/a/b/c'), { parents: true });
    await vfs.write(me, p('/a/b/c/f'), bodyOf('in the cycle'));
    await vfs.mkdir(me, p('/x/y'), { parents: true });
    await vfs.write(me, p('/x/y/z'), bodyOf('below a lost parent'));
    await vfs.mkdir(me, p('/lost+found/a'), { parents: true }); // the repair must not overwrite it
    a = await vfs.stat(me, p('/a'));
    x = await vfs.stat(me, p('/x'));
    const c = await vfs.stat(me, p('/a/b/c'));
    const db = t.app.database.db;

    // A cycle a → c → b → a.
    await db.updateTable('entries').set({ parent_id: c.id }).where('id', '=', a.id).execute();
    // A lost parent: /x goes without its children (only where the foreign key is not enforced).
    if (dialect === 'sqlite') {
      await sql`pragma foreign_keys = off`.execute(db);
      await db.deleteFrom('entries').where('id', '=', x.id).execute();
      await sql`pragma foreign_keys = on`.execute(db);
    } else {
      await db.transaction().execute(async (tx) => {
        await sql`set local session_replication_role = replica`.execute(tx);
        await tx.deleteFrom('entries').where('id', '=', x.id).execute();
      });
    }
    // A top-level folder that is no user's root.
    await db
      .insertInto('entries')
      .values({
        parent_id: null,
        owner_id: me.userId,
        name: 'stray',
        kind: 'folder',
        size: 0,
        blob_id: null,
        mtime: 0,
        ctime: 0,
        etag: 's',
      })
      .execute();
    // And a wrong counter.
    await db.updateTable('users').set({ storage_used: 1 }).where('id', '=', me.userId).execute();
  });
  afterAll(() => t.close());

  it('finds the cycle, the lost parent, the stray top-level folder and the wrong usage', async () => {
    expect((await treeViolations(t.app.database)).length).toBeGreaterThan(0);
    const report = await t.app.doctor.run();
    expect(report.problems.map((problem) => problem.kind).sort()).toEqual(['orphan', 'storage-used', 'stray-root', 'tree-cycle']);
    expect(report.problems.find((problem) => problem.kind === 'tree-cycle')).toMatchObject({ entryId: a.id, userId: me.userId });
    expect(report.problems.find((problem) => problem.kind === 'orphan')?.message).toContain(`lost its parent #${x.id}`);
    expect(report.repaired).toBe(0);
  });

  it('--repair moves what was cut off under lost+found and recomputes the counters; nothing is lost', async () => {
    const report = await t.app.doctor.run({ repair: true });
    expect(report.repaired).toBe(4);
    expect((await t.app.doctor.run()).problems).toEqual([]);
    await expectInvariants(t.app.database);

    const names = (await t.app.vfs.list(me, p('/lost+found'))).entries.map((entry) => entry.name).sort();
    expect(names).toEqual(['a', `a (#${a.id})`, 'stray', 'y']);
    const read = async (path: string) => (await readAll((await t.app.vfs.read(me, p(path))).stream)).toString();
    expect(await read(`/lost+found/a (#${a.id})/b/c/f`)).toBe('in the cycle');
    expect(await read('/lost+found/y/z')).toBe('below a lost parent');
    expect(await read('/keep.txt')).toBe('kept');
    // The mended tree is an ordinary tree again: its parts move and delete as any other.
    await t.app.vfs.delete(me, p(`/lost+found/a (#${a.id})`));
    await expectInvariants(t.app.database);
  });
});
