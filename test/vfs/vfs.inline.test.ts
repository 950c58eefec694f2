import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { InvalidArgumentError, QuotaExceededError, parsePath, type Principal } from '../../src/core/index.js';
import { DIALECTS } from '../support/databases.js';
import { readAll, startTestApp, type TestApp } from '../support/app.js';
import { storageState } from '../support/inspect.js';

const p = parsePath;
const LIMIT = 1024;

/** `total` bytes of a repeating pattern, delivered in chunks of `chunk` bytes. */
function bytes(total: number, seed = 7): Buffer {
  return Buffer.from(Array.from({ length: total }, (_, i) => (i * 31 + seed) % 251));
}
function chunked(content: Buffer, chunk: number): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < content.length; i += chunk) parts.push(content.subarray(i, i + chunk));
  return Readable.from(parts, { objectMode: false });
}

async function backendKeys(t: TestApp): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of t.app.backends.get(t.app.defaultPolicyId)!.list()) keys.push(object.key);
  return keys;
}

describe.each(DIALECTS)('inline small blobs on %s', (dialect) => {
  let t: TestApp;
  let me: Principal;

  beforeAll(async () => {
    // Freeing bytes at once is what this tests: issue 12's trash and versions off.
    t = await startTestApp(dialect, {
      config: { storage: { inlineMaxBytes: LIMIT }, trash: { retentionDays: 0 }, versions: { maxCount: 0 } },
    });
    me = (await t.newUser()).principal;
  });
  afterAll(() => t.close());

  it.each([
    ['empty', 0, 1, true],
    ['at the limit, in small chunks', LIMIT, 100, true],
    ['one byte over, crossing the limit mid-chunk', LIMIT + 1, 300, false],
    ['large, in one chunk', 10 * LIMIT, 10 * LIMIT, false],
  ])('stores a %s body whole, with its digests, inline or in the backend', async (_label, size, chunk, inline) => {
    const content = bytes(size);
    const before = (await backendKeys(t)).length;
    const { entry } = await t.app.vfs.write(me, p(`/f${size}.bin`), chunked(content, chunk));
    expect(entry.size).toBe(size);
    expect(entry.sha256).toBe(createHash('sha256').update(content).digest('hex'));
    expect(entry.sha1).toBe(createHash('sha1').update(content).digest('hex'));
    expect((await backendKeys(t)).length).toBe(before + (inline ? 0 : 1));
    expect(await readAll((await t.app.vfs.read(me, p(`/f${size}.bin`))).stream)).toEqual(content);
  });

  it('serves ranges of an inline blob', async () => {
    const content = bytes(LIMIT, 3);
    await t.app.vfs.write(me, p('/ranged.bin'), chunked(content, 64));
    const { stream } = await t.app.vfs.read(me, p('/ranged.bin'), { start: 10, end: 19 });
    expect(await readAll(stream)).toEqual(content.subarray(10, 20));
  });

  it('switches an entry between inline and backend content, freeing the old bytes', async () => {
    const path = p('/switch.bin');
    const first = await t.app.vfs.write(me, path, chunked(bytes(5 * LIMIT), 512));
    const keys = await backendKeys(t);
    const second = await t.app.vfs.write(me, path, chunked(bytes(10), 10));
    expect(second.entry.id).toBe(first.entry.id);
    expect(await backendKeys(t)).toEqual(keys.filter((key) => !key.endsWith(first.entry.blobId!)));
    const third = await t.app.vfs.write(me, path, chunked(bytes(3 * LIMIT, 9), 700));
    expect(await readAll((await t.app.vfs.read(me, path)).stream)).toEqual(bytes(3 * LIMIT, 9));
    const blobIds = (await t.app.database.db.selectFrom('blobs').select('id').execute()).map((row) => row.id);
    expect(blobIds).toContain(third.entry.blobId);
    expect(blobIds).not.toContain(second.entry.blobId);
  });

  it('copies share an inline blob, and deleting both frees it', async () => {
    await t.app.vfs.write(me, p('/shared.txt'), chunked(Buffer.from('shared small content'), 5));
    await t.app.vfs.copy(me, p('/shared.txt'), p('/shared-copy.txt'));
    const a = await t.app.vfs.stat(me, p('/shared.txt'));
    const b = await t.app.vfs.stat(me, p('/shared-copy.txt'));
    expect(b.blobId).toBe(a.blobId);
    await t.app.vfs.delete(me, p('/shared.txt'));
    expect(await readAll((await t.app.vfs.read(me, p('/shared-copy.txt'))).stream)).toEqual(Buffer.from('shared small content'));
    await t.app.vfs.delete(me, p('/shared-copy.txt'));
    const row = await t.app.database.db.selectFrom('blobs').select('id').where('id', '=', a.blobId!).executeTakeFirst();
    expect(row).toBeUndefined();
  });

  it('refuses a small body of the wrong length or checksum, or one a client abandons, storing nothing', async () => {
    const before = await storageState(t.app);
    await expect(t.app.vfs.write(me, p('/bad-length.txt'), chunked(bytes(10), 5), { expectedSize: 11 })).rejects.toThrow(
      InvalidArgumentError,
    );
    await expect(t.app.vfs.write(me, p('/bad-sha1.txt'), chunked(bytes(10), 5), { expectedSha1: '0'.repeat(40) })).rejects.toThrow(
      InvalidArgumentError,
    );
    const abandoned = new Readable({
      read() {
        this.push(bytes(100));
        this.destroy(new Error('client went away'));
      },
    });
    await expect(t.app.vfs.write(me, p('/abandoned.txt'), abandoned)).rejects.toThrow('client went away');
    // A connection that closes before the end of the body, with no error of its own.
    const closed = new Readable({
      read() {
        this.push(bytes(100));
        setImmediate(() => this.destroy());
      },
    });
    await expect(t.app.vfs.write(me, p('/closed.txt'), closed)).rejects.toThrow('Premature close');
    await expect(t.app.vfs.stat(me, p('/bad-length.txt'))).rejects.toThrow();
    expect(await storageState(t.app)).toEqual(before);
  });

  it('enforces the quota while buffering a small body', async () => {
    const { principal } = await t.newUser(undefined, { quota: 100 });
    const before = await storageState(t.app);
    await expect(t.app.vfs.write(principal, p('/too-big.txt'), chunked(bytes(101), 20))).rejects.toThrow(QuotaExceededError);
    expect(await storageState(t.app)).toEqual(before);
    await t.app.vfs.write(principal, p('/fits.txt'), chunked(bytes(100), 20));
    expect((await t.app.vfs.capacity(principal)).used).toBe(100);
  });
});
