import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type FileStat, type WebDAVClient } from 'webdav';
import { startDavServer, type DavServer } from '../support/dav-server.js';
import { locksOn, storedEntry, storedNames } from '../support/replay.js';

/**
 * The `webdav` npm client (perry-mitchell/webdav-client) as a real protocol client against
 * the server: the everyday operations, locks and quota, and a read-only account on which
 * every write is refused with 403 while reads work.
 */
const QUOTA_PROPFIND =
  '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:quota-available-bytes/><d:quota-used-bytes/></d:prop></d:propfind>';

describe('webdav npm client', () => {
  let dav: DavServer;
  let client: WebDAVClient;
  beforeAll(async () => {
    dav = await startDavServer('sqlite');
    client = createClient(dav.url, { username: dav.email, password: dav.password });
  });
  afterAll(async () => {
    await dav.close();
  });

  it('reports class 2 compliance', async () => {
    const compliance = await client.getDAVCompliance('/');
    expect(compliance.compliance).toEqual(expect.arrayContaining(['1', '2']));
  });

  it('creates folders and files and lists them', async () => {
    await client.createDirectory('/Projects');
    await client.createDirectory('/Projects/2024/Q1', { recursive: true });
    expect(await client.putFileContents('/Projects/notes.md', '# Notes\n\nhéllo wörld\n')).toBe(true);
    expect(await client.putFileContents('/Projects/data.bin', Buffer.from([0, 1, 2, 3, 254, 255]))).toBe(true);
    expect(await client.putFileContents('/Projects/Ünïcode & spaces.txt', 'x')).toBe(true);

    const contents = (await client.getDirectoryContents('/Projects')) as FileStat[];
    expect(contents.map((f) => [f.basename, f.type]).sort()).toEqual([
      ['2024', 'directory'],
      ['data.bin', 'file'],
      ['notes.md', 'file'],
      ['Ünïcode & spaces.txt', 'file'],
    ]);
    const notes = contents.find((f) => f.basename === 'notes.md')!;
    expect(notes.filename).toBe('/Projects/notes.md');
    expect(notes.size).toBe(Buffer.byteLength('# Notes\n\nhéllo wörld\n'));
    expect(notes.mime).toMatch(/^text\/markdown/);

    const deep = (await client.getDirectoryContents('/Projects/2024')) as FileStat[];
    expect(deep.map((f) => f.filename)).toEqual(['/Projects/2024/Q1']);
    expect(await client.exists('/Projects/2024/Q1')).toBe(true);
    expect(await client.exists('/Projects/missing.txt')).toBe(false);
  });

  it('reads contents as text and binary', async () => {
    expect(await client.getFileContents('/Projects/notes.md', { format: 'text' })).toBe('# Notes\n\nhéllo wörld\n');
    const binary = (await client.getFileContents('/Projects/data.bin')) as Buffer;
    expect(Buffer.from(binary).equals(Buffer.from([0, 1, 2, 3, 254, 255]))).toBe(true);
    expect(await client.getFileContents('/Projects/Ünïcode & spaces.txt', { format: 'text' })).toBe('x');
  });

  it('stats a file: size, etag and lastmod match the stored entry', async () => {
    const stat = (await client.stat('/Projects/notes.md')) as FileStat;
    const stored = (await storedEntry(dav, '/Projects/notes.md'))!;
    expect(stat.type).toBe('file');
    expect(stat.size).toBe(stored.size);
    expect(stat.etag).toBe(stored.etag);
    expect(Date.parse(stat.lastmod)).toBe(Math.floor(stored.mtime / 1000) * 1000);
    const folder = (await client.stat('/Projects/2024')) as FileStat;
    expect(folder.type).toBe('directory');
    await expect(client.stat('/nowhere')).rejects.toMatchObject({ status: 404 });
  });

  it('copies, moves and deletes files', async () => {
    await client.copyFile('/Projects/notes.md', '/Projects/2024/notes copy.md');
    const original = (await storedEntry(dav, '/Projects/notes.md'))!;
    await client.moveFile('/Projects/notes.md', '/Projects/2024/Q1/notes.md');
    const moved = (await storedEntry(dav, '/Projects/2024/Q1/notes.md'))!;
    expect(moved.id).toBe(original.id);
    expect(await storedEntry(dav, '/Projects/notes.md')).toBeNull();
    expect(await client.getFileContents('/Projects/2024/notes copy.md', { format: 'text' })).toBe('# Notes\n\nhéllo wörld\n');

    // copyFile/moveFile overwrite by default; Overwrite: F onto an existing file is 412.
    await client.copyFile('/Projects/data.bin', '/Projects/2024/notes copy.md');
    expect((await storedEntry(dav, '/Projects/2024/notes copy.md'))!.size).toBe(6);
    await expect(client.moveFile('/Projects/data.bin', '/Projects/2024/notes copy.md', { overwrite: false })).rejects.toMatchObject({
      status: 412,
    });

    await client.deleteFile('/Projects/2024/notes copy.md');
    await client.deleteFile('/Projects/Ünïcode & spaces.txt');
    expect((await storedNames(dav, '/Projects')).sort()).toEqual(['2024', 'data.bin']);
    await expect(client.deleteFile('/Projects/gone.txt')).rejects.toMatchObject({ status: 404 });
  });

  it('locks, refreshes and unlocks; a locked file refuses a write without the token', async () => {
    const lock = await client.lock('/Projects/data.bin', { timeout: 'Second-600' });
    expect(lock.token).toMatch(/^opaquelocktoken:/);
    expect(lock.serverTimeout).toMatch(/^Second-\d+$/);
    const entry = (await storedEntry(dav, '/Projects/data.bin'))!;
    expect(await locksOn(dav, entry)).toEqual([lock.token]);

    await expect(client.putFileContents('/Projects/data.bin', 'no token')).rejects.toMatchObject({ status: 423 });
    expect(await client.putFileContents('/Projects/data.bin', 'with token', { headers: { If: `(<${lock.token}>)` } })).toBe(true);

    // The client's own lock({ refreshToken }) sends a lockinfo body with a bare `If: <token>`,
    // which is a malformed If header and a new-lock request; refresh the RFC 4918 9.10.2 way.
    const refreshed = await client.customRequest('/Projects/data.bin', {
      method: 'LOCK',
      headers: { If: `(<${lock.token}>)`, Timeout: 'Second-900' },
    });
    expect(refreshed.status).toBe(200);
    expect(await refreshed.text()).toContain(lock.token);

    await client.unlock('/Projects/data.bin', lock.token);
    expect(await locksOn(dav, entry)).toEqual([]);
    expect(await client.getFileContents('/Projects/data.bin', { format: 'text' })).toBe('with token');
  });

  it('reads the quota', async () => {
    // getQuota() alone sends an allprop PROPFIND, and RFC 4331 properties are not part of
    // allprop (RFC 4918 9.1): ask for them by name.
    const quota = await client.getQuota({ data: QUOTA_PROPFIND });
    expect(quota).not.toBeNull();
    const { used, available } = quota as { used: number; available: number | string };
    // What is charged: the live files plus the versions and trash kept (issue 12).
    const live = Buffer.byteLength('# Notes\n\nhéllo wörld\n') + 'with token'.length;
    const charged = (await dav.t.app.users.get(dav.email)).storageUsed;
    expect(charged).toBeGreaterThan(live);
    expect(used).toBe(charged);
    expect(typeof available === 'number' ? available >= 0 : available).toBeTruthy();
  });

  describe('with a read-only account', () => {
    let readOnly: WebDAVClient;
    beforeAll(async () => {
      const user = await dav.t.app.users.get(dav.email);
      const { password } = await dav.t.app.davAccounts.create({ userId: user.id, name: 'read only', readOnly: true });
      readOnly = createClient(dav.url, { username: dav.email, password });
    });

    it('reads: listing, contents, stat and quota', async () => {
      const contents = (await readOnly.getDirectoryContents('/Projects')) as FileStat[];
      expect(contents.map((f) => f.basename).sort()).toEqual(['2024', 'data.bin']);
      expect(await readOnly.getFileContents('/Projects/data.bin', { format: 'text' })).toBe('with token');
      expect(((await readOnly.stat('/Projects/2024/Q1/notes.md')) as FileStat).size).toBe(Buffer.byteLength('# Notes\n\nhéllo wörld\n'));
      expect(await readOnly.getQuota({ data: QUOTA_PROPFIND })).toMatchObject({ used: expect.any(Number) });
    });

    it('refuses every write with 403 and changes nothing', async () => {
      const before = await storedNames(dav, '/Projects');
      const data = (await storedEntry(dav, '/Projects/data.bin'))!;
      const attempts: Array<[string, () => Promise<unknown>]> = [
        ['putFileContents new', () => readOnly.putFileContents('/Projects/new.txt', 'x')],
        ['putFileContents existing', () => readOnly.putFileContents('/Projects/data.bin', 'x')],
        ['createDirectory', () => readOnly.createDirectory('/Projects/new folder')],
        ['copyFile', () => readOnly.copyFile('/Projects/data.bin', '/Projects/copy.bin')],
        ['moveFile', () => readOnly.moveFile('/Projects/data.bin', '/Projects/moved.bin')],
        ['deleteFile', () => readOnly.deleteFile('/Projects/data.bin')],
        ['lock', () => readOnly.lock('/Projects/data.bin')],
      ];
      for (const [name, attempt] of attempts) {
        await expect(attempt(), name).rejects.toMatchObject({ status: 403 });
      }
      expect(await storedNames(dav, '/Projects')).toEqual(before);
      expect(await storedEntry(dav, '/Projects/data.bin')).toEqual(data);
      expect(await locksOn(dav, data)).toEqual([]);
    });
  });
});
