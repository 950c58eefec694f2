import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { BlobMissingError, type BlobBackend } from '../../src/storage/index.js';
import { readAll } from '../support/app.js';

/**
 * The one conformance suite every storage backend runs (STYLE.md item 3). A backend's test
 * file calls this with a factory; any skip is declared there with its reason.
 */
export function blobBackendContract(name: string, open: () => Promise<{ backend: BlobBackend; close: () => Promise<void> }>): void {
  describe(`blob backend contract: ${name}`, () => {
    let backend: BlobBackend;
    let close: () => Promise<void>;

    beforeAll(async () => {
      ({ backend, close } = await open());
    });
    afterAll(() => close());

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
  });
}
