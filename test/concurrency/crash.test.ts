// A process killed with SIGKILL in the middle of an upload, and clients that go away in the
// middle of a request, on two `cumulus serve` processes sharing one database: nothing partial
// becomes visible, nothing changes, and the other process (and the killed one, restarted)
// keeps serving.
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { api, contentOf, dav, listNames, must, read, streamingPut, EXCLUSIVE_LOCK_BODY } from '../support/race-clients.js';
import { invariantViolations } from '../support/race-rounds.js';
import { CHUNK_BYTES, useTwoServers, type TwoServers } from '../support/two-servers.js';

/** Every row a request could change. */
async function stored(servers: TwoServers) {
  const db = servers.database.db;
  return {
    entries: await db.selectFrom('entries').select(['id', 'parent_id', 'name', 'size', 'etag', 'blob_id']).orderBy('id').execute(),
    blobs: await db.selectFrom('blobs').select(['id', 'state', 'ref_count']).orderBy('id').execute(),
    locks: await db.selectFrom('locks').select(['token', 'entry_id']).orderBy('token').execute(),
    used: await db.selectFrom('users').select(['id', 'storage_used']).orderBy('id').execute(),
    chunks: await db.selectFrom('upload_chunks').select(['session_id', 'chunk_index']).orderBy('chunk_index').execute(),
  };
}

async function pendingBlobs(servers: TwoServers): Promise<number> {
  const rows = await servers.database.db.selectFrom('blobs').select('id').where('state', '=', 'pending').execute();
  return rows.length;
}

/** Feeds a streaming PUT until the server has stored some of it (a pending blob exists); bounded, never timed. */
async function sendUntilStoring(servers: TwoServers, upload: ReturnType<typeof streamingPut>, before: number): Promise<void> {
  const piece = Buffer.from(contentOf('partial', 64 * 1024));
  // Up to half the upload: the kernel's loopback buffers alone take ~10 MiB before a busy server reads a byte.
  for (let sent = 0; sent < 2000; sent++) {
    await upload.send(piece);
    if ((await pendingBlobs(servers)) > before) return;
  }
  throw new Error('the server never started storing the upload');
}

/**
 * Asserts that the stored rows come back to `before` once the server has noticed the closed
 * connection and discarded what it stored; it gets a minute to do so (a loaded machine).
 */
async function expectBackTo(servers: TwoServers, before: Awaited<ReturnType<typeof stored>>): Promise<void> {
  const wanted = JSON.stringify(before);
  for (const deadline = Date.now() + 60_000; Date.now() < deadline && JSON.stringify(await stored(servers)) !== wanted;) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(await stored(servers)).toEqual(before);
}

describe.each(DIALECTS)('crashes and disconnects with two processes (%s)', (dialect) => {
  const servers = useTwoServers(dialect);

  it('a process killed with SIGKILL mid-upload leaves nothing visible, and the other keeps serving', async () => {
    const { a, b } = servers();
    const user = await servers().sharedAccount();
    await must(dav(b, user, 'PUT', '/survivor.txt', { body: 'still here' }));
    const upload = streamingPut(a, user, '/victim.bin', 256 * 1024 * 1024);
    await sendUntilStoring(servers(), upload, await pendingBlobs(servers()));

    await a.kill('SIGKILL');
    upload.abort();

    expect((await read(b, user, '/victim.bin')).status).toBe(404);
    expect(await listNames(b, user, '/')).toEqual(['survivor.txt']);
    // Only the dead writer's pending blob is left, pointed at by nothing (gc removes it after its grace period).
    expect(await invariantViolations(servers())).toEqual([]);
    expect(await pendingBlobs(servers())).toBe(1);
    await must(dav(b, user, 'PUT', '/after.txt', { body: 'written by B' }));
    expect((await read(b, user, '/after.txt')).text).toBe('written by B');

    await servers().restart('A');
    expect((await read(a, user, '/survivor.txt')).text).toBe('still here');
    expect((await read(a, user, '/after.txt')).text).toBe('written by B');
  });

  it('a PUT whose client goes away mid-body changes nothing, new file or replacement', async () => {
    const { a, b } = servers();
    const user = await servers().sharedAccount();
    await must(dav(a, user, 'PUT', '/existing.txt', { body: 'old content' }));
    for (const path of ['/new.bin', '/existing.txt']) {
      const before = await stored(servers());
      const upload = streamingPut(a, user, path, 64 * 1024 * 1024);
      await sendUntilStoring(servers(), upload, await pendingBlobs(servers()));
      upload.abort();
      await expectBackTo(servers(), before);
    }
    expect((await read(b, user, '/new.bin')).status).toBe(404);
    expect((await read(b, user, '/existing.txt')).text).toBe('old content');
    expect(await invariantViolations(servers())).toEqual([]);
    await must(dav(a, user, 'PUT', '/existing.txt', { body: 'new content' }));
    expect((await read(b, user, '/existing.txt')).text).toBe('new content');
  });

  it("an API upload's last chunk cut off mid-body leaves the upload incomplete and resumable", async () => {
    const { a, b } = servers();
    const user = await servers().sharedAccount();
    const content = Buffer.from(contentOf('chunked', 2 * CHUNK_BYTES + 100));
    const opened = await api<{ session_id: string }>(a, user, 'PUT', '/file/upload', {
      uri: 'cloudreve://my/cut.bin',
      size: content.length,
    });
    expect(opened.code, opened.msg).toBe(0);
    const session = opened.data!.session_id;
    for (const index of [0, 1]) {
      expect(
        (await api(a, user, 'POST', `/file/upload/${session}/${index}`, content.subarray(index * CHUNK_BYTES, (index + 1) * CHUNK_BYTES)))
          .code,
      ).toBe(0);
    }
    const before = await stored(servers());
    const last = content.subarray(2 * CHUNK_BYTES);
    const cut = await fetch(`${a.origin}/api/v4/file/upload/${session}/2`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${user.token}`, 'Content-Length': String(last.length) },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(last.subarray(0, 50));
          controller.error(new Error('client went away'));
        },
      }),
      duplex: 'half',
    } as RequestInit).catch((error: unknown) => error);
    expect(cut).toBeInstanceOf(Error);
    await expectBackTo(servers(), before);
    expect((await read(b, user, '/cut.bin')).text).toBe('');

    // The client comes back and sends the chunk again, to the other process.
    const resent = await api(b, user, 'POST', `/file/upload/${session}/2`, last);
    expect(resent.code, resent.msg).toBe(0);
    expect((await read(a, user, '/cut.bin')).text).toBe(content.toString());
    expect(await invariantViolations(servers())).toEqual([]);
  });

  it('a LOCK whose client goes away mid-body takes no lock', async () => {
    const { a, b } = servers();
    const user = await servers().sharedAccount();
    await must(dav(a, user, 'PUT', '/lockable.txt', { body: 'content' }));
    const before = await stored(servers());
    const cut = await fetch(`${a.origin}/dav/lockable.txt`, {
      method: 'LOCK',
      headers: {
        Authorization: `Basic ${Buffer.from(`${user.email}:${user.davPassword}`).toString('base64')}`,
        'Content-Type': 'application/xml',
        'Content-Length': String(EXCLUSIVE_LOCK_BODY.length),
      },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(Buffer.from(EXCLUSIVE_LOCK_BODY.slice(0, 60)));
          controller.error(new Error('client went away'));
        },
      }),
      duplex: 'half',
    } as RequestInit).catch((error: unknown) => error);
    expect(cut).toBeInstanceOf(Error);
    // The server is still serving on both processes, and a LOCK with the whole body is granted.
    expect((await read(a, user, '/lockable.txt')).text).toBe('content');
    expect(await stored(servers())).toEqual(before);
    const granted = await dav(b, user, 'LOCK', '/lockable.txt', {
      headers: { 'Content-Type': 'application/xml', Depth: '0' },
      body: EXCLUSIVE_LOCK_BODY,
    });
    expect(granted.status).toBe(200);
    expect(await invariantViolations(servers())).toEqual([]);
  });
});
