import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AlreadyExistsError,
  ConflictError,
  ForbiddenError,
  InvalidArgumentError,
  NotFoundError,
  parsePath,
  type Principal,
} from '../../src/core/index.js';
import { DIALECTS } from '../support/databases.js';
import { bodyOf, readAll, startTestApp, type TestApp } from '../support/app.js';
import { storageState, storageUsed } from '../support/inspect.js';

const p = parsePath;

describe.each(DIALECTS)('vfs tree operations on %s', (dialect) => {
  let t: TestApp;
  let me: Principal;

  beforeAll(async () => {
    // Freeing bytes at once is what this tests: issue 12's trash and versions off.
    t = await startTestApp(dialect, { config: { trash: { retentionDays: 0 }, versions: { maxCount: 0 } } });
    me = (await t.newUser()).principal;
  });
  afterAll(() => t.close());

  it('lists a folder page by page in every order, folders first when asked', async () => {
    await t.app.vfs.mkdir(me, p('/list'));
    for (let i = 0; i < 23; i++) {
      const name = `f${String(i).padStart(2, '0')}`;
      await t.app.vfs.write(me, p(`/list/${name}`), bodyOf('x'.repeat(i % 5)), { mtime: 1_000_000 + ((i * 7) % 23) * 1000 });
    }
    await t.app.vfs.mkdir(me, p('/list/zz-folder'));
    await t.app.vfs.mkdir(me, p('/list/aa-folder'));

    const collect = async (options: Parameters<typeof t.app.vfs.list>[2]) => {
      const names: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await t.app.vfs.list(me, p('/list'), { ...options, limit: 4, cursor });
        names.push(...page.entries.map((e) => e.name));
        cursor = page.nextCursor ?? undefined;
        pages++;
      } while (cursor);
      expect(pages).toBe(Math.ceil(25 / 4));
      return names;
    };

    const byName = await collect({ sort: 'name' });
    expect(byName).toEqual([...byName].sort());
    expect(byName).toHaveLength(25);
    expect(await collect({ sort: 'name', direction: 'desc' })).toEqual([...byName].reverse());

    const foldersFirst = await collect({ sort: 'name', foldersFirst: true });
    expect(foldersFirst.slice(0, 2)).toEqual(['aa-folder', 'zz-folder']);

    const all = new Map((await t.app.vfs.list(me, p('/list'), { limit: 100 })).entries.map((e) => [e.name, e]));
    for (const [sort, key] of [
      ['size', 'size'],
      ['modified', 'mtime'],
      ['created', 'ctime'],
    ] as const) {
      for (const direction of ['asc', 'desc'] as const) {
        const names = await collect({ sort, direction, foldersFirst: true });
        expect(new Set(names).size).toBe(25);
        const files = names.filter((n) => all.get(n)!.kind === 'file').map((n) => all.get(n)!);
        for (let i = 1; i < files.length; i++) {
          const [a, b] = [files[i - 1]![key], files[i]![key]];
          expect(direction === 'asc' ? a <= b : a >= b).toBe(true);
        }
      }
    }
  });

  it('refuses cursors of another order and bad page sizes', async () => {
    const page = await t.app.vfs.list(me, p('/list'), { limit: 2, sort: 'size' });
    await expect(t.app.vfs.list(me, p('/list'), { limit: 2, sort: 'name', cursor: page.nextCursor! })).rejects.toThrow(
      'different sort order',
    );
    await expect(t.app.vfs.list(me, p('/list'), { cursor: 'garbage!' })).rejects.toThrow(InvalidArgumentError);
    await expect(t.app.vfs.list(me, p('/list'), { limit: 0 })).rejects.toThrow(InvalidArgumentError);
    await expect(t.app.vfs.list(me, p('/list/f01'))).rejects.toThrow(InvalidArgumentError);
  });

  it('renames and moves by changing one row, keeping identity', async () => {
    await t.app.vfs.mkdir(me, p('/m/src/deep/er'), { parents: true });
    await t.app.vfs.write(me, p('/m/src/deep/er/file'), bodyOf('payload'));
    const before = await t.app.vfs.stat(me, p('/m/src'));
    const { entry, replaced } = await t.app.vfs.move(me, p('/m/src'), p('/m/dst'));
    expect(replaced).toBe(false);
    expect(entry.id).toBe(before.id);
    expect(entry.name).toBe('dst');
    expect((await readAll((await t.app.vfs.read(me, p('/m/dst/deep/er/file'))).stream)).toString()).toBe('payload');
    await expect(t.app.vfs.stat(me, p('/m/src'))).rejects.toThrow(NotFoundError);
  });

  it('refuses moves into itself, onto itself, onto its ancestor, and over existing without overwrite', async () => {
    await expect(t.app.vfs.move(me, p('/m/dst'), p('/m/dst/deep/inside'))).rejects.toThrow(ConflictError);
    await expect(t.app.vfs.move(me, p('/m/dst'), p('/m/dst'))).rejects.toThrow(ForbiddenError);
    await expect(t.app.vfs.move(me, p('/m/dst/deep'), p('/m'), { overwrite: true })).rejects.toThrow(ConflictError);
    await expect(t.app.vfs.move(me, p('/m/dst/deep/er'), p('/m/dst'), { overwrite: true })).rejects.toThrow(ConflictError);
    await t.app.vfs.write(me, p('/m/other'), bodyOf('other'));
    await expect(t.app.vfs.move(me, p('/m/other'), p('/m/dst'))).rejects.toThrow(AlreadyExistsError);
    await expect(t.app.vfs.move(me, p('/'), p('/m/x'))).rejects.toThrow(ForbiddenError);
    await expect(t.app.vfs.move(me, p('/m/missing'), p('/m/x'))).rejects.toThrow(NotFoundError);
    await expect(t.app.vfs.move(me, p('/m/other'), p('/m/nope/x'))).rejects.toThrow(ConflictError);
    // Nothing changed.
    expect((await t.app.vfs.stat(me, p('/m/dst/deep/er/file'))).size).toBe(7);
    expect((await t.app.vfs.stat(me, p('/m/other'))).size).toBe(5);
  });

  it('overwrites on move when asked, freeing what was replaced', async () => {
    await t.app.vfs.write(me, p('/m/a'), bodyOf('aaa'));
    await t.app.vfs.write(me, p('/m/b'), bodyOf('bbbb'));
    const before = await storageState(t.app);
    const { replaced } = await t.app.vfs.move(me, p('/m/a'), p('/m/b'), { overwrite: true });
    expect(replaced).toBe(true);
    expect((await readAll((await t.app.vfs.read(me, p('/m/b'))).stream)).toString()).toBe('aaa');
    const after = await storageState(t.app);
    expect(after.objects).toBe(before.objects - 1);
    expect(after.ready).toBe(before.ready - 1);
  });

  it('copies files and trees by sharing blobs; copies are independent', async () => {
    const user = (await t.newUser()).principal;
    await t.app.vfs.mkdir(user, p('/tree/sub'), { parents: true });
    await t.app.vfs.write(user, p('/tree/one'), bodyOf('one'), { mtime: 42_000 });
    await t.app.vfs.write(user, p('/tree/sub/two'), bodyOf('two!'));
    const before = await storageState(t.app);
    const usedBefore = await storageUsed(t.app, user.userId);

    const { entry } = await t.app.vfs.copy(user, p('/tree'), p('/copy'));
    expect(entry.kind).toBe('folder');
    expect(await t.app.vfs.summary(user, p('/copy'))).toEqual({ files: 2, folders: 2, size: 7 });
    expect((await t.app.vfs.stat(user, p('/copy/one'))).mtime).toBe(42_000);
    const after = await storageState(t.app);
    expect(after.objects).toBe(before.objects); // no bytes copied
    expect(after.refs).toBe(before.refs + 2);
    expect(await storageUsed(t.app, user.userId)).toBe(usedBefore + 7);

    await t.app.vfs.delete(user, p('/tree'));
    expect((await readAll((await t.app.vfs.read(user, p('/copy/sub/two'))).stream)).toString()).toBe('two!');
    expect((await storageState(t.app)).objects).toBe(before.objects);
    await t.app.vfs.write(user, p('/copy/one'), bodyOf('changed'));
    await expect(t.app.vfs.copy(user, p('/copy'), p('/copy/sub/inner'))).rejects.toThrow(ConflictError);
    await expect(t.app.vfs.copy(user, p('/copy/one'), p('/copy/sub/two'))).rejects.toThrow(AlreadyExistsError);
    await t.app.vfs.copy(user, p('/copy/one'), p('/copy/sub/two'), { overwrite: true });
    expect((await readAll((await t.app.vfs.read(user, p('/copy/sub/two'))).stream)).toString()).toBe('changed');
  });

  it('copies a folder with more children than one insert batch', async () => {
    await t.app.vfs.mkdir(me, p('/wide'));
    const wide = await t.app.vfs.stat(me, p('/wide'));
    await t.app.database.transaction(async (tx) => {
      const rows = Array.from({ length: 1200 }, (_, i) => ({
        parent_id: wide.id,
        owner_id: me.userId,
        name: `n${i}`,
        kind: 'folder',
        size: 0,
        blob_id: null,
        mtime: 1,
        ctime: 1,
        etag: `e${i}`,
      }));
      for (let i = 0; i < rows.length; i += 400)
        await tx
          .insertInto('entries')
          .values(rows.slice(i, i + 400))
          .execute();
    });
    await t.app.vfs.write(me, p('/wide/n1199/leaf'), bodyOf('leaf'));
    await t.app.vfs.copy(me, p('/wide'), p('/wide2'));
    expect(await t.app.vfs.summary(me, p('/wide2'))).toEqual({ files: 1, folders: 1201, size: 4 });
    expect((await readAll((await t.app.vfs.read(me, p('/wide2/n1199/leaf'))).stream)).toString()).toBe('leaf');
  });

  it('deletes recursively, freeing blobs and storage use', async () => {
    const user = (await t.newUser()).principal;
    await t.app.vfs.mkdir(user, p('/d/x/y'), { parents: true });
    for (let i = 0; i < 5; i++) await t.app.vfs.write(user, p(`/d/x/y/f${i}`), bodyOf(`content ${i}`));
    await t.app.vfs.write(user, p('/d/top'), bodyOf('top'));
    const before = await storageState(t.app);
    expect(await storageUsed(t.app, user.userId)).toBe(5 * 9 + 3);
    await t.app.vfs.delete(user, p('/d'));
    await expect(t.app.vfs.stat(user, p('/d'))).rejects.toThrow(NotFoundError);
    const after = await storageState(t.app);
    expect(after.objects).toBe(before.objects - 6);
    expect(await storageUsed(t.app, user.userId)).toBe(0);
    await expect(t.app.vfs.delete(user, p('/'))).rejects.toThrow(ForbiddenError);
    await expect(t.app.vfs.delete(user, p('/d'))).rejects.toThrow(NotFoundError);
  });

  it('leaves the counters consistent for doctor', async () => {
    const report = await t.app.doctor.run();
    expect(report.problems).toEqual([]);
    expect(report.checkedFiles).toBeGreaterThan(20);
  });
});
