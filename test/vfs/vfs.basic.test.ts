import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import {
  AlreadyExistsError,
  ConflictError,
  InvalidArgumentError,
  IsAFolderError,
  NotAFolderError,
  NotFoundError,
  ReadOnlyError,
  parsePath,
  type Principal,
} from '../../src/core/index.js';
import { DIALECTS } from '../support/databases.js';
import { bodyOf, readAll, startTestApp, type TestApp } from '../support/app.js';
import { storageState } from '../support/inspect.js';

const p = parsePath;

describe.each(DIALECTS)('vfs basics on %s', (dialect) => {
  let t: TestApp;
  let me: Principal;

  beforeAll(async () => {
    t = await startTestApp(dialect);
    me = (await t.newUser()).principal;
  });
  afterAll(() => t.close());

  it('makes folders, with and without parents', async () => {
    const docs = await t.app.vfs.mkdir(me, p('/docs'));
    expect(docs).toMatchObject({ name: 'docs', kind: 'folder', size: 0 });
    await expect(t.app.vfs.mkdir(me, p('/docs'))).rejects.toThrow(AlreadyExistsError);
    await expect(t.app.vfs.mkdir(me, p('/nope/child'))).rejects.toThrow(ConflictError);
    const deep = await t.app.vfs.mkdir(me, p('/docs/a/b/c'), { parents: true });
    expect(deep.name).toBe('c');
    const again = await t.app.vfs.mkdir(me, p('/docs/a/b/c'), { parents: true });
    expect(again.id).toBe(deep.id);
    expect((await t.app.vfs.stat(me, p('/docs/a/b'))).kind).toBe('folder');
  });

  it('writes, reads whole and in ranges, with size, hash and a strong etag', async () => {
    const content = Buffer.from('hello, cumulus\n'.repeat(100));
    const { entry, created } = await t.app.vfs.write(me, p('/docs/hello.txt'), bodyOf(content), { mtime: 1_600_000_000_000 });
    expect(created).toBe(true);
    expect(entry).toMatchObject({ kind: 'file', size: content.length, mtime: 1_600_000_000_000 });
    expect(entry.sha256).toBe(createHash('sha256').update(content).digest('hex'));
    const whole = await t.app.vfs.read(me, p('/docs/hello.txt'));
    expect(await readAll(whole.stream)).toEqual(content);
    const part = await t.app.vfs.read(me, p('/docs/hello.txt'), { start: 7, end: 13 });
    expect((await readAll(part.stream)).toString()).toBe('cumulus');
    await expect(t.app.vfs.read(me, p('/docs/hello.txt'), { start: 0, end: content.length })).rejects.toThrow(InvalidArgumentError);
    await expect(t.app.vfs.read(me, p('/docs'))).rejects.toThrow(IsAFolderError);
  });

  it('overwrites in place: same id and ctime, new content and etag', async () => {
    const before = await t.app.vfs.stat(me, p('/docs/hello.txt'));
    const { entry, created } = await t.app.vfs.write(me, p('/docs/hello.txt'), bodyOf('new'));
    expect(created).toBe(false);
    expect(entry.id).toBe(before.id);
    expect(entry.ctime).toBe(before.ctime);
    expect(entry.etag).not.toBe(before.etag);
    expect(entry.size).toBe(3);
    expect((await readAll((await t.app.vfs.read(me, p('/docs/hello.txt'))).stream)).toString()).toBe('new');
    // The old blob went with its last reference.
    const state = await storageState(t.app);
    expect(state.objects).toBe(state.ready);
    expect(state.pending).toBe(0);
  });

  it('writes empty files', async () => {
    const { entry } = await t.app.vfs.write(me, p('/empty'), bodyOf(''));
    expect(entry.size).toBe(0);
    expect((await readAll((await t.app.vfs.read(me, p('/empty'))).stream)).length).toBe(0);
  });

  it('refuses writes into missing folders, through files and onto folders', async () => {
    await expect(t.app.vfs.write(me, p('/missing/x.txt'), bodyOf('x'))).rejects.toThrow(ConflictError);
    await expect(t.app.vfs.write(me, p('/docs/hello.txt/x.txt'), bodyOf('x'))).rejects.toThrow(ConflictError);
    await expect(t.app.vfs.write(me, p('/docs'), bodyOf('x'))).rejects.toThrow(IsAFolderError);
    await expect(t.app.vfs.stat(me, p('/docs/hello.txt/x.txt'))).rejects.toThrow(NotAFolderError);
    await expect(t.app.vfs.stat(me, p('/docs/none'))).rejects.toThrow(NotFoundError);
  });

  it('finds NFC entries by NFD names', async () => {
    await t.app.vfs.write(me, p('/Caf\u00e9.txt'), bodyOf('x'));
    const found = await t.app.vfs.stat(me, p('/Cafe\u0301.txt'));
    expect(found.name).toBe('Caf\u00e9.txt');
  });

  it('sets modification times', async () => {
    const entry = await t.app.vfs.setMtime(me, p('/docs/hello.txt'), 1_234_567_890_000);
    expect(entry.mtime).toBe(1_234_567_890_000);
    await expect(t.app.vfs.setMtime(me, p('/docs/hello.txt'), Number.NaN)).rejects.toThrow(InvalidArgumentError);
  });

  it('summarises folders', async () => {
    await t.app.vfs.mkdir(me, p('/sum/a'), { parents: true });
    await t.app.vfs.write(me, p('/sum/one'), bodyOf('12345'));
    await t.app.vfs.write(me, p('/sum/a/two'), bodyOf('123'));
    expect(await t.app.vfs.summary(me, p('/sum'))).toEqual({ files: 2, folders: 2, size: 8 });
  });

  it('keeps a view inside its root and read-only views read-only', async () => {
    const docs = await t.app.vfs.stat(me, p('/docs'));
    const jailed: Principal = { ...me, rootId: docs.id, readOnly: true, label: 'dav:test' };
    expect((await t.app.vfs.stat(jailed, p('/hello.txt'))).name).toBe('hello.txt');
    await expect(t.app.vfs.stat(jailed, p('/docs'))).rejects.toThrow(NotFoundError);
    await expect(t.app.vfs.write(jailed, p('/x'), bodyOf('x'))).rejects.toThrow(ReadOnlyError);
    await expect(t.app.vfs.mkdir(jailed, p('/x'))).rejects.toThrow(ReadOnlyError);
    await expect(t.app.vfs.delete(jailed, p('/hello.txt'))).rejects.toThrow(ReadOnlyError);
    await expect(t.app.vfs.move(jailed, p('/hello.txt'), p('/y'))).rejects.toThrow(ReadOnlyError);
  });

  it("cannot see another user's files", async () => {
    const other = (await t.newUser()).principal;
    await expect(t.app.vfs.stat(other, p('/docs'))).rejects.toThrow(NotFoundError);
    const page = await t.app.vfs.list(other, p('/'));
    expect(page.entries).toEqual([]);
  });
  it('refuses a modification time no date can show, changing nothing', async () => {
    const before = await storageState(t.app);
    for (const mtime of [9_007_199_254_740_991, -8.7e15, Number.NaN]) {
      await expect(t.app.vfs.write(me, p('/timeless.txt'), bodyOf('x'), { mtime })).rejects.toThrow(InvalidArgumentError);
      await expect(t.app.vfs.mkdir(me, p('/timeless'), { mtime })).rejects.toThrow(InvalidArgumentError);
    }
    expect(await storageState(t.app)).toEqual(before);
    await expect(t.app.vfs.stat(me, p('/timeless'))).rejects.toThrow(NotFoundError);
  });
});
