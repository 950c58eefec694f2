import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePath, type Principal } from '../../../src/core/index.js';
import { DIALECTS } from '../../support/databases.js';
import { bodyOf, readAll, startTestApp, type TestApp } from '../../support/app.js';
import { expectInvariants } from '../../support/invariants.js';
import { allowForUsers, localPolicy, placeOf, storedIn } from './support.js';

describe.each(DIALECTS)('folders bound to storage policies on %s', (dialect) => {
  let t: TestApp;
  let me: Principal;
  let fast: { id: number; dir: string };
  let cold: { id: number; dir: string };

  beforeAll(async () => {
    t = await startTestApp(dialect);
    fast = await localPolicy(t.app, t.dataDir, 'fast');
    cold = await localPolicy(t.app, t.dataDir, 'cold');
    await allowForUsers(t.app, [t.app.defaultPolicyId, fast.id, cold.id]);
    me = (await t.newUser()).principal;
    await t.app.vfs.mkdir(me, parsePath('/photos/raw/2024'), { parents: true });
  });
  afterAll(() => t.close());

  const write = async (path: string, text: string) => (await t.app.vfs.write(me, parsePath(path), bodyOf(text))).entry;

  it('sends new files below a bound folder to its policy, subfolders inheriting, the nearest binding winning', async () => {
    await t.app.folderPolicies.bind(me, parsePath('/photos'), 'fast');
    await t.app.folderPolicies.bind(me, parsePath('/photos/raw'), 'cold');

    const top = await write('/photos/a.jpg', 'top level photo');
    const deep = await write('/photos/raw/2024/b.raw', 'a raw file deep down');
    const elsewhere = await write('/notes.txt', 'small note');

    expect((await placeOf(t.app, top.blobId!)).policyId).toBe(fast.id);
    expect(storedIn(fast.dir, top.blobId!)).toBe(true);
    expect((await placeOf(t.app, deep.blobId!)).policyId).toBe(cold.id);
    expect(storedIn(cold.dir, deep.blobId!)).toBe(true);
    expect(storedIn(fast.dir, deep.blobId!)).toBe(false);
    // The default policy keeps small files inline (storage.inlineMaxBytes); the bound ones keep none.
    expect((await placeOf(t.app, elsewhere.blobId!)).policyId).toBe(t.app.defaultPolicyId);

    expect(await t.app.folderPolicies.of(me, parsePath('/photos/raw/2024'))).toMatchObject({ policy: { name: 'cold' } });
    expect((await readAll((await t.app.vfs.read(me, parsePath('/photos/raw/2024/b.raw'))).stream)).toString()).toBe('a raw file deep down');
  });

  it('inherits again after unbinding; existing files stay where they are', async () => {
    const before = await t.app.vfs.stat(me, parsePath('/photos/raw/2024/b.raw'));
    expect(await t.app.folderPolicies.unbind(me, parsePath('/photos/raw'))).toBe(true);
    expect(await t.app.folderPolicies.unbind(me, parsePath('/photos/raw'))).toBe(false);
    const after = await write('/photos/raw/2024/c.raw', 'after unbinding');
    expect((await placeOf(t.app, after.blobId!)).policyId).toBe(fast.id);
    expect((await placeOf(t.app, before.blobId!)).policyId).toBe(cold.id);
  });

  it('keeps blobs where they are on MOVE, and shares the blob on COPY into a bound folder', async () => {
    await t.app.vfs.mkdir(me, parsePath('/archive'));
    await t.app.folderPolicies.bind(me, parsePath('/archive'), 'cold');
    const note = await t.app.vfs.stat(me, parsePath('/notes.txt'));
    await t.app.vfs.copy(me, parsePath('/notes.txt'), parsePath('/archive/notes-copy.txt'));
    const copied = await t.app.vfs.stat(me, parsePath('/archive/notes-copy.txt'));
    expect(copied.blobId).toBe(note.blobId);
    const moved = await t.app.vfs.move(me, parsePath('/photos/a.jpg'), parsePath('/archive/a.jpg'));
    expect((await placeOf(t.app, moved.entry.blobId!)).policyId).toBe(fast.id);
    // Overwriting a file in a bound folder stores the new content there.
    const rewritten = await write('/archive/a.jpg', 'rewritten in the archive');
    expect((await placeOf(t.app, rewritten.blobId!)).policyId).toBe(cold.id);
    await expectInvariants(t.app.database, { quiescent: true });
  });

  it('refuses a policy the group does not allow, naming the group and what it allows', async () => {
    const other = await localPolicy(t.app, t.dataDir, 'not-for-users');
    await expect(t.app.folderPolicies.bind(me, parsePath('/photos'), 'not-for-users')).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: 'The group "User" may not use the storage policy "not-for-users"; it allows "Default local storage", "fast", "cold"',
    });
    await expect(t.app.folderPolicies.bind(me, parsePath('/notes.txt'), 'fast')).rejects.toMatchObject({ code: 'NOT_A_FOLDER' });
    await expect(t.app.folderPolicies.bind(me, parsePath('/missing'), 'fast')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(t.app.folderPolicies.bind(me, parsePath('/photos'), 'no-such-policy')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(other.id).toBeGreaterThan(0);
  });

  it('answers the upload policy of a folder from the binding (the listing and direct uploads ask it)', async () => {
    expect(await t.app.uploads.policyOf(me, parsePath('/archive'))).toEqual({ id: cold.id, name: 'cold', type: 'local' });
    expect(await t.app.uploads.policyOf(me, parsePath('/'))).toMatchObject({ id: t.app.defaultPolicyId });
  });

  it('drops the binding with its folder', async () => {
    // For good: a trashed folder (issue 12) keeps its binding until it is purged.
    await t.app.vfs.delete(me, parsePath('/archive'), { permanent: true });
    const rows = await t.app.database.db.selectFrom('folder_policies').selectAll().execute();
    expect(rows.map((row) => Number(row.policy_id))).toEqual([fast.id]);
  });
});
