// Over real HTTP, on both databases: chunked uploads through the REST API (Cloudreve V4
// contract section 15; checklist items 13 to 16). A small chunk size (config
// uploads.chunkSizeBytes) keeps files of several chunks small; files are still larger than
// what the blob store keeps inline, so the commit streams into the storage backend.
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { encodeId } from '../../src/auth/index.js';
import type { Principal } from '../../src/core/index.js';
import { buildHttpServer } from '../../src/http/index.js';
import { MemoryBackend } from '../../src/storage/index.js';
import { readAll } from '../support/app.js';
import { DIALECTS } from '../support/databases.js';
import {
  PASSWORD,
  apiUser,
  call,
  login,
  startApiServer,
  unchanged as unchangedIn,
  useApiServer,
  writeFile,
  type ApiResponse,
  type ApiServer,
  type Envelope,
  type FileJson,
} from '../support/api-server.js';
import { unchangedBy } from '../support/inspect.js';

const CHUNK = 16 * 1024;
const DAY_MS = 24 * 3600_000;

interface SessionJson {
  session_id: string;
  upload_id: string;
  chunk_size: number;
  expires: number;
  storage_policy: { id: string; name: string; type: string; max_size: number; relay?: boolean };
  uri: string;
  callback_secret: string;
}

interface ProgressJson {
  session_id: string;
  uri: string;
  size: number;
  chunk_size: number;
  chunks: number;
  uploaded: number[];
  completed: boolean;
  expires: number;
}

describe.each(DIALECTS)('API chunked uploads over HTTP (%s)', (dialect) => {
  // The server's clock runs this far ahead of the real one (session expiry).
  let offset = 0;
  const api = useApiServer(dialect, { clock: () => Date.now() + offset, config: { uploads: { chunkSizeBytes: CHUNK } } });

  const uploadsDir = () => uploadsDirOf(api);
  const chunkFiles = (sessionId: string) => chunkFilesOf(api, sessionId);
  const sessionRows = () => sessionRowsOf(api);
  const unchanged = <T>(act: () => Promise<T>) => unchangedOn(api, act);

  const read = async (principal: Principal, names: string[]) => readAll((await api.t.app.vfs.read(principal, names)).stream);
  const open = (token: string, json: Record<string, unknown>) => call<SessionJson>(api, 'PUT', '/file/upload', { token, json });
  const progress = (token: string, sessionId: string) => call<ProgressJson>(api, 'GET', `/file/upload/${sessionId}`, { token });
  const info = (token: string, uri: string) => call<FileJson>(api, 'GET', '/file/info', { token, query: { uri } });
  const chunkOf = (content: Buffer, index: number, size = CHUNK) => content.subarray(index * size, (index + 1) * size);

  /** Sends every chunk in order, checking each answer. */
  async function uploadAll(token: string, sessionId: string, content: Buffer) {
    const count = Math.max(1, Math.ceil(content.length / CHUNK));
    for (let index = 0; index < count; index++) {
      const answer = await postChunk(api, token, sessionId, index, chunkOf(content, index));
      expect(answer, `chunk ${index}`).toMatchObject({ code: 0, msg: '' });
      expect(answer.data).toBeUndefined();
    }
  }

  describe('a whole upload (contract 15.1, 15.3, 15.4, checklist 13)', () => {
    it('opens a session with the contract shape, shows an empty placeholder, and stores the file byte for byte', async () => {
      const { principal, as, token } = await apiUser(api);
      const content = randomBytes(4 * CHUNK + 1234);
      const lastModified = Date.UTC(2024, 4, 1, 10, 0, 5, 456);
      const before = Math.floor((Date.now() + offset) / 1000);
      const opened = await as<SessionJson>('PUT', '/file/upload', {
        // OpenList's body (contract 15.1): policy_id from the listing, mime_type "".
        json: {
          uri: 'cloudreve://my/new folder/deep/big file.bin',
          size: content.length,
          policy_id: '',
          last_modified: lastModified,
          mime_type: '',
        },
      });
      expect(opened).toMatchObject({
        code: 0,
        data: {
          upload_id: '',
          chunk_size: CHUNK,
          storage_policy: { type: 'local', max_size: 0 },
          uri: 'cloudreve://my/new%20folder/deep/big%20file.bin',
        },
      });
      const session = opened.data!;
      expect(session.session_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      // The server read its clock between these two readings (however long the request took).
      const after = Math.floor((Date.now() + offset) / 1000);
      expect(Number.isInteger(session.expires)).toBe(true);
      expect(session.expires).toBeGreaterThanOrEqual(before + 86400);
      expect(session.expires).toBeLessThanOrEqual(after + 86400);
      expect(session.callback_secret).toHaveLength(32);
      expect(session.storage_policy.relay).toBeUndefined();

      // Contract 15.1: the missing folders were created and an empty placeholder is there.
      const placeholder = (await info(token, session.uri)).data!;
      expect(placeholder).toMatchObject({ type: 0, size: 0, name: 'big file.bin' });
      expect((await read(principal, ['new folder', 'deep', 'big file.bin'])).length).toBe(0);
      const entry = await api.t.app.vfs.stat(principal, ['new folder', 'deep', 'big file.bin']);
      expect(await api.t.app.uploads.uploading([entry])).toEqual(new Map([[entry.id, session.session_id]]));

      for (let index = 0; index < 5; index++) {
        expect((await postChunk(api, token, session.session_id, index, chunkOf(content, index))).code).toBe(0);
        if (index < 4) expect((await progress(token, session.session_id)).data!.uploaded).toEqual([...Array(index + 1).keys()]);
      }

      // No call after the last chunk (contract 15.3): the file is complete, in place of the placeholder.
      const done = (await info(token, session.uri)).data!;
      expect(done).toMatchObject({ id: placeholder.id, size: content.length, metadata: null });
      // Contract 15.4: last_modified becomes the file's modification time.
      expect(done.updated_at).toBe(new Date(lastModified).toISOString());
      expect((await read(principal, ['new folder', 'deep', 'big file.bin'])).equals(content)).toBe(true);
      expect(await api.t.app.uploads.uploading([await api.t.app.vfs.stat(principal, ['new folder', 'deep', 'big file.bin'])])).toEqual(
        new Map(),
      );
      expect(chunkFiles(session.session_id)).toEqual([]);
      expect((await progress(token, session.session_id)).data).toMatchObject({ completed: true, uploaded: [], chunks: 5 });
      expect((await call(api, 'GET', '/user/capacity', { token })).data).toMatchObject({ used: content.length });

      // A chunk sent again after completion (its answer was lost) is answered as done and changes nothing.
      await unchanged(async () => {
        expect((await postChunk(api, token, session.session_id, 4, chunkOf(content, 4))).code).toBe(0);
      });
    });

    it('uploads an empty file as one empty chunk, and a file of exactly one chunk', async () => {
      const { principal, token } = await apiUser(api);
      const empty = (await open(token, { uri: 'cloudreve://my/empty.txt', size: 0 })).data!;
      expect((await progress(token, empty.session_id)).data).toMatchObject({ chunks: 1, uploaded: [] });
      expect((await postChunk(api, token, empty.session_id, 0, Buffer.alloc(0))).code).toBe(0);
      expect((await progress(token, empty.session_id)).data!.completed).toBe(true);
      expect((await read(principal, ['empty.txt'])).length).toBe(0);

      const exact = randomBytes(CHUNK);
      const one = (await open(token, { uri: 'cloudreve://my/one.bin', size: exact.length })).data!;
      expect((await postChunk(api, token, one.session_id, 1, Buffer.alloc(0))).code).toBe(40012);
      await uploadAll(token, one.session_id, exact);
      expect((await read(principal, ['one.bin'])).equals(exact)).toBe(true);
    });

    it('completes once when the chunks arrive all at once, in any order', async () => {
      const { principal, token } = await apiUser(api);
      const content = randomBytes(6 * CHUNK - 7);
      const session = (await open(token, { uri: 'cloudreve://my/parallel.bin', size: content.length })).data!;
      const answers = await Promise.all(
        [5, 3, 1, 0, 2, 4].map((index) => postChunk(api, token, session.session_id, index, chunkOf(content, index))),
      );
      expect(answers.map((answer) => answer.code)).toEqual([0, 0, 0, 0, 0, 0]);
      // The last request to arrive may still be assembling the file: wait for it.
      await waitFor(async () => (await progress(token, session.session_id)).data!.completed);
      expect((await read(principal, ['parallel.bin'])).equals(content)).toBe(true);
      const listing = await call<{ files: FileJson[] }>(api, 'GET', '/file', { token, query: { uri: 'cloudreve://my' } });
      expect(listing.data!.files.map((file) => file.name)).toEqual(['parallel.bin']);
    });
  });

  describe('resuming (contract 15.3: chunks are overwritable)', () => {
    it('survives a connection dropped in the middle of a chunk: nothing of it is kept, and sending it again completes the file', async () => {
      const { principal, token } = await apiUser(api);
      const content = randomBytes(4 * CHUNK + 10);
      const session = (await open(token, { uri: 'cloudreve://my/resumed.bin', size: content.length })).data!;
      expect((await postChunk(api, token, session.session_id, 0, chunkOf(content, 0))).code).toBe(0);
      // A chunk re-sent with other bytes replaces the first copy.
      expect((await postChunk(api, token, session.session_id, 1, randomBytes(CHUNK))).code).toBe(0);

      await dropMidChunk(api, token, session.session_id, 2, chunkOf(content, 2).subarray(0, CHUNK / 2), CHUNK);
      // The server notices the drop asynchronously; then no partial chunk is left.
      await waitFor(async () => chunkFiles(session.session_id).every((name) => !name.endsWith('.part')));
      expect(chunkFiles(session.session_id)).toEqual(['0', '1']);
      expect((await progress(token, session.session_id)).data).toMatchObject({ uploaded: [0, 1], completed: false, chunks: 5 });

      expect((await postChunk(api, token, session.session_id, 1, chunkOf(content, 1))).code).toBe(0);
      for (const index of [2, 3, 4]) expect((await postChunk(api, token, session.session_id, index, chunkOf(content, index))).code).toBe(0);
      expect((await read(principal, ['resumed.bin'])).equals(content)).toBe(true);
    });
  });

  describe('refused chunks store nothing', () => {
    it('an index outside the file is 40012, an index that is no number 40001', async () => {
      const { token } = await apiUser(api);
      const content = randomBytes(2 * CHUNK + 5);
      const session = (await open(token, { uri: 'cloudreve://my/range.bin', size: content.length })).data!;
      expect((await postChunk(api, token, session.session_id, 0, chunkOf(content, 0))).code).toBe(0);
      await unchanged(async () => {
        for (const index of ['3', '4', '99999999999999']) {
          const answer = await postChunk(api, token, session.session_id, index, Buffer.alloc(5));
          expect(answer, index).toMatchObject({ code: 40012, msg: expect.stringMatching(/out of range: this upload has 3 chunks/) });
        }
        for (const index of ['-1', 'abc', '1.5']) {
          expect((await postChunk(api, token, session.session_id, index, Buffer.alloc(5))).code, index).toBe(40001);
        }
      });
      expect((await progress(token, session.session_id)).data!.uploaded).toEqual([0]);
    });

    it('a chunk of the wrong length is 40013 "Invalid Content-Length (expected: N)", whether announced or counted', async () => {
      const { token } = await apiUser(api);
      const content = randomBytes(2 * CHUNK + 5);
      const session = (await open(token, { uri: 'cloudreve://my/lengths.bin', size: content.length })).data!;
      await unchanged(async () => {
        const short = await postChunk(api, token, session.session_id, 0, randomBytes(CHUNK - 1));
        expect(short).toMatchObject({ code: 40013, msg: `Invalid Content-Length (expected: ${CHUNK})` });
        expect((await postChunk(api, token, session.session_id, 0, randomBytes(CHUNK + 1))).code).toBe(40013);
        // The last chunk holds the rest, no more.
        const last = await postChunk(api, token, session.session_id, 2, randomBytes(CHUNK));
        expect(last).toMatchObject({ code: 40013, msg: 'Invalid Content-Length (expected: 5)' });
        // Without Content-Length (chunked transfer coding) the bytes are counted as they come.
        expect((await postChunk(api, token, session.session_id, 0, randomBytes(CHUNK + 100), { chunked: true })).code).toBe(40013);
        expect((await postChunk(api, token, session.session_id, 1, randomBytes(100), { chunked: true })).code).toBe(40013);
      });
      // A good chunk without Content-Length is fine.
      expect((await postChunk(api, token, session.session_id, 2, chunkOf(content, 2), { chunked: true })).code).toBe(0);
      expect((await progress(token, session.session_id)).data!.uploaded).toEqual([2]);
      await waitFor(async () => chunkFiles(session.session_id).every((name) => !name.endsWith('.part')));
      expect(chunkFiles(session.session_id)).toEqual(['2']);
    });

    it("another user's, an unknown or an expired session is 40011; without a token 401", async () => {
      const owner = await apiUser(api);
      const other = await apiUser(api);
      const session = (await open(owner.token, { uri: 'cloudreve://my/mine.bin', size: 10 })).data!;
      await unchanged(async () => {
        for (const id of [session.session_id, randomUUID(), 'not-a-session', 'x'.repeat(64)]) {
          const answer = await postChunk(api, other.token, id, 0, Buffer.alloc(10));
          expect(answer, id).toMatchObject({
            code: 40011,
            msg: expect.stringMatching(/does not exist, has expired or belongs to someone else/),
          });
        }
        expect((await progress(other.token, session.session_id)).code).toBe(40011);
        const ownerUri = `cloudreve://${encodeId('user', owner.record.id)}@my/mine.bin`;
        const cancel = await call(api, 'DELETE', '/file/upload', { token: other.token, json: { id: session.session_id, uri: ownerUri } });
        expect(cancel).toMatchObject({ code: 40082 });
        const own = await call(api, 'DELETE', '/file/upload', {
          token: other.token,
          json: { id: session.session_id, uri: 'cloudreve://my/mine.bin' },
        });
        expect(own).toMatchObject({ code: 404, msg: 'Upload session not found' });
        expect((await postChunk(api, undefined, session.session_id, 0, Buffer.alloc(10))).code).toBe(401);
        expect((await progress('', session.session_id)).code).toBe(401);
      });
      expect((await postChunk(api, owner.token, session.session_id, 0, Buffer.alloc(10))).code).toBe(0);
    });
  });

  describe('refused sessions change nothing (contract 15.1)', () => {
    it('checks name, target, quota and locks before any byte', async () => {
      const { principal, token } = await apiUser(api);
      await writeFile(api, principal, ['taken.txt'], 'taken');
      await api.t.app.vfs.mkdir(principal, ['folder']);
      await writeFile(api, principal, ['locked.txt'], 'locked');
      await api.t.app.vfs.locks.lock(principal, ['locked.txt'], { scope: 'exclusive', depth: '0', owner: null, timeoutSeconds: 600 });
      await unchanged(async () => {
        expect((await open(token, { uri: 'cloudreve://my/taken.txt', size: 3 })).code).toBe(40004);
        expect((await open(token, { uri: 'cloudreve://my/taken.txt', size: 3, entity_type: '' })).code).toBe(40004);
        expect((await open(token, { uri: 'cloudreve://my/folder', size: 3 })).code).toBe(40004);
        expect((await open(token, { uri: 'cloudreve://my/folder', size: 3, entity_type: 'version' })).code).toBe(40004);
        expect((await open(token, { uri: 'cloudreve://my', size: 3 })).code).toBe(40004);
        expect((await open(token, { uri: 'cloudreve://my/taken.txt/below', size: 3 })).code).not.toBe(0);
        expect((await open(token, { uri: 'cloudreve://my/bad%01name', size: 3 })).code).toBe(40052);
        expect((await open(token, { uri: 'cloudreve://my/locked.txt', size: 3, entity_type: 'version' })).code).toBe(40073);
        expect((await open(token, { uri: 'cloudreve://my/photo.jpg', size: 3, entity_type: 'live_photo' })).code).toBe(40016);
        expect((await open(token, { uri: 'cloudreve://my/taken.txt', size: 3, entity_type: 'live_photo' })).code).toBe(40001);
        expect((await open(token, { uri: 'cloudreve://my/x.bin', size: -1 })).code).toBe(40001);
        expect((await open(token, { uri: 'cloudreve://my/x.bin', size: 1.5 })).code).toBe(40001);
        expect((await open(token, { uri: 'cloudreve://my/x.bin' })).msg).toBe('size cannot be empty');
        expect((await open(token, { uri: 'cloudreve://my/x.bin', size: 3, entity_type: 'other' })).code).toBe(40001);
        expect((await open(token, { uri: 'http://my/x.bin', size: 3 })).code).toBe(40001);
        expect((await call(api, 'PUT', '/file/upload', { json: { uri: 'cloudreve://my/x.bin', size: 3 } })).code).toBe(401);
      });
    });

    it('a file that does not fit in the quota is 40051 at once; a new version reserves its full size until it commits', async () => {
      const { user } = await api.t.newUser(undefined, { quota: 1000 });
      const token = (await login(api, user.email, PASSWORD)).access_token;
      const principal = await api.t.app.users.principalFor(user);
      await writeFile(api, principal, ['half.bin'], 'x'.repeat(400));
      await unchanged(async () => {
        const over = await open(token, { uri: 'cloudreve://my/big.bin', size: 601 });
        expect(over).toMatchObject({ code: 40051, msg: expect.stringMatching(/quota/) });
        // Its chunks are stored beside the 400 bytes it replaces until it commits: 1000 do not fit in the 600 left.
        const wholeVersion = await open(token, { uri: 'cloudreve://my/half.bin', size: 1000, entity_type: 'version' });
        expect(wholeVersion).toMatchObject({
          code: 40051,
          msg: 'This upload takes 1000 bytes, more than the storage quota leaves (600 bytes)',
        });
      });
      const version = await open(token, { uri: 'cloudreve://my/half.bin', size: 600, entity_type: 'version' });
      expect(version.code).toBe(0);
      await unchanged(async () => {
        const over = await open(token, { uri: 'cloudreve://my/other.bin', size: 1 });
        expect(over).toMatchObject({
          code: 40051,
          msg: 'This upload takes 1 byte, more than the storage quota leaves (0 bytes, counting the 600 bytes that uploads in progress will take)',
        });
        // Another version of the same file reserves its whole size too.
        expect((await open(token, { uri: 'cloudreve://my/half.bin', size: 400, entity_type: 'version' })).code).toBe(40051);
      });
      const cancelled = await call(api, 'DELETE', '/file/upload', {
        token,
        json: { id: version.data!.session_id, uri: version.data!.uri },
      });
      expect(cancelled.code).toBe(0);
      expect((await open(token, { uri: 'cloudreve://my/other.bin', size: 600 })).code).toBe(0);
    });

    it('open sessions reserve their bytes: uploads that do not fit beside the ones in progress are 40051 (review: 4 of 2,900 in 3,000)', async () => {
      const { user } = await api.t.newUser(undefined, { quota: 3000 });
      let token = (await login(api, user.email, PASSWORD)).access_token;
      const first = (await open(token, { uri: 'cloudreve://my/one.bin', size: 2900 })).data!;
      await unchanged(async () => {
        for (const name of ['two.bin', 'three.bin', 'four.bin']) {
          const refused = await open(token, { uri: `cloudreve://my/${name}`, size: 2900 });
          expect(refused, name).toMatchObject({
            code: 40051,
            msg: 'This upload takes 2900 bytes, more than the storage quota leaves (100 bytes, counting the 2900 bytes that uploads in progress will take)',
          });
        }
      });
      expect((await open(token, { uri: 'cloudreve://my/small.bin', size: 100 })).code).toBe(0);
      await unchanged(async () => expect((await open(token, { uri: 'cloudreve://my/more.bin', size: 1 })).code).toBe(40051));

      // A cancelled session gives its bytes back.
      expect((await call(api, 'DELETE', '/file/upload', { token, json: { id: first.session_id, uri: first.uri } })).code).toBe(0);
      const second = (await open(token, { uri: 'cloudreve://my/two.bin', size: 2900 })).data!;
      // A completed one counts as stored bytes instead: the quota is still full.
      await uploadAll(token, second.session_id, randomBytes(2900));
      await unchanged(async () => expect((await open(token, { uri: 'cloudreve://my/more.bin', size: 1 })).code).toBe(40051));

      // Expired sessions hold nothing.
      offset += DAY_MS + 60_000;
      try {
        token = (await login(api, user.email, PASSWORD)).access_token;
        await call(api, 'DELETE', '/file', { token, json: { uris: ['cloudreve://my/two.bin'], skip_soft_delete: true } });
        expect((await open(token, { uri: 'cloudreve://my/later.bin', size: 3000 })).code).toBe(0);
      } finally {
        offset = 0;
      }
    });

    it('sessions opened at the same moment cannot overbook the quota together', async () => {
      const { user } = await api.t.newUser(undefined, { quota: 3000 });
      const token = (await login(api, user.email, PASSWORD)).access_token;
      const answers = await Promise.all(
        [...Array(6).keys()].map((n) => open(token, { uri: `cloudreve://my/racing ${n}.bin`, size: 1000 })),
      );
      expect(answers.map((answer) => answer.code).sort()).toEqual([0, 0, 0, 40051, 40051, 40051]);
      // The refused ones took their placeholders away again.
      const listing = await call<{ files: FileJson[] }>(api, 'GET', '/file', { token, query: { uri: 'cloudreve://my' } });
      const opened = answers.filter((answer) => answer.code === 0).map((answer) => decodeURIComponent(answer.data!.uri.split('/').pop()!));
      expect(listing.data!.files.map((file) => file.name).sort()).toEqual(opened.sort());
    });
  });

  describe('new versions (contract 15.1 entity_type "version", checklist 15)', () => {
    it('replaces the content and keeps the id; readers see the old content until the last chunk, and a reader already reading keeps it', async () => {
      const { principal, token } = await apiUser(api);
      const old = randomBytes(5 * CHUNK + 3);
      await api.t.app.vfs.write(principal, ['doc.bin'], bodyFrom(old));
      const before = (await info(token, 'cloudreve://my/doc.bin')).data!;
      const content = randomBytes(5 * CHUNK + 77);
      const session = (await open(token, { uri: 'cloudreve://my/doc.bin', size: content.length, entity_type: 'version' })).data!;
      // No placeholder for an existing file: it stays as it was.
      expect((await info(token, 'cloudreve://my/doc.bin')).data).toEqual(before);
      for (let index = 0; index < 5; index++) {
        expect((await postChunk(api, token, session.session_id, index, chunkOf(content, index))).code).toBe(0);
        expect((await read(principal, ['doc.bin'])).equals(old)).toBe(true);
      }
      const reader = (await api.t.app.vfs.read(principal, ['doc.bin'])).stream;
      expect((await postChunk(api, token, session.session_id, 5, chunkOf(content, 5))).code).toBe(0);
      expect((await readAll(reader)).equals(old)).toBe(true);
      expect((await read(principal, ['doc.bin'])).equals(content)).toBe(true);
      const after = (await info(token, 'cloudreve://my/doc.bin')).data!;
      expect(after).toMatchObject({ id: before.id, size: content.length, created_at: before.created_at });
      // The old content is kept as a version (issue 12), charged beside the new one.
      expect((await call(api, 'GET', '/user/capacity', { token })).data).toMatchObject({ used: content.length + old.length });
      const { versions } = await api.t.app.vfs.history.versions(principal, ['doc.bin']);
      expect(versions.map((v) => v.size)).toEqual([content.length, old.length]);
    });

    it('a new file lands only on its own untouched placeholder: one written meanwhile wins, one deleted cancels the upload', async () => {
      const { principal, token } = await apiUser(api);
      const content = randomBytes(CHUNK + 1);
      const overwritten = (await open(token, { uri: 'cloudreve://my/raced.bin', size: content.length })).data!;
      expect((await postChunk(api, token, overwritten.session_id, 0, chunkOf(content, 0))).code).toBe(0);
      await writeFile(api, principal, ['raced.bin'], 'written over WebDAV meanwhile');
      expect((await postChunk(api, token, overwritten.session_id, 1, chunkOf(content, 1))).code).toBe(40004);
      expect((await read(principal, ['raced.bin'])).toString()).toBe('written over WebDAV meanwhile');
      expect(chunkFiles(overwritten.session_id)).toEqual([]);
      expect((await progress(token, overwritten.session_id)).code).toBe(40011);

      const deleted = (await open(token, { uri: 'cloudreve://my/gone.bin', size: content.length })).data!;
      expect((await call(api, 'DELETE', '/file', { token, json: { uris: [deleted.uri], skip_soft_delete: true } })).code).toBe(0);
      expect((await postChunk(api, token, deleted.session_id, 0, chunkOf(content, 0))).code).toBe(0);
      expect((await postChunk(api, token, deleted.session_id, 1, chunkOf(content, 1))).code).toBe(40016);
      expect((await info(token, deleted.uri)).code).toBe(40016);
    });
  });

  describe('cancelling (contract 15.6, checklist 16)', () => {
    it('removes the session, its chunks and its placeholder; the session is gone for chunks and a second cancel', async () => {
      const { token } = await apiUser(api);
      const content = randomBytes(3 * CHUNK);
      const session = (await open(token, { uri: 'cloudreve://my/cancelled.bin', size: content.length })).data!;
      expect((await postChunk(api, token, session.session_id, 0, chunkOf(content, 0))).code).toBe(0);
      expect(chunkFiles(session.session_id)).toEqual(['0']);

      await unchanged(async () => {
        const wrongUri = await call(api, 'DELETE', '/file/upload', {
          token,
          json: { id: session.session_id, uri: 'cloudreve://my/other.bin' },
        });
        expect(wrongUri).toMatchObject({ code: 404, msg: 'Upload session not found' });
        expect((await call(api, 'DELETE', '/file/upload', { token, json: { id: session.session_id } })).code).toBe(40001);
      });
      const cancelled = await call(api, 'DELETE', '/file/upload', { token, json: { id: session.session_id, uri: session.uri } });
      expect(cancelled).toMatchObject({ code: 0, msg: '' });
      expect((await info(token, session.uri)).code).toBe(40016);
      expect(existsSync(path.join(uploadsDir(), session.session_id))).toBe(false);
      expect(await sessionRows()).not.toContainEqual(expect.objectContaining({ id: session.session_id }));
      expect((await postChunk(api, token, session.session_id, 1, chunkOf(content, 1))).code).toBe(40011);
      expect((await call(api, 'DELETE', '/file/upload', { token, json: { id: session.session_id, uri: session.uri } })).code).toBe(404);
      expect(chunkFiles(session.session_id)).toEqual([]);
    });

    it('cancelling a new version leaves the file as it was', async () => {
      const { principal, token } = await apiUser(api);
      await writeFile(api, principal, ['kept.txt'], 'kept');
      const session = (await open(token, { uri: 'cloudreve://my/kept.txt', size: 10, entity_type: 'version' })).data!;
      const cancelled = await call(api, 'DELETE', '/file/upload', {
        token,
        json: { id: session.session_id, uri: 'cloudreve://my/kept.txt' },
      });
      expect(cancelled.code).toBe(0);
      expect((await read(principal, ['kept.txt'])).toString()).toBe('kept');
    });
  });

  describe('expiry (contract 15.1: sessions last upload_session_timeout)', () => {
    it('an expired session refuses chunks (40011); gc removes it with its chunks and placeholder', async () => {
      const { record: user, token } = await apiUser(api);
      const content = randomBytes(2 * CHUNK);
      const session = (await open(token, { uri: 'cloudreve://my/abandoned.bin', size: content.length })).data!;
      expect((await postChunk(api, token, session.session_id, 0, chunkOf(content, 0))).code).toBe(0);
      offset += DAY_MS + 60_000;
      try {
        // Tokens expire too: sign in again in the future.
        const later = (await login(api, user.email, PASSWORD)).access_token;
        expect((await postChunk(api, later, session.session_id, 1, chunkOf(content, 1))).code).toBe(40011);
        expect((await progress(later, session.session_id)).code).toBe(40011);
        expect(chunkFiles(session.session_id)).toEqual(['0']);

        const report = await api.t.app.gc.run({ graceMs: 3600_000 });
        expect(report.temporaries).toBeGreaterThanOrEqual(1);
        expect(report.freedBytes).toBeGreaterThanOrEqual(CHUNK);
        expect(existsSync(path.join(uploadsDir(), session.session_id))).toBe(false);
        expect(await sessionRows()).not.toContainEqual(expect.objectContaining({ id: session.session_id }));
        expect((await info(later, session.uri)).code).toBe(40016);
      } finally {
        offset = 0;
      }
    });

    it('gc removes chunk folders that belong to no session once past the grace period', async () => {
      const { token } = await apiUser(api);
      const session = (await open(token, { uri: 'cloudreve://my/orphan.bin', size: 2 * CHUNK })).data!;
      expect((await postChunk(api, token, session.session_id, 0, Buffer.alloc(CHUNK))).code).toBe(0);
      await api.t.app.database.db.deleteFrom('upload_sessions').where('id', '=', session.session_id).execute();
      await api.t.app.gc.run({ graceMs: 3600_000 });
      expect(chunkFiles(session.session_id)).toEqual(['0']);
      await api.t.app.gc.run({ graceMs: 0 });
      expect(existsSync(path.join(uploadsDir(), session.session_id))).toBe(false);
    });
  });

  describe('chunks of any Content-Type (Cloudreve takes them all)', () => {
    it('stores chunks sent without a type, as text/plain, as a form (curl --data-binary) or even as JSON, byte for byte', async () => {
      const { principal, token } = await apiUser(api);
      const content = randomBytes(5 * CHUNK + 3);
      // Bytes that are not valid JSON, UTF-8 or form encoding, in case anything tried to parse them.
      content.write('{"not": json', 0, 'latin1');
      const session = (await open(token, { uri: 'cloudreve://my/typed.bin', size: content.length })).data!;
      const types = [
        null,
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/json',
        'multipart/form-data; boundary=x',
        'nonsense',
      ];
      for (const [index, contentType] of types.entries()) {
        const answer = await postChunk(api, token, session.session_id, index, chunkOf(content, index), { contentType });
        expect(answer, String(contentType)).toMatchObject({ code: 0, msg: '' });
      }
      expect((await read(principal, ['typed.bin'])).equals(content)).toBe(true);

      // Refusals are the same whatever the type.
      const other = (await open(token, { uri: 'cloudreve://my/typed-short.bin', size: 2 * CHUNK })).data!;
      await unchanged(async () => {
        const short = await postChunk(api, token, other.session_id, 0, Buffer.alloc(10), { contentType: 'text/plain' });
        expect(short).toMatchObject({ code: 40013, msg: `Invalid Content-Length (expected: ${CHUNK})` });
        const signedOut = await postChunk(api, undefined, other.session_id, 0, Buffer.alloc(CHUNK), { contentType: null });
        expect(signedOut.code).toBe(401);
      });
    });

    it('the JSON routes still refuse other types with the same message, the chunk type included', async () => {
      const { token } = await apiUser(api);
      await unchanged(async () => {
        for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream']) {
          const answer = await call(api, 'PUT', '/file/upload', {
            token,
            body: JSON.stringify({ uri: 'cloudreve://my/typed.json', size: 3 }),
            headers: { 'Content-Type': type },
          });
          expect(answer, type).toMatchObject({ code: 40001, msg: 'Send request bodies as JSON with Content-Type: application/json' });
        }
      });
    });
  });

  describe('last_modified (contract 15.4)', () => {
    it('is refused with 40001 past the end of year 9999, before anything is written; the last millisecond of 9999 works', async () => {
      const { principal, token } = await apiUser(api);
      await unchanged(async () => {
        for (const lastModified of [253402300800000, 8.64e15 + 1, Number.MAX_SAFE_INTEGER]) {
          const answer = await open(token, { uri: 'cloudreve://my/future.bin', size: 3, last_modified: lastModified });
          expect(answer, String(lastModified)).toMatchObject({
            code: 40001,
            msg: 'last_modified: must be a time before the year 10000 (at most 253402300799999 Unix milliseconds)',
          });
        }
      });
      const session = (await open(token, { uri: 'cloudreve://my/future.bin', size: 3, last_modified: 253402300799999 })).data!;
      expect((await postChunk(api, token, session.session_id, 0, Buffer.from('end'))).code).toBe(0);
      expect((await info(token, session.uri)).data).toMatchObject({ size: 3, updated_at: '9999-12-31T23:59:59.999Z' });
      expect((await read(principal, ['future.bin'])).toString()).toBe('end');
    });
  });

  describe('open sessions per user (config uploads.maxOpenSessions)', () => {
    let capOffset = 0;
    const capped = useApiServer(dialect, {
      clock: () => Date.now() + capOffset,
      config: { uploads: { chunkSizeBytes: CHUNK, maxOpenSessions: 2 } },
    });

    it('refuses a session beyond the limit with a clear message; completed, cancelled and expired ones do not count', async () => {
      const { record, token } = await apiUser(capped);
      const openOn = (t: string, name: string) =>
        call<SessionJson>(capped, 'PUT', '/file/upload', { token: t, json: { uri: `cloudreve://my/${name}`, size: 10 } });
      const a = (await openOn(token, 'a.bin')).data!;
      const b = (await openOn(token, 'b.bin')).data!;
      const refused = async (name: string) =>
        unchangedOn(capped, async () => {
          expect(await openOn(token, name)).toMatchObject({
            code: 429,
            msg: 'You already have 2 uploads in progress, the most this server allows; finish or cancel one before starting another',
          });
        });
      await refused('c.bin');
      // Another user has their own allowance.
      expect((await openOn((await apiUser(capped)).token, 'c.bin')).code).toBe(0);

      expect((await postChunk(capped, token, a.session_id, 0, Buffer.alloc(10))).code).toBe(0);
      // The completed one no longer counts.
      expect((await openOn(token, 'c.bin')).code).toBe(0);
      await refused('d.bin');
      expect((await call(capped, 'DELETE', '/file/upload', { token, json: { id: b.session_id, uri: b.uri } })).code).toBe(0);
      expect((await openOn(token, 'd.bin')).code).toBe(0);
      await refused('e.bin');

      capOffset += DAY_MS + 60_000;
      try {
        const later = (await login(capped, record.email, PASSWORD)).access_token;
        expect((await openOn(later, 'e.bin')).code).toBe(0);
        expect((await openOn(later, 'f.bin')).code).toBe(0);
      } finally {
        capOffset = 0;
      }
    });
  });

  describe('a chunk sent again while the file is being assembled waits for the outcome (contract 15.7)', () => {
    // OpenList gives up on the last chunk after 30 s and sends it again; once that succeeds it
    // deletes the original it renamed aside. A storage that holds the commit's write until the
    // test lets it go on (or fails it) stands for a slow one.
    let slowOffset = 0;
    const storage = new GatedBackend();
    const slow = useApiServer(dialect, {
      clock: () => Date.now() + slowOffset,
      backendOverride: () => storage,
      config: { uploads: { chunkSizeBytes: CHUNK }, storage: { inlineMaxBytes: 0 } },
    });

    /** Opens a two-chunk upload, sends chunk 0, and sends chunk 1 with the commit's write held; resolves once it is held. */
    async function lastChunkHeld(name: string) {
      const { principal, token } = await apiUser(slow);
      const content = randomBytes(CHUNK + 100);
      const uri = `cloudreve://my/${name}`;
      const session = (await call<SessionJson>(slow, 'PUT', '/file/upload', { token, json: { uri, size: content.length } })).data!;
      expect((await postChunk(slow, token, session.session_id, 0, chunkOf(content, 0))).code).toBe(0);
      const held = storage.hold();
      const first = postChunk(slow, token, session.session_id, 1, chunkOf(content, 1));
      await held.reached;
      const resend = (node: { origin: string } = slow) => answeredLater(postChunk(node, token, session.session_id, 1, chunkOf(content, 1)));
      return { principal, token, content, session, held, first, resend };
    }

    it('answers the retry only once the file is complete, on this node and on another one', async () => {
      const { principal, token, content, session, held, first, resend } = await lastChunkHeld('slow.bin');
      const node = await secondNode(slow);
      try {
        const here = resend();
        const there = resend(node);
        await new Promise((resolve) => setTimeout(resolve, 600));
        expect(here.answered(), 'the retry on this node').toBe(false);
        expect(there.answered(), 'the retry on another node').toBe(false);
        expect((await call<ProgressJson>(slow, 'GET', `/file/upload/${session.session_id}`, { token })).data!.completed).toBe(false);
        held.release();
        expect(await first).toMatchObject({ code: 0 });
        expect(await here.answer).toMatchObject({ code: 0, msg: '' });
        expect(await there.answer).toMatchObject({ code: 0, msg: '' });
        expect((await readAll((await slow.t.app.vfs.read(principal, ['slow.bin'])).stream)).equals(content)).toBe(true);
      } finally {
        await node.close();
      }
    });

    it('answers the real failure when the commit fails for good (here), or that the upload ended (elsewhere)', async () => {
      const { principal, token, session, held, first, resend } = await lastChunkHeld('doomed.bin');
      const node = await secondNode(slow);
      try {
        const here = resend();
        const there = resend(node);
        // The placeholder is deleted meanwhile, which cancels the upload (contract 15.1).
        await slow.t.app.vfs.delete(principal, ['doomed.bin']);
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(here.answered() || there.answered()).toBe(false);
        held.release();
        expect(await first).toMatchObject({ code: 40016 });
        expect(await here.answer).toMatchObject({ code: 40016, msg: expect.stringMatching(/placeholder of this upload was deleted/) });
        expect(await there.answer).toMatchObject({ code: 40011, msg: expect.stringMatching(/ended without completing/) });
        expect((await call(slow, 'GET', '/file/info', { token, query: { uri: session.uri } })).code).toBe(40016);
      } finally {
        await node.close();
      }
    });

    it('completes the file itself when the commit it waited on failed and gave the session back', async () => {
      const { principal, content, held, first, resend } = await lastChunkHeld('retried.bin');
      const retry = resend();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(retry.answered()).toBe(false);
      held.fail(new Error('the storage went away for a moment'));
      expect((await first).code).not.toBe(0);
      expect(await retry.answer).toMatchObject({ code: 0, msg: '' });
      expect((await readAll((await slow.t.app.vfs.read(principal, ['retried.bin'])).stream)).equals(content)).toBe(true);
    });

    it('answers 409 rather than success when the file is still being assembled after the wait; a later retry learns the outcome', async () => {
      const { principal, token, content, session, held, first, resend } = await lastChunkHeld('stuck.bin');
      const retry = resend();
      try {
        // The server's clock runs on (the wait is bounded by it) until the retry is answered.
        // No step limit: a retry that reached the server late took its deadline from an advanced
        // clock, and putting the clock back before it is answered would leave it waiting for minutes.
        while (!retry.answered()) {
          slowOffset += 10_000;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      } finally {
        slowOffset = 0;
      }
      expect(await retry.answer).toMatchObject({
        code: 409,
        msg: 'The file of this upload is still being assembled from its chunks; send the last chunk again in a moment to learn whether it completed',
      });
      expect((await call<ProgressJson>(slow, 'GET', `/file/upload/${session.session_id}`, { token })).data!.completed).toBe(false);
      held.release();
      expect((await first).code).toBe(0);
      expect((await postChunk(slow, token, session.session_id, 1, chunkOf(content, 1))).code).toBe(0);
      expect((await readAll((await slow.t.app.vfs.read(principal, ['stuck.bin'])).stream)).equals(content)).toBe(true);
    });
  });

  it('takes chunks larger than the JSON body limit (the default 25 MiB chunk size must work)', async () => {
    const big = await startApiServer(dialect, { config: { uploads: { chunkSizeBytes: 1536 * 1024 } } });
    try {
      const { principal, token } = await apiUser(big);
      const content = randomBytes(3 * 1024 * 1024 + 99);
      const session = (
        await call<SessionJson>(big, 'PUT', '/file/upload', { token, json: { uri: 'cloudreve://my/large.bin', size: content.length } })
      ).data!;
      expect(session.chunk_size).toBe(1536 * 1024);
      for (let index = 0; index < 3; index++) {
        const answer = await postChunk(big, token, session.session_id, index, chunkOf(content, index, session.chunk_size));
        expect(answer, `chunk ${index}`).toMatchObject({ code: 0 });
      }
      expect((await readAll((await big.t.app.vfs.read(principal, ['large.bin'])).stream)).equals(content)).toBe(true);
    } finally {
      await big.close();
    }
  });

  it('documents the upload routes in the OpenAPI description', async () => {
    const document = (await fetchJson(`${api.origin}/api/v4/openapi.json`)) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(document.paths['/api/v4/file/upload']!).sort()).toEqual(['delete', 'put']);
    expect(document.paths['/api/v4/file/upload/{sessionId}']).toHaveProperty('get');
    expect(document.paths['/api/v4/file/upload/{sessionId}/{index}']).toHaveProperty('post');
  });
});

const uploadsDirOf = (api: ApiServer) => path.join(api.t.dataDir, 'uploads');
const chunkFilesOf = (api: ApiServer, sessionId: string) =>
  existsSync(path.join(uploadsDirOf(api), sessionId)) ? readdirSync(path.join(uploadsDirOf(api), sessionId)).sort() : [];
const sessionRowsOf = async (api: ApiServer) =>
  api.t.app.database.db.selectFrom('upload_sessions').select(['id', 'completed_at']).orderBy('id').execute();
const chunksOf = (api: ApiServer) =>
  existsSync(uploadsDirOf(api)) ? readdirSync(uploadsDirOf(api)).flatMap((id) => chunkFilesOf(api, id).map((name) => `${id}/${name}`)) : [];

/** Nothing a refused request could have touched changed: entries, blobs, locks, counters, sessions and chunk files. */
function unchangedOn<T>(api: ApiServer, act: () => Promise<T>): Promise<T> {
  return unchangedBy(
    async () => ({ sessions: await sessionRowsOf(api), chunks: chunksOf(api) }),
    () => unchangedIn(api, act),
  );
}

/**
 * POSTs one chunk as raw bytes (contract 15.3); `chunked` sends it without Content-Length;
 * `contentType` replaces application/octet-stream (null: no Content-Type at all).
 */
async function postChunk(
  api: { readonly origin: string },
  token: string | undefined,
  sessionId: string,
  index: number | string,
  body: Buffer,
  options: { chunked?: boolean; contentType?: string | null } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { Accept: 'application/json, text/plain, */*' };
  const contentType = options.contentType === undefined ? 'application/octet-stream' : options.contentType;
  if (contentType !== null) headers['Content-Type'] = contentType;
  if (token) headers.Authorization = `Bearer ${token}`;
  if (!options.chunked) headers['Content-Length'] = String(body.length);
  const url = new URL(`${api.origin}/api/v4/file/upload/${encodeURIComponent(sessionId)}/${index}`);
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers, agent: false },
      (response) => {
        const parts: Buffer[] = [];
        response.on('data', (part: Buffer) => parts.push(part));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(parts).toString('utf8');
          try {
            resolve({ ...(JSON.parse(text) as Envelope), status: response.statusCode ?? 0, headers: response.headers });
          } catch {
            reject(new Error(`chunk ${index} answered HTTP ${response.statusCode} with a body that is not JSON: ${text.slice(0, 200)}`));
          }
        });
      },
    );
    // The server may answer a refusal and close before the whole body is sent.
    request.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error),
    );
    if (options.chunked) {
      request.write(body.subarray(0, Math.floor(body.length / 2)));
      request.end(body.subarray(Math.floor(body.length / 2)));
    } else request.end(body);
  });
}

/** Starts a chunk announcing `declared` bytes, sends `sent`, and drops the connection (a client that lost its network). */
async function dropMidChunk(
  api: ApiServer,
  token: string,
  sessionId: string,
  index: number,
  sent: Buffer,
  declared: number,
): Promise<void> {
  const url = new URL(`${api.origin}/api/v4/file/upload/${sessionId}/${index}`);
  await new Promise<void>((resolve) => {
    const request = http.request({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      agent: false,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/octet-stream', 'Content-Length': String(declared) },
    });
    request.on('error', () => resolve());
    request.on('response', (response) => {
      response.resume();
      resolve();
    });
    request.write(sent, () => setTimeout(() => request.destroy(), 100));
    request.on('close', () => resolve());
  });
}

async function waitFor(condition: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function fetchJson(url: string): Promise<unknown> {
  const response = await fetch(url);
  return response.json();
}

function bodyFrom(content: Buffer) {
  return Readable.from([content]);
}

/** A request's answer, and whether it has come yet. */
function answeredLater<T>(answer: Promise<T>): { answer: Promise<T>; answered(): boolean } {
  let settled = false;
  const tracked = answer.finally(() => {
    settled = true;
  });
  return { answer: tracked, answered: () => settled };
}

/** Another server process on the same database and data directory (DESIGN.md decision 6), over its own port. */
async function secondNode(api: ApiServer): Promise<{ origin: string; close(): Promise<void> }> {
  const server = await buildHttpServer(await api.t.reopen());
  await server.listen({ host: '127.0.0.1', port: 0 });
  return { origin: `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`, close: () => server.close() };
}

/**
 * A memory backend whose next put can be held, as a slow storage would hold a commit, until
 * the test lets it go on or fails it.
 */
class GatedBackend extends MemoryBackend {
  private next: { reached: () => void; gate: Promise<void> } | null = null;

  /** Holds the next put; `reached` resolves once one is waiting. */
  hold(): { reached: Promise<void>; release: () => void; fail: (error: Error) => void } {
    let release!: () => void;
    let fail!: (error: Error) => void;
    let reached!: () => void;
    const gate = new Promise<void>((resolve, reject) => {
      release = resolve;
      fail = reject;
    });
    gate.catch(() => undefined);
    const waiting = new Promise<void>((resolve) => {
      reached = resolve;
    });
    this.next = { reached, gate };
    return { reached: waiting, release, fail };
  }

  override async put(key: string, source: Readable, options?: { signal?: AbortSignal }): Promise<number> {
    const held = this.next;
    this.next = null;
    if (held) {
      held.reached();
      await held.gate;
    }
    return super.put(key, source, options);
  }
}
