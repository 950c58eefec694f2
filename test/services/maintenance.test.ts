import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parsePath, type Principal } from '../../src/core/index.js';
import { storageKeyOf } from '../../src/vfs/index.js';
import { DIALECTS } from '../support/databases.js';
import { bodyOf, startTestApp, type TestApp } from '../support/app.js';
import { storageState } from '../support/inspect.js';

describe.each(DIALECTS)('gc and doctor on %s', (dialect) => {
  let t: TestApp;
  let me: Principal;

  beforeAll(async () => {
    // These checks are about bytes in the storage backend, so no blob is kept inline.
    t = await startTestApp(dialect, { config: { storage: { inlineMaxBytes: 0 } } });
    me = (await t.newUser()).principal;
    await t.app.vfs.write(me, parsePath('/a.txt'), bodyOf('alpha'));
    await t.app.vfs.write(me, parsePath('/b.txt'), bodyOf('bravo'));
  });
  afterAll(() => t.close());

  it('removes stored objects that have no blob row, and unreferenced blobs', async () => {
    const backend = t.app.backends.get(t.app.defaultPolicyId)!;
    await backend.put(storageKeyOf('ffff0000orphan'), Readable.from([Buffer.from('orphan bytes')]));
    await t.app.database.db
      .insertInto('blobs')
      .values({
        id: 'eeee0000unref',
        policy_id: t.app.defaultPolicyId,
        storage_key: storageKeyOf('eeee0000unref'),
        size: 3,
        sha256: null,
        state: 'ready',
        ref_count: 1,
        created_at: 0,
        touched_at: 0,
      })
      .execute();
    await backend.put(storageKeyOf('eeee0000unref'), Readable.from([Buffer.from('abc')]));

    const report = await t.app.gc.run({ graceMs: 3600_000 });
    expect(report).toMatchObject({ orphanObjects: 1, unreferenced: 1, stalePending: 0 });
    expect(report.freedBytes).toBe(12 + 3);
    const state = await storageState(t.app);
    expect(state.objects).toBe(2);
    expect(state.ready).toBe(2);
    expect((await t.app.gc.run({ graceMs: 0 })).orphanObjects).toBe(0);
  });

  it('reports missing and truncated content, and repairs counters', async () => {
    const a = await t.app.vfs.stat(me, parsePath('/a.txt'));
    const b = await t.app.vfs.stat(me, parsePath('/b.txt'));
    await t.app.backends.get(t.app.defaultPolicyId)!.delete(storageKeyOf(a.blobId!));
    writeFileSync(path.join(t.dataDir, 'blobs', storageKeyOf(b.blobId!)), 'br');
    await t.app.database.db.updateTable('users').set({ storage_used: 999 }).where('id', '=', me.userId).execute();
    await t.app.database.db.updateTable('blobs').set({ ref_count: 7 }).where('id', '=', b.blobId!).execute();

    const report = await t.app.doctor.run();
    expect(report.checkedFiles).toBe(2);
    expect(report.problems.map((problem) => problem.kind).sort()).toEqual([
      'missing-content',
      'reference-count',
      'storage-used',
      'wrong-size',
    ]);
    expect(report.problems.find((problem) => problem.kind === 'missing-content')?.entryId).toBe(a.id);

    const repaired = await t.app.doctor.run({ repair: true });
    expect(repaired.repaired).toBe(2);
    const again = await t.app.doctor.run();
    expect(again.problems.map((problem) => problem.kind).sort()).toEqual(['missing-content', 'wrong-size']);
  });
});

describe.each(DIALECTS)('gc and doctor with inline blobs on %s', (dialect) => {
  let t: TestApp;
  let me: Principal;

  beforeAll(async () => {
    t = await startTestApp(dialect, { config: { storage: { inlineMaxBytes: 16 } } });
    me = (await t.newUser()).principal;
  });
  afterAll(() => t.close());

  it('keeps small files in their row and large ones in the backend', async () => {
    await t.app.vfs.write(me, parsePath('/small.txt'), bodyOf('sixteen bytes!!!'));
    await t.app.vfs.write(me, parsePath('/large.txt'), bodyOf('seventeen bytes!!'));
    const backend = t.app.backends.get(t.app.defaultPolicyId)!;
    const keys: string[] = [];
    for await (const object of backend.list()) keys.push(object.key);
    const large = await t.app.vfs.stat(me, parsePath('/large.txt'));
    expect(keys).toEqual([storageKeyOf(large.blobId!)]);
    expect(await storageState(t.app)).toMatchObject({ ready: 2, pending: 0, objects: 2 });
    expect((await t.app.doctor.run()).problems).toEqual([]);
  });

  it('reports inline content of the wrong size, and gc removes unreferenced inline blobs without touching the backend', async () => {
    const small = await t.app.vfs.stat(me, parsePath('/small.txt'));
    await t.app.database.db
      .updateTable('blobs')
      .set({ content: Buffer.from('short') })
      .where('id', '=', small.blobId!)
      .execute();
    const report = await t.app.doctor.run();
    expect(report.problems.map((problem) => [problem.kind, problem.entryId])).toEqual([['wrong-size', small.id]]);

    await t.app.database.db
      .insertInto('blobs')
      .values({
        id: 'dddd0000inline',
        policy_id: t.app.defaultPolicyId,
        storage_key: '',
        size: 3,
        sha256: null,
        state: 'ready',
        ref_count: 1,
        created_at: 0,
        touched_at: 0,
        content: Buffer.from('abc'),
      })
      .execute();
    const before = await storageState(t.app);
    const gc = await t.app.gc.run({ graceMs: 3600_000 });
    expect(gc).toMatchObject({ unreferenced: 1, orphanObjects: 0, freedBytes: 3 });
    expect(await storageState(t.app)).toMatchObject({ ready: before.ready - 1, objects: before.objects - 1 });
  });
});
