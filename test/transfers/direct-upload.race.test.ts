// Contract 15.5 where it races: OpenList retries a callback it thinks failed, and two nodes
// behind a load balancer may receive the same callback at once. Two app instances on one
// database (PostgreSQL exposes the races SQLite's single writer hides; SQLite runs too) and
// one s3rver; after each round the file is there once, its blob ready with one reference,
// nothing pending and the owner charged once.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { apiUser, type Envelope } from '../support/api-server.js';
import { DIALECTS } from '../support/databases.js';
import { PART_SIZE, S3_GROUP, useS3ApiServer } from '../support/s3-policy.js';

const ROUNDS = 4;
const SIZE = PART_SIZE + 1024;

interface SessionJson {
  session_id: string;
  chunk_size: number;
  upload_urls: string[];
  completeURL: string;
  callback_secret: string;
}

describe.each(DIALECTS)('concurrent direct-upload callbacks on two nodes (%s)', (dialect) => {
  const api = useS3ApiServer(dialect, { download: 'proxy' });

  it(`completes the file exactly once in each of ${ROUNDS} rounds of four simultaneous callbacks`, { timeout: 300_000 }, async () => {
    const u = await apiUser(api, S3_GROUP);
    const other = await api.another();
    const db = api.app.database.db;
    for (let round = 0; round < ROUNDS; round++) {
      const name = `race-${round}.bin`;
      const content = randomBytes(SIZE);
      const opened = await u.as<SessionJson>('PUT', '/file/upload', { json: { uri: `cloudreve://my/${name}`, size: SIZE } });
      expect(opened.code, opened.msg).toBe(0);
      const session = opened.data!;
      const etags: string[] = [];
      for (const [index, url] of session.upload_urls.entries()) {
        const put = await fetch(url, {
          method: 'PUT',
          body: content.subarray(index * session.chunk_size, (index + 1) * session.chunk_size),
        });
        etags.push(put.headers.get('etag')!);
      }
      const xml = `<CompleteMultipartUpload>${etags.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
      expect((await fetch(session.completeURL, { method: 'POST', body: xml })).status).toBe(200);

      const answers = await Promise.all(
        [api.origin, other.origin, api.origin, other.origin].map(async (origin) => {
          const response = await fetch(`${origin}/api/v4/callback/s3/${session.session_id}/${session.callback_secret}`, {
            headers: { Authorization: `Bearer ${u.token}` },
          });
          return { status: response.status, body: (await response.json()) as Envelope };
        }),
      );
      // Each answer is success, or "still being assembled" (the client calls again); never anything else.
      for (const answer of answers) {
        if (answer.status !== 200) expect(answer).toMatchObject({ status: 400, body: { code: 409 } });
      }
      expect(answers.some((answer) => answer.status === 200 && answer.body.code === 0)).toBe(true);

      const entries = await db.selectFrom('entries').select(['id', 'size', 'blob_id']).where('name', '=', name).execute();
      expect(entries).toHaveLength(1);
      expect(Number(entries[0]!.size)).toBe(SIZE);
      const blob = await db.selectFrom('blobs').selectAll().where('id', '=', entries[0]!.blob_id!).executeTakeFirstOrThrow();
      expect({ state: blob.state, refs: Number(blob.ref_count) }).toEqual({ state: 'ready', refs: 1 });
      expect(await db.selectFrom('blobs').select('id').where('state', '=', 'pending').execute()).toEqual([]);
      const used = await db.selectFrom('users').select('storage_used').where('id', '=', u.record.id).executeTakeFirstOrThrow();
      expect(Number(used.storage_used)).toBe(SIZE * (round + 1));
      const again = await fetch(`${other.origin}/api/v4/callback/s3/${session.session_id}/${session.callback_secret}`);
      expect(await again.json()).toMatchObject({ code: 0 });
    }
  });
});
