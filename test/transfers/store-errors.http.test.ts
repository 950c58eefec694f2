// A failing store's error reaches clients as a readable message that names the store and what
// failed, never the blob's storage key (our key layout, "81/b3/..."): the key goes to the log.
// SQLite only: the message does not depend on the database.
import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiUser } from '../support/api-server.js';
import { S3_GROUP, startS3ApiServer, type S3ApiServer } from '../support/s3-policy.js';

/** Larger than the inline threshold, so the bytes live in the store. */
const BIG = randomBytes(200 * 1024);

describe('store failures as clients see them', () => {
  let api: S3ApiServer;
  const logged: string[] = [];

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged.push(chunk.toString());
        done();
      },
    });
    api = await startS3ApiServer('sqlite', { download: 'proxy' }, { logger: pino({ level: 'warn' }, sink) });
  });
  afterAll(() => api?.close());

  it('names the S3 bucket and the failed step in WebDAV and API answers, and logs the storage key', async () => {
    const u = await apiUser(api, S3_GROUP);
    await api.app.vfs.write(u.principal, ['big.bin'], Readable.from([BIG]));
    const { storage_key: key } = await api.app.database.db
      .selectFrom('blobs')
      .select('storage_key')
      .where('size', '=', BIG.length)
      .executeTakeFirstOrThrow();
    expect(key).toMatch(/^[0-9a-f]{2}\/[0-9a-f]{2}\//);
    const { password } = await api.app.davAccounts.create({ userId: u.record.id, name: 'store errors' });
    const basic = `Basic ${Buffer.from(`${u.record.email}:${password}`).toString('base64')}`;
    await api.s3.kill();
    try {
      const dav = await fetch(`${api.origin}/dav/big.bin`, { headers: { Authorization: basic } });
      const davText = await dav.text();
      expect(dav.status).toBe(503);
      expect(davText).toContain('S3 bucket "cumulus"');
      expect(davText).toContain('cannot be reached while reading an object');
      expect(davText).not.toContain(key);
      expect(davText).not.toMatch(/[0-9a-f]{2}\/[0-9a-f]{2}\//);

      const put = await fetch(`${api.origin}/dav/other.bin`, { method: 'PUT', headers: { Authorization: basic }, body: BIG });
      const putText = await put.text();
      expect(put.status).toBe(503);
      expect(putText).toContain('while storing an object');
      expect(putText).not.toMatch(/[0-9a-f]{2}\/[0-9a-f]{2}\//);

      const link = await u.as<{ urls: Array<{ url: string }> }>('POST', '/file/url', { json: { uris: ['cloudreve://my/big.bin'] } });
      expect(link.code, link.msg).toBe(0);
      const content = await fetch(link.data!.urls[0]!.url);
      const { msg } = (await content.json()) as { msg: string };
      expect(msg).toContain('S3 bucket "cumulus"');
      expect(msg).toContain('cannot be reached while reading an object');
      expect(msg).not.toContain(key);
    } finally {
      await api.s3.restart();
    }
    // The log keeps what an administrator needs to find the object.
    expect(logged.join('')).toContain(`"key":"${key}"`);
  });
});
