import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceChangedError, SourceMissingError, sourceTag, type MountSource } from '../../src/storage/index.js';
import { readAll } from '../support/app.js';

/** What a remote source's test file hands the suite. */
export interface OpenedSource {
  readonly source: MountSource;
  /** Puts an object or file straight into the store, around the source (a change made outside Cumulus). */
  putOutside(names: readonly string[], text: string): Promise<void>;
  /** The store goes away abruptly, and comes back at the same address with its data. */
  readonly outage: { stop(): Promise<void>; restart(): Promise<void> };
  close(): Promise<void>;
}

const AWKWARD = ['with space', 'Ünïcödé 名前', 'percent%20plus+amp&semi;quote\'"', 'hash#and?query', '<xml>&amp;'];

const body = (text: string | Buffer) => Readable.from([Buffer.from(text)]);
const text = async (stream: Readable) => (await readAll(stream)).toString();
const names = async (source: MountSource, folder: string[]) =>
  (await source.list(folder)).children.map((child) => `${child.name}${child.stat.kind === 'folder' ? '/' : ''}`).sort();

/**
 * What every mount source (S3 prefix, remote WebDAV tree) must do, the blob contract's
 * behaviours for named trees: bytes and ranges, atomic overwrite, folders (empty ones kept),
 * rename, delete, awkward names, the store's ETags, a change made outside, and a store that
 * goes away mid-write losing nothing.
 */
export function mountSourceContract(name: string, open: () => Promise<OpenedSource>): void {
  describe(`mount source contract: ${name}`, () => {
    let opened: OpenedSource;
    let source: MountSource;
    beforeAll(async () => {
      opened = await open();
      source = opened.source;
    });
    afterAll(() => opened.close());

    it('writes a file, reads it whole and by range, and reports the same tag from write, stat and list', async () => {
      await source.mkdir(['a']);
      const written = await source.write(['a', 'f.txt'], body('0123456789'));
      expect(written).toMatchObject({ kind: 'file', size: 10 });
      expect(written.identity).not.toBe('');
      expect(await text(await source.read(['a', 'f.txt']))).toBe('0123456789');
      expect(await text(await source.read(['a', 'f.txt'], { start: 2, end: 5 }))).toBe('2345');
      const stat = await source.stat(['a', 'f.txt']);
      const listed = (await source.list(['a'])).children.find((child) => child.name === 'f.txt');
      expect(sourceTag(stat!)).toBe(sourceTag(written));
      expect(sourceTag(listed!.stat)).toBe(sourceTag(written));
      expect((await source.stat(['a']))?.kind).toBe('folder');
      expect(await source.stat(['a', 'missing'])).toBeNull();
    });

    it('overwrites whole, and refuses to serve a version that is gone', async () => {
      const first = await source.write(['a', 'o.txt'], body('first version'));
      const second = await source.write(['a', 'o.txt'], body('second'));
      expect(sourceTag(second)).not.toBe(sourceTag(first));
      expect(await text(await source.read(['a', 'o.txt'], undefined, sourceTag(second)))).toBe('second');
      await expect(source.read(['a', 'o.txt'], undefined, sourceTag(first))).rejects.toBeInstanceOf(SourceChangedError);
    });

    it('stores nothing when the check before commit throws', async () => {
      await source.write(['a', 'kept.txt'], body('kept'));
      const refused = source.write(['a', 'kept.txt'], body('replacement'), {
        beforeCommit: () => {
          throw new Error('size mismatch');
        },
      });
      await expect(refused).rejects.toThrow('size mismatch');
      expect(await text(await source.read(['a', 'kept.txt']))).toBe('kept');
      expect((await names(source, ['a'])).filter((n) => n.startsWith('.'))).toEqual([]);
    });

    it('keeps an empty folder visible, lists nested folders, and deletes a tree', async () => {
      await source.mkdir(['empty']);
      await source.mkdir(['tree']);
      await source.mkdir(['tree', 'sub']);
      await source.write(['tree', 'sub', 'x.txt'], body('x'));
      expect(await names(source, [])).toEqual(expect.arrayContaining(['empty/', 'tree/']));
      expect(await names(source, ['empty'])).toEqual([]);
      expect(await names(source, ['tree'])).toEqual(['sub/']);
      await expect(source.mkdir(['tree'])).rejects.toMatchObject({ code: 'EEXIST' });
      await source.remove(['tree']);
      expect(await source.stat(['tree'])).toBeNull();
      expect(await names(source, [])).not.toContain('tree/');
      await expect(source.list(['tree'])).rejects.toBeInstanceOf(SourceMissingError);
    });

    it('renames files and folders with what they hold', async () => {
      await source.mkdir(['r']);
      await source.mkdir(['r', 'dir']);
      await source.write(['r', 'dir', 'in.txt'], body('inside'));
      await source.write(['r', 'file.txt'], body('file'));
      await source.rename(['r', 'file.txt'], ['r', 'renamed.txt']);
      await source.rename(['r', 'dir'], ['r', 'moved']);
      expect(await names(source, ['r'])).toEqual(['moved/', 'renamed.txt']);
      expect(await text(await source.read(['r', 'moved', 'in.txt']))).toBe('inside');
      expect(await text(await source.read(['r', 'renamed.txt']))).toBe('file');
    });

    it('names files with awkward names as they are', async () => {
      await source.mkdir(['odd']);
      for (const each of AWKWARD) await source.write(['odd', each], body(each));
      expect(await names(source, ['odd'])).toEqual([...AWKWARD].sort());
      for (const each of AWKWARD) expect(await text(await source.read(['odd', each]))).toBe(each);
    });

    it('sees a file put into the store from outside', async () => {
      await opened.putOutside(['a', 'outside.txt'], 'from outside');
      expect(await names(source, ['a'])).toContain('outside.txt');
      expect(await text(await source.read(['a', 'outside.txt']))).toBe('from outside');
    });

    it('keeps the old file whole when the store goes away mid-write', async () => {
      await source.write(['a', 'crash.txt'], body('before the crash'));
      const slow = new Readable({ read() {} });
      slow.push(Buffer.alloc(64 * 1024, 1));
      const writing = source.write(['a', 'crash.txt'], slow);
      writing.catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await opened.outage.stop();
      slow.push(Buffer.alloc(64 * 1024, 2));
      slow.push(null);
      await expect(writing).rejects.toThrow();
      await opened.outage.restart();
      expect(await text(await source.read(['a', 'crash.txt']))).toBe('before the crash');
    });
  });
}
