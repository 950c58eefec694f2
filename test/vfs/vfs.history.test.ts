import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, parsePath, type Principal } from '../../src/core/index.js';
import { SAFE_SAVE_WINDOW_MS } from '../../src/vfs/index.js';
import { DIALECTS } from '../support/databases.js';
import { bodyOf, readAll, startTestApp, type TestApp } from '../support/app.js';
import { expectInvariants } from '../support/invariants.js';

const p = parsePath;

describe.each(DIALECTS)('versions and trash on %s', (dialect) => {
  let t: TestApp;
  let me: Principal;
  let now = Date.UTC(2026, 11, 7, 12);

  beforeAll(async () => {
    t = await startTestApp(dialect, { clock: () => now });
    me = (await t.newUser()).principal;
  });
  afterAll(() => t.close());

  const text = async (path: string) => (await readAll((await t.app.vfs.read(me, p(path))).stream)).toString();
  const used = async () => (await t.app.vfs.capacity({ ...me, quota: 1e12 })).used;

  it('keeps every overwritten content as a version, charged, and restores exact bytes under the same id', async () => {
    const first = await t.app.vfs.write(me, p('/doc.txt'), bodyOf('one'));
    now += 1000;
    await t.app.vfs.write(me, p('/doc.txt'), bodyOf('two!'));
    now += 1000;
    const third = await t.app.vfs.write(me, p('/doc.txt'), bodyOf('three'));
    expect(third.entry.id).toBe(first.entry.id);
    const { versions } = await t.app.vfs.history.versions(me, p('/doc.txt'));
    expect(versions.map((v) => [v.size, v.current])).toEqual([
      [5, true],
      [4, false],
      [3, false],
    ]);
    await expectInvariants(t.app.database);
    const oldest = versions[2]!;
    const restored = await t.app.vfs.history.restoreVersion(me, p('/doc.txt'), oldest.id);
    expect(restored.id).toBe(first.entry.id);
    expect(await text('/doc.txt')).toBe('one');
    const after = await t.app.vfs.history.versions(me, p('/doc.txt'));
    expect(after.versions.map((v) => v.size)).toEqual([3, 5, 4]);
    await t.app.vfs.history.deleteVersion(me, p('/doc.txt'), after.versions[2]!.id);
    expect((await t.app.vfs.history.versions(me, p('/doc.txt'))).versions).toHaveLength(2);
    await expect(t.app.vfs.history.deleteVersion(me, p('/doc.txt'), 0)).rejects.toThrow(/current version/);
    await expectInvariants(t.app.database);
  });

  it('keeps a version on COPY and MOVE over a file, not for temporary names or empty content', async () => {
    await t.app.vfs.write(me, p('/a.txt'), bodyOf('A'));
    await t.app.vfs.write(me, p('/b.txt'), bodyOf('B'));
    await t.app.vfs.copy(me, p('/a.txt'), p('/b.txt'), { overwrite: true });
    await t.app.vfs.write(me, p('/c.txt'), bodyOf('C'));
    await t.app.vfs.move(me, p('/c.txt'), p('/b.txt'), { overwrite: true });
    expect((await t.app.vfs.history.versions(me, p('/b.txt'))).versions.map((v) => v.size)).toEqual([1, 1, 1]);
    await t.app.vfs.write(me, p('/x.tmp'), bodyOf('temp'));
    await t.app.vfs.write(me, p('/x.tmp'), bodyOf('temp2'));
    await t.app.vfs.write(me, p('/empty.txt'), bodyOf(''));
    await t.app.vfs.write(me, p('/empty.txt'), bodyOf('now full'));
    expect((await t.app.vfs.history.versions(me, p('/x.tmp'))).versions).toHaveLength(1);
    expect((await t.app.vfs.history.versions(me, p('/empty.txt'))).versions).toHaveLength(1);
    await expectInvariants(t.app.database);
  });

  it('moves a deleted folder to the trash, unreachable, and restores it whole with the same ids', async () => {
    await t.app.vfs.mkdir(me, p('/Photos/2024'), { parents: true });
    const inner = await t.app.vfs.write(me, p('/Photos/2024/beach.jpg'), bodyOf('jpeg bytes'));
    const folder = await t.app.vfs.stat(me, p('/Photos'));
    const before = await used();
    await t.app.vfs.delete(me, p('/Photos'));
    await expect(t.app.vfs.stat(me, p('/Photos/2024/beach.jpg'))).rejects.toBeInstanceOf(NotFoundError);
    await expect(t.app.lookups.find(me, inner.entry.id)).rejects.toBeInstanceOf(NotFoundError);
    expect(await used()).toBe(before);
    const trash = await t.app.vfs.history.trash(me);
    expect(trash.map((item) => [item.entry.id, item.record.restorePath])).toContainEqual([folder.id, ['Photos']]);
    await expectInvariants(t.app.database);
    // The name was taken meanwhile: the restored folder gets another.
    await t.app.vfs.mkdir(me, p('/Photos'));
    const { path } = await t.app.vfs.history.restore(me, folder.id);
    expect(path).toEqual(['Photos (restored)']);
    expect((await t.app.vfs.stat(me, p('/Photos (restored)/2024/beach.jpg'))).id).toBe(inner.entry.id);
    expect(await text('/Photos (restored)/2024/beach.jpg')).toBe('jpeg bytes');
    await expectInvariants(t.app.database);
  });

  it('recreates missing parents on restore; temporary names and permanent deletes skip the trash', async () => {
    await t.app.vfs.mkdir(me, p('/deep/er'), { parents: true });
    const file = await t.app.vfs.write(me, p('/deep/er/note.md'), bodyOf('note'));
    await t.app.vfs.delete(me, p('/deep/er/note.md'));
    await t.app.vfs.delete(me, p('/deep'), { permanent: true });
    await t.app.vfs.history.restore(me, file.entry.id);
    expect(await text('/deep/er/note.md')).toBe('note');
    await t.app.vfs.write(me, p('/~$note.docx'), bodyOf('owner file'));
    await t.app.vfs.delete(me, p('/~$note.docx'));
    const trash = await t.app.vfs.history.trash(me);
    expect(trash.some((item) => item.entry.name === '~$note.docx' || item.entry.name === 'deep')).toBe(false);
    await expectInvariants(t.app.database);
  });

  it('refuses a view rooted in a trashed folder until it is restored', async () => {
    const { user, principal } = await t.newUser();
    const folder = await t.app.vfs.mkdir(principal, p('/Shared'));
    await t.app.users.principalFor(user, { rootId: folder.id });
    await t.app.vfs.delete(principal, p('/Shared'));
    await expect(t.app.users.principalFor(user, { rootId: folder.id })).rejects.toBeInstanceOf(NotFoundError);
    await t.app.vfs.history.restore(principal, folder.id);
    expect((await t.app.users.principalFor(user, { rootId: folder.id })).rootId).toBe(folder.id);
  });

  it('purges and empties the trash, giving back the bytes', async () => {
    const { principal } = await t.newUser();
    const cap = async () => (await t.app.vfs.capacity({ ...principal, quota: 1e12 })).used;
    await t.app.vfs.write(principal, p('/one.bin'), bodyOf('12345'));
    await t.app.vfs.write(principal, p('/one.bin'), bodyOf('123456'));
    await t.app.vfs.write(principal, p('/two.bin'), bodyOf('1234567'));
    expect(await cap()).toBe(18);
    await t.app.vfs.delete(principal, p('/one.bin'));
    await t.app.vfs.delete(principal, p('/two.bin'));
    const [newest] = await t.app.vfs.history.trash(principal);
    await t.app.vfs.history.purge(principal, newest!.entry.id);
    expect(await cap()).toBe(11);
    expect(await t.app.vfs.history.empty(principal)).toBe(1);
    expect(await cap()).toBe(0);
    await expectInvariants(t.app.database);
  });

  it('retention deletes for good, oldest first, only what was trashed longer ago than trash.retentionDays', async () => {
    const { principal } = await t.newUser();
    await t.app.vfs.write(principal, p('/old.txt'), bodyOf('old'));
    await t.app.vfs.write(principal, p('/new.txt'), bodyOf('new'));
    await t.app.vfs.delete(principal, p('/old.txt'));
    now += 20 * 86_400_000;
    await t.app.vfs.delete(principal, p('/new.txt'));
    now += 10 * 86_400_000 + 1;
    const before = (await t.app.vfs.history.trash(principal)).map((item) => item.entry.name);
    await t.app.vfs.history.collectExpired();
    const after = (await t.app.vfs.history.trash(principal)).map((item) => item.entry.name);
    expect(before).toEqual(['new.txt', 'old.txt']);
    expect(after).toEqual(['new.txt']);
    await expectInvariants(t.app.database);
  });

  describe('saves through a temporary file (webdav-clients.md)', () => {
    it('LibreOffice: delete the original, rename the temporary file onto it: same id, one version', async () => {
      const original = await t.app.vfs.write(me, p('/report.odt'), bodyOf('version 1'));
      now += 60_000;
      await t.app.vfs.write(me, p('/lu12345.tmp'), bodyOf('version 2'));
      await t.app.vfs.delete(me, p('/report.odt'));
      const { entry } = await t.app.vfs.move(me, p('/lu12345.tmp'), p('/report.odt'));
      expect(entry.id).toBe(original.entry.id);
      expect(await text('/report.odt')).toBe('version 2');
      const { versions } = await t.app.vfs.history.versions(me, p('/report.odt'));
      expect(versions).toHaveLength(2);
      await t.app.vfs.history.restoreVersion(me, p('/report.odt'), versions[1]!.id);
      expect(await text('/report.odt')).toBe('version 1');
      expect((await t.app.vfs.history.trash(me)).some((item) => item.entry.id === original.entry.id)).toBe(false);
      await expectInvariants(t.app.database);
    });

    it('Word: rename the original away, the temporary file onto it, delete the backup: same id, one version', async () => {
      const original = await t.app.vfs.write(me, p('/thesis.docx'), bodyOf('draft 1'));
      await t.app.vfs.write(me, p('/~WRD0000.tmp'), bodyOf('draft 2'));
      await t.app.vfs.move(me, p('/thesis.docx'), p('/~WRL0001.tmp'));
      const { entry } = await t.app.vfs.move(me, p('/~WRD0000.tmp'), p('/thesis.docx'));
      expect(entry.id).toBe(original.entry.id);
      expect(await text('/~WRL0001.tmp')).toBe('draft 1');
      await t.app.vfs.delete(me, p('/~WRL0001.tmp'));
      expect(await text('/thesis.docx')).toBe('draft 2');
      const { versions } = await t.app.vfs.history.versions(me, p('/thesis.docx'));
      expect(versions.map((v) => v.size)).toEqual([7, 7]);
      const old = await t.app.vfs.history.openVersion(me, p('/thesis.docx'), versions[1]!.id);
      expect((await readAll(old.stream)).toString()).toBe('draft 1');
      await expectInvariants(t.app.database);
    });

    it('after the window, or by another principal, a rename makes a new file', async () => {
      const original = await t.app.vfs.write(me, p('/late.odt'), bodyOf('v1'));
      await t.app.vfs.delete(me, p('/late.odt'));
      now += SAFE_SAVE_WINDOW_MS + 1;
      await t.app.vfs.write(me, p('/lu999.tmp'), bodyOf('v2'));
      const late = await t.app.vfs.move(me, p('/lu999.tmp'), p('/late.odt'));
      expect(late.entry.id).not.toBe(original.entry.id);
      await t.app.vfs.write(me, p('/other.odt'), bodyOf('v1'));
      await t.app.vfs.delete(me, p('/other.odt'));
      await t.app.vfs.write(me, p('/lu998.tmp'), bodyOf('v2'));
      const someoneElse = { ...me, label: 'dav:999', lockHolder: 'dav:999' };
      const moved = await t.app.vfs.move(someoneElse, p('/lu998.tmp'), p('/other.odt'));
      expect((await t.app.vfs.history.versions(me, p('/other.odt'))).versions).toHaveLength(1);
      expect(moved.entry.name).toBe('other.odt');
      await expectInvariants(t.app.database);
    });
  });
});
