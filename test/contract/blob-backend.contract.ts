import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { isDomainError } from '../../src/core/index.js';
import { BlobMissingError, type BlobBackend } from '../../src/storage/index.js';
import { readAll } from '../support/app.js';
import { generatedBody, peakRssGrowth, sha256Of } from '../support/generated-body.js';

/** What a backend's test file hands the suite. */
export interface OpenedBackend {
  readonly backend: BlobBackend;
  close(): Promise<void>;
  /**
   * For remote stores: makes the store go away abruptly (the process killed, the listener
   * closed with its connections); `restart` brings it back at the same address with its data.
   */
  readonly outage?: { stop(): Promise<void>; restart(): Promise<void> };
}

export interface ContractOptions {
  /** Why this backend skips the 1 GiB body (the memory backend holds every byte by design; a second server of one backend type proves nothing new). */
  readonly skipHugeBody?: string;
}

const GiB = 1024 * 1024 * 1024;
/**
 * Growth of the process's resident memory a 1 GiB put or get may cause: an eighth of the body,
 * room for S3's parts in flight ((queue + 1) × part size) and the heap's first growth, far
 * below what holding the body would take.
 */
const RSS_GROWTH_LIMIT = 128 * 1024 * 1024;
/** s3rver takes over a minute for 1 GiB here; a budget that holds on a loaded machine. */
const HUGE_BODY_BUDGET_MS = 15 * 60_000;

/** Names a key may hold where keys are names (mounts): spaces, Unicode, URL and XML specials. */
const AWKWARD_NAMES = ['with space', 'Ünïcödé 名前', 'percent%20plus+amp&semi;quote\'"', 'hash#and?query', '<xml>&amp;'];

/**
 * The one conformance suite every storage backend runs (STYLE.md item 3). A backend's test
 * file calls this with a factory; any skip is declared there with its reason.
 */
export function blobBackendContract(name: string, open: () => Promise<OpenedBackend>, options: ContractOptions = {}): void {
  describe(`blob backend contract: ${name}`, () => {
    let backend: BlobBackend;
    let opened: OpenedBackend;

    beforeAll(async () => {
      opened = await open();
      backend = opened.backend;
    });
    afterAll(() => opened.close());

    const listed = async (prefix: string) => {
      const found: Array<{ key: string; size: number }> = [];
      for await (const object of backend.list()) if (object.key.startsWith(prefix)) found.push({ key: object.key, size: object.size });
      return found.sort((a, b) => (a.key < b.key ? -1 : 1));
    };

    const body = (text: string | Buffer) => Readable.from([Buffer.from(text)]);

    it('stores and reads back bytes, whole and by range', async () => {
      const bytes = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 251));
      expect(await backend.put('ab/cd/one', body(bytes))).toBe(3000);
      expect(await readAll(await backend.get('ab/cd/one'))).toEqual(bytes);
      expect(await readAll(await backend.get('ab/cd/one', { start: 10, end: 19 }))).toEqual(bytes.subarray(10, 20));
      expect(await readAll(await backend.get('ab/cd/one', { start: 2999, end: 2999 }))).toEqual(bytes.subarray(2999));
      expect(await backend.stat('ab/cd/one')).toEqual({ size: 3000 });
    });

    it('stores empty objects', async () => {
      expect(await backend.put('ab/cd/empty', body(''))).toBe(0);
      expect((await readAll(await backend.get('ab/cd/empty'))).length).toBe(0);
    });

    it('reports missing objects', async () => {
      await expect(backend.get('no/such/key')).rejects.toThrow(BlobMissingError);
      expect(await backend.stat('no/such/key')).toBeNull();
      await backend.delete('no/such/key');
    });

    it('leaves nothing when the source fails', async () => {
      const failing = new Readable({
        read() {
          this.push(Buffer.alloc(1000));
          this.destroy(new Error('source broke'));
        },
      });
      await expect(backend.put('ab/cd/broken', failing)).rejects.toThrow('source broke');
      expect(await backend.stat('ab/cd/broken')).toBeNull();
    });

    it('leaves nothing when aborted', async () => {
      const controller = new AbortController();
      const slow = new Readable({
        read() {
          setTimeout(() => this.push(Buffer.alloc(100)), 5);
        },
      });
      setTimeout(() => controller.abort(), 30);
      await expect(backend.put('ab/cd/aborted', slow, { signal: controller.signal })).rejects.toThrow();
      expect(await backend.stat('ab/cd/aborted')).toBeNull();
    });

    it('lists what it stores and deletes', async () => {
      const keys = [];
      for await (const object of backend.list()) keys.push(object.key);
      expect(keys.sort()).toEqual(['ab/cd/empty', 'ab/cd/one']);
      await backend.delete('ab/cd/one');
      expect(await backend.stat('ab/cd/one')).toBeNull();
    });

    it('copies server-side when it can', async () => {
      if (!backend.copy) return; // optional capability: callers fall back to streaming
      await backend.put('ab/cd/src', body('copy me'));
      await backend.copy('ab/cd/src', 'ab/cd/dst');
      expect((await readAll(await backend.get('ab/cd/dst'))).toString()).toBe('copy me');
    });

    it('overwrites an object whole', async () => {
      await backend.put('ov/er/write', body('the first, longer version'));
      await backend.put('ov/er/write', body('second'));
      expect((await readAll(await backend.get('ov/er/write'))).toString()).toBe('second');
      expect(await backend.stat('ov/er/write')).toEqual({ size: 6 });
    });

    it('keeps keys with awkward names apart and lists them exactly', async () => {
      for (const [i, name] of AWKWARD_NAMES.entries()) await backend.put(`aw/kw/${name}`, body(`#${i}`));
      expect(await listed('aw/')).toEqual(
        AWKWARD_NAMES.map((name, i) => ({ key: `aw/kw/${name}`, size: `#${i}`.length })).sort((a, b) => (a.key < b.key ? -1 : 1)),
      );
      for (const [i, name] of AWKWARD_NAMES.entries()) {
        expect((await readAll(await backend.get(`aw/kw/${name}`))).toString()).toBe(`#${i}`);
        await backend.delete(`aw/kw/${name}`);
      }
      expect(await listed('aw/')).toEqual([]);
    });

    it.skipIf(options.skipHugeBody !== undefined)(
      'streams 1 GiB both ways with flat memory',
      async () => {
        const put = await peakRssGrowth(() => backend.put('hu/ge/body', generatedBody(GiB)));
        expect(put.result).toBe(GiB);
        expect(put.growth, 'resident memory growth during the put').toBeLessThan(RSS_GROWTH_LIMIT);
        const get = await peakRssGrowth(async () => sha256Of(await backend.get('hu/ge/body')));
        expect(get.result).toBe(await sha256Of(generatedBody(GiB)));
        expect(get.growth, 'resident memory growth during the get').toBeLessThan(RSS_GROWTH_LIMIT);
        const middle = { start: GiB / 2 - 10, end: GiB / 2 + 9 };
        expect(await readAll(await backend.get('hu/ge/body', middle))).toEqual(await readAll(generatedBody(GiB, middle)));
        await backend.delete('hu/ge/body');
        expect(await backend.stat('hu/ge/body')).toBeNull();
      },
      HUGE_BODY_BUDGET_MS,
    );

    it('leaves nothing at the key when the store goes away mid-write', async (context) => {
      const outage = opened.outage;
      if (!outage) return context.skip('not a remote store');
      let produced = 0;
      // An endless source: only the store's failure can end this put.
      const endless = new Readable({
        read() {
          produced += 256 * 1024;
          setTimeout(() => this.push(Buffer.alloc(256 * 1024, 7)), 2);
        },
      });
      const writing = backend.put('go/ne/mid-write', endless).then(
        () => new Error('the put succeeded'),
        (error: unknown) => error,
      );
      let settled = false;
      void writing.finally(() => (settled = true));
      while (produced < 12 * 1024 * 1024 && !settled) await new Promise((resolve) => setTimeout(resolve, 20));
      if (settled) throw new Error(`The put ended before the store went away: ${String(await writing)}`);
      await outage.stop();
      const failure = await writing;
      endless.destroy();
      expect(isDomainError(failure) && ['UNAVAILABLE', 'UPSTREAM'].includes(failure.code), String(failure)).toBe(true);
      await outage.restart();
      expect(await backend.stat('go/ne/mid-write')).toBeNull();
      expect(await listed('go/')).toEqual([]);
    });
  });
}
