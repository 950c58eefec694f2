// Issue 11, item 5, over real HTTP on both databases against a real S3 server (s3rver): a
// direct upload as OpenList makes it (contract 15.5), with plain fetch in its role. The
// session presigns the parts and the completion, the client puts the bytes straight into the
// store and calls back; the server checks the object's size before the placeholder becomes
// the file, and never holds the bytes. Expired sessions lose their placeholder and their
// pending blob (s3rver answers 405 to AbortMultipartUpload, which the sweep tolerates).
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiUser, type Envelope } from '../support/api-server.js';
import { readAll } from '../support/app.js';
import { DIALECTS } from '../support/databases.js';
import { PART_SIZE, S3_GROUP, useS3ApiServer, type S3ApiServer } from '../support/s3-policy.js';

interface SessionJson {
  session_id: string;
  upload_id: string;
  chunk_size: number;
  expires: number;
  storage_policy: { id: string; type: string; relay?: boolean };
  upload_urls?: string[];
  completeURL?: string;
  callback_secret: string;
  uri: string;
}

type User = Awaited<ReturnType<typeof apiUser>>;

async function open(u: User, name: string, size: number): Promise<SessionJson> {
  const response = await u.as<SessionJson>('PUT', '/file/upload', {
    json: { uri: `cloudreve://my/${name}`, size, last_modified: 1_700_000_000_000 },
  });
  expect(response.code, response.msg).toBe(0);
  return response.data!;
}

/** What OpenList's upS3 does: PUT each part, then POST the CompleteMultipartUpload XML. */
async function uploadParts(session: SessionJson, content: Buffer): Promise<void> {
  const etags: string[] = [];
  for (const [index, url] of session.upload_urls!.entries()) {
    const part = content.subarray(index * session.chunk_size, (index + 1) * session.chunk_size);
    const put = await fetch(url, { method: 'PUT', body: part });
    expect(put.status, await put.clone().text()).toBe(200);
    etags.push(put.headers.get('etag')!);
  }
  const xml =
    '<CompleteMultipartUpload>' +
    etags.map((etag, index) => `<Part><PartNumber>${index + 1}</PartNumber><ETag>${etag}</ETag></Part>`).join('') +
    '</CompleteMultipartUpload>';
  const completed = await fetch(session.completeURL!, { method: 'POST', body: xml, headers: { 'Content-Type': 'application/xml' } });
  expect(completed.status, await completed.clone().text()).toBe(200);
}

async function callback(api: S3ApiServer, u: User, session: SessionJson, secret = session.callback_secret, method = 'GET') {
  const response = await fetch(`${api.origin}/api/v4/callback/s3/${session.session_id}/${secret}`, {
    method,
    headers: { Authorization: `Bearer ${u.token}` },
  });
  return { status: response.status, body: (await response.json()) as Envelope };
}

async function stat(api: S3ApiServer, u: User, name: string) {
  return api.app.vfs.stat(u.principal, [name]).catch(() => null);
}

describe.each(DIALECTS)('direct uploads to S3 (%s)', (dialect) => {
  let now = Date.now();
  const api = useS3ApiServer(dialect, { download: 'proxy' }, { clock: () => now });
  const SIZE = PART_SIZE + 4096;

  it('presigns the parts and the completion; the callback turns the placeholder into the file; the server never holds the bytes', async () => {
    const u = await apiUser(api, S3_GROUP);
    const content = randomBytes(SIZE);
    const session = await open(u, 'movie.bin', SIZE);
    expect(session.storage_policy.type).toBe('s3');
    expect(session.storage_policy.relay).toBeUndefined();
    expect(session.upload_id).not.toBe('');
    expect(session.chunk_size).toBe(PART_SIZE);
    expect(session.upload_urls).toHaveLength(2);
    expect(new URL(session.upload_urls![0]!).origin).toBe(api.s3.endpoint);
    expect(new URL(session.completeURL!).origin).toBe(api.s3.endpoint);
    expect(session.callback_secret).toMatch(/^.{32}$/);
    expect((await stat(api, u, 'movie.bin'))?.size).toBe(0);

    await uploadParts(session, content);
    // Completed in the store, not yet called back: still the placeholder.
    expect((await stat(api, u, 'movie.bin'))?.size).toBe(0);
    const answered = await callback(api, u, session);
    expect(answered).toMatchObject({ status: 200, body: { code: 0 } });

    const entry = (await stat(api, u, 'movie.bin'))!;
    expect(entry.size).toBe(SIZE);
    expect(entry.mtime).toBe(1_700_000_000_000);
    expect((await readAll(await api.app.vfs.open(entry))).equals(content)).toBe(true);
    const blob = await api.app.database.db.selectFrom('blobs').selectAll().where('id', '=', entry.blobId!).executeTakeFirstOrThrow();
    expect({ state: blob.state, policy: Number(blob.policy_id), size: Number(blob.size) }).toEqual({
      state: 'ready',
      policy: api.policyId,
      size: SIZE,
    });
    const used = await api.app.database.db
      .selectFrom('users')
      .select('storage_used')
      .where('id', '=', u.record.id)
      .executeTakeFirstOrThrow();
    expect(Number(used.storage_used)).toBe(SIZE);
    // No chunk of it ever came here.
    const chunks = path.join(api.t.dataDir, 'uploads');
    expect(existsSync(chunks) ? readdirSync(chunks) : []).toEqual([]);

    // Called back again (a retry): done, nothing changes.
    expect(await callback(api, u, session, session.callback_secret, 'POST')).toMatchObject({ status: 200, body: { code: 0 } });
    expect((await stat(api, u, 'movie.bin'))?.blobId).toBe(entry.blobId);
  });

  it('replaces the content of an existing file (entity_type "version"), keeping its id', async () => {
    const u = await apiUser(api, S3_GROUP);
    const first = randomBytes(SIZE);
    const session = await open(u, 'kept.bin', SIZE);
    await uploadParts(session, first);
    expect((await callback(api, u, session)).status).toBe(200);
    const before = (await stat(api, u, 'kept.bin'))!;

    const second = randomBytes(SIZE + 10);
    const opened = await u.as<SessionJson>('PUT', '/file/upload', {
      json: { uri: 'cloudreve://my/kept.bin', size: SIZE + 10, entity_type: 'version' },
    });
    expect(opened.code, opened.msg).toBe(0);
    await uploadParts(opened.data!, second);
    expect(await callback(api, u, opened.data!)).toMatchObject({ status: 200, body: { code: 0 } });
    const after = (await stat(api, u, 'kept.bin'))!;
    expect(after.id).toBe(before.id);
    expect(after.blobId).not.toBe(before.blobId);
    expect((await readAll(await api.app.vfs.open(after))).equals(second)).toBe(true);
    // The old content is kept as a version of the same file (issue 12), still holding its blob.
    const kept = await api.app.database.db
      .selectFrom('file_versions')
      .select(['entry_id', 'blob_id'])
      .where('entry_id', '=', before.id)
      .execute();
    expect(kept).toEqual([{ entry_id: before.id, blob_id: before.blobId }]);
    expect(await api.app.database.db.selectFrom('blobs').select('id').where('id', '=', before.blobId!).execute()).toHaveLength(1);
  });

  it('refuses an unknown session or a wrong secret with 401, chunks sent here with 40006, and a callback before the completion with 400', async () => {
    const u = await apiUser(api, S3_GROUP);
    const session = await open(u, 'early.bin', SIZE);
    expect(await callback(api, u, session, 'x'.repeat(32))).toMatchObject({ status: 401, body: { code: 40020 } });
    expect(await callback(api, u, { ...session, session_id: '00000000-0000-4000-8000-000000000000' })).toMatchObject({
      status: 401,
      body: { code: 40011 },
    });
    const chunk = await u.as('POST', `/file/upload/${session.session_id}/0`, {
      body: 'x',
      headers: { 'Content-Type': 'application/octet-stream' },
    });
    expect(chunk.code).toBe(40006);

    const early = await callback(api, u, session);
    expect(early.status).toBe(400);
    expect(early.body.code).not.toBe(0);
    // Still open: completing it now works.
    const content = randomBytes(SIZE);
    await uploadParts(session, content);
    expect(await callback(api, u, session)).toMatchObject({ status: 200, body: { code: 0 } });
    expect((await stat(api, u, 'early.bin'))?.size).toBe(SIZE);
  });

  it('refuses an object of another size than announced: the upload ends, its placeholder and object go', async () => {
    const u = await apiUser(api, S3_GROUP);
    const session = await open(u, 'short.bin', SIZE);
    await uploadParts(session, randomBytes(SIZE - 1));
    const refused = await callback(api, u, session);
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe(40001);
    expect(refused.body.msg).toContain(`${SIZE - 1} bytes`);
    expect(await stat(api, u, 'short.bin')).toBeNull();
    const pending = await api.app.database.db.selectFrom('blobs').select('id').where('state', '=', 'pending').execute();
    expect(pending).toEqual([]);
    const keys: string[] = [];
    for await (const object of api.backend.list()) keys.push(object.key);
    const live = await api.app.database.db.selectFrom('blobs').select('storage_key').where('policy_id', '=', api.policyId).execute();
    expect(keys.sort()).toEqual(live.map((row) => row.storage_key).sort());
    expect(await callback(api, u, session)).toMatchObject({ status: 401 });
  });

  it('relays a large file when the client asks (the web UI does: its CSP lets it talk only to this server)', async () => {
    const u = await apiUser(api, S3_GROUP);
    const response = await u.as<SessionJson>('PUT', '/file/upload', {
      json: { uri: 'cloudreve://my/relayed.bin', size: SIZE, relay: true },
    });
    expect(response.code, response.msg).toBe(0);
    expect(response.data!.storage_policy).toMatchObject({ type: 's3', relay: true });
    expect(response.data!.upload_id).toBe('');
    expect(response.data!.upload_urls).toBeUndefined();
  });

  it('keeps small files on the relay (chunks to this server, stored in the database row)', async () => {
    const u = await apiUser(api, S3_GROUP);
    const session = await open(u, 'note.txt', 5);
    expect(session.storage_policy).toMatchObject({ type: 's3', relay: true });
    expect(session.upload_urls).toBeUndefined();
    const chunk = await u.as('POST', `/file/upload/${session.session_id}/0`, {
      body: 'hello',
      headers: { 'Content-Type': 'application/octet-stream' },
    });
    expect(chunk.code, chunk.msg).toBe(0);
    expect((await stat(api, u, 'note.txt'))?.size).toBe(5);
  });

  it('cleans an upload never completed once its session expires: the placeholder and the pending blob go', async () => {
    const u = await apiUser(api, S3_GROUP);
    const session = await open(u, 'abandoned.bin', SIZE);
    // The client sent one part and gave up.
    const put = await fetch(session.upload_urls![0]!, { method: 'PUT', body: randomBytes(PART_SIZE) });
    expect(put.status).toBe(200);
    const pendingBefore = await api.app.database.db.selectFrom('blobs').select('id').where('state', '=', 'pending').execute();
    expect(pendingBefore).toHaveLength(1);
    // gc within the session's life leaves the pending blob alone, however long the client takes.
    now += 3 * 3600_000;
    await api.app.gc.run({ graceMs: 3600_000 });
    expect(await api.app.database.db.selectFrom('blobs').select('id').where('state', '=', 'pending').execute()).toHaveLength(1);

    now = session.expires * 1000 + 1000;
    await api.app.uploads.sweep(now - 3600_000);
    expect(await stat(api, u, 'abandoned.bin')).toBeNull();
    expect(await api.app.database.db.selectFrom('blobs').select('id').where('state', '=', 'pending').execute()).toEqual([]);
    expect(await callback(api, u, session)).toMatchObject({ status: 401 });
    now = Date.now();
  });
});
