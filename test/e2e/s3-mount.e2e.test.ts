// Issue 11 "Show": a shared folder grafted from an S3 prefix, driven by litmus (all five
// suites) and rclone over WebDAV, against a real s3rver; objects put into the bucket from
// outside appear in members' listings; a read-only S3 mount refuses writes with 403.
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/databases.js';
import { davFetch, startDavServer, type DavServer } from '../support/dav-server.js';
import { expectLitmusSuitePasses } from '../support/litmus.js';
import { rclone, type Remote } from '../support/rclone.js';
import { startS3Server, type S3Server } from '../support/s3-server.js';

describe('litmus and rclone inside an S3-prefix mount', () => {
  let dav: DavServer;
  let s3: S3Server;
  let client: S3Client;
  let remote: Remote;
  /** The server's clock runs this far ahead: a test moves time on instead of waiting. */
  let ahead = 0;
  let mountedWrites = 0;
  const logs = tempDir('cumulus-litmus-s3-');
  const local = tempDir('cumulus-rclone-s3-');
  const disk = tempDir('cumulus-s3-mount-disk-');

  const keys = async (prefix: string) => {
    const page = await client.send(new ListObjectsV2Command({ Bucket: 'cumulus', Prefix: prefix }));
    return (page.Contents ?? []).map((object) => object.Key!).sort();
  };

  beforeAll(async () => {
    s3 = await startS3Server('cumulus');
    client = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    dav = await startDavServer('sqlite', { clock: () => Date.now() + ahead });
    const app = dav.t.app;
    await app.users.create({ email: 's3-mount-admin@example.test', password: 'correct horse battery', group: 'Admin' });
    await app.policies.add({ name: 'objects', type: 's3', settings: { ...s3.settings('policy/') } });
    await app.mounts.add({ name: 'Bucket', policy: 'objects', prefix: 'shared' });
    await app.mounts.add({ name: 'Frozen', policy: 'objects', prefix: 'frozen', readOnly: true });
    await app.memberships.join(dav.email, 'Bucket');
    await app.memberships.join(dav.email, 'Frozen');
    await app.mounts.add({ name: 'Disk', dir: disk.path });
    await app.memberships.join(dav.email, 'Disk');
    remote = { url: dav.url, user: dav.email, pass: dav.password, vendor: 'other' };
    app.events.on((event) => {
      if (event.type === 'file.written' && event.entry.mountId !== undefined) mountedWrites++;
    });
  });
  afterAll(async () => {
    await dav.close();
    client.destroy();
    await s3.close();
    logs.remove();
    local.remove();
    disk.remove();
  });

  it('refuses a shared folder from both a directory and a policy, from a local policy, or with a prefix that escapes', async () => {
    const mounts = dav.t.app.mounts;
    await expect(mounts.add({ name: 'Both', dir: disk.path, policy: 'objects' })).rejects.toThrow(/either a directory/);
    await expect(mounts.add({ name: 'Neither' })).rejects.toThrow(/either a directory/);
    await expect(mounts.add({ name: 'Local', policy: dav.t.app.defaultPolicyId })).rejects.toThrow(/S3 or WebDAV/);
    await expect(mounts.add({ name: 'Escape', policy: 'objects', prefix: 'a/../b' })).rejects.toThrow(/prefix/);
    expect((await mounts.list()).map((m) => [m.name, m.policyName, m.prefix])).toEqual(
      expect.arrayContaining([['Bucket', 'objects', 'shared']]),
    );
  });

  it.each(['basic', 'copymove', 'props', 'locks', 'http'])('passes the litmus %s suite with no failures', async (suite) => {
    const before = mountedWrites;
    await expectLitmusSuitePasses(`${dav.url}Bucket/`, dav.email, dav.password, suite, logs.path);
    if (suite !== 'http') expect(mountedWrites).toBeGreaterThan(before);
  });

  it('copies a tree in with rclone, into the bucket under the prefix, and rclone check finds no difference', async () => {
    const tree = path.join(local.path, 'tree');
    mkdirSync(path.join(tree, 'sub', 'empty'), { recursive: true });
    writeFileSync(path.join(tree, 'a.txt'), 'alpha\n');
    writeFileSync(path.join(tree, 'sub', 'b.bin'), Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256)));
    writeFileSync(path.join(tree, 'big.bin'), Buffer.alloc(6 * 1024 * 1024, 7));
    const copy = await rclone(remote, ['copy', '--create-empty-src-dirs', tree, 'cumulus:Bucket/tree']);
    expect(copy.status, copy.output).toBe(0);
    expect(await keys('policy/shared/tree/')).toEqual(
      expect.arrayContaining([
        'policy/shared/tree/a.txt',
        'policy/shared/tree/big.bin',
        'policy/shared/tree/sub/b.bin',
        'policy/shared/tree/sub/empty/',
      ]),
    );
    const check = await rclone(remote, ['check', '--download', tree, 'cumulus:Bucket/tree', '-v']);
    expect(check.status, check.output).toBe(0);
    expect(check.output).toMatch(/0 differences found/);
  });

  it("shows an object put into the bucket under the prefix in the member's listing", async () => {
    const listing = async () => (await davFetch(dav, '/dav/Bucket/tree/', { method: 'PROPFIND', headers: { Depth: '1' } })).text();
    expect(await listing()).not.toContain('dropped.txt');
    await client.send(new PutObjectCommand({ Bucket: 'cumulus', Key: 'policy/shared/tree/dropped.txt', Body: 'put outside' }));
    ahead += 10_000; // past the time a remote folder's listing is trusted
    expect(await listing()).toContain('dropped.txt');
    const got = await davFetch(dav, '/dav/Bucket/tree/dropped.txt');
    expect(await got.text()).toBe('put outside');
  });

  it('refuses every write in a read-only S3 mount with 403, changing nothing in the bucket', async () => {
    await client.send(new PutObjectCommand({ Bucket: 'cumulus', Key: 'policy/frozen/kept.txt', Body: 'kept' }));
    ahead += 10_000;
    expect((await davFetch(dav, '/dav/Frozen/kept.txt')).status).toBe(200);
    const attempts: Array<[string, string, RequestInit]> = [
      ['PUT', '/dav/Frozen/new.txt', { body: 'x' }],
      ['PUT', '/dav/Frozen/kept.txt', { body: 'overwrite' }],
      ['DELETE', '/dav/Frozen/kept.txt', {}],
      ['MKCOL', '/dav/Frozen/sub', {}],
      ['MOVE', '/dav/Frozen/kept.txt', { headers: { Destination: `${dav.origin}/dav/Frozen/moved.txt` } }],
    ];
    for (const [method, url, init] of attempts) {
      const response = await davFetch(dav, url, { method, ...init });
      expect([method, response.status]).toEqual([method, 403]);
    }
    expect(await keys('policy/frozen/')).toEqual(['policy/frozen/kept.txt']);
    expect(await (await davFetch(dav, '/dav/Frozen/kept.txt')).text()).toBe('kept');
  });

  const put = async (url: string, body: string | Buffer) =>
    expect((await davFetch(dav, url, { method: 'PUT', body })).status).toBeLessThan(300);
  const move = (from: string, to: string, headers: Record<string, string> = {}) =>
    davFetch(dav, from, { method: 'MOVE', headers: { Destination: `${dav.origin}${to}`, ...headers } });
  const used = async () => (await dav.t.app.users.get(dav.email)).storageUsed;

  it('moves a file into, out of and between mounts, releasing and charging quota on the user side', async () => {
    const body = Buffer.alloc(100_000, 'm');
    await put('/dav/mine.bin', body);
    const before = await used();
    expect((await move('/dav/mine.bin', '/dav/Bucket/mine.bin')).status).toBe(201);
    expect((await davFetch(dav, '/dav/mine.bin')).status).toBe(404);
    expect(await keys('policy/shared/mine.bin')).toEqual(['policy/shared/mine.bin']);
    expect(await used()).toBe(before - body.length);
    expect((await move('/dav/Bucket/mine.bin', '/dav/Disk/mine.bin')).status).toBe(201);
    expect(await keys('policy/shared/mine.bin')).toEqual([]);
    expect(readFileSync(path.join(disk.path, 'mine.bin'))).toEqual(body);
    expect((await move('/dav/Disk/mine.bin', '/dav/back.bin')).status).toBe(201);
    expect(existsSync(path.join(disk.path, 'mine.bin'))).toBe(false);
    expect(Buffer.from(await (await davFetch(dav, '/dav/back.bin')).arrayBuffer())).toEqual(body);
    expect(await used()).toBe(before);
  });

  it('moves a folder tree out of the S3 mount', async () => {
    await davFetch(dav, '/dav/Bucket/folder', { method: 'MKCOL' });
    await davFetch(dav, '/dav/Bucket/folder/sub', { method: 'MKCOL' });
    await put('/dav/Bucket/folder/sub/f.txt', 'in a folder');
    expect((await move('/dav/Bucket/folder', '/dav/folder-out')).status).toBe(201);
    expect(await (await davFetch(dav, '/dav/folder-out/sub/f.txt')).text()).toBe('in a folder');
    expect(await keys('policy/shared/folder/')).toEqual([]);
  });

  it('honours Overwrite and locks on both sides of a move across stores', async () => {
    await put('/dav/Bucket/taken.txt', 'taken');
    await put('/dav/other.txt', 'other');
    expect((await move('/dav/other.txt', '/dav/Bucket/taken.txt', { Overwrite: 'F' })).status).toBe(412);
    const lockBody =
      '<?xml version="1.0"?><d:lockinfo xmlns:d="DAV:"><d:lockscope><d:exclusive/></d:lockscope><d:locktype><d:write/></d:locktype></d:lockinfo>';
    const locked = await davFetch(dav, '/dav/Bucket/taken.txt', { method: 'LOCK', body: lockBody });
    expect(locked.status).toBe(200);
    expect((await move('/dav/other.txt', '/dav/Bucket/taken.txt')).status).toBe(423);
    const sourceLock = await davFetch(dav, '/dav/other.txt', { method: 'LOCK', body: lockBody });
    expect(sourceLock.status).toBe(200);
    expect((await move('/dav/other.txt', '/dav/Bucket/fresh.txt')).status).toBe(423);
    expect(await keys('policy/shared/fresh.txt')).toEqual([]);
    expect(await (await davFetch(dav, '/dav/other.txt')).text()).toBe('other');
    expect(await (await davFetch(dav, '/dav/Bucket/taken.txt')).text()).toBe('taken');
    const token = sourceLock.headers.get('lock-token')!;
    const moved = await move('/dav/other.txt', '/dav/Bucket/fresh.txt', { If: `(${token})` });
    expect(moved.status).toBe(201);
    expect(await (await davFetch(dav, '/dav/Bucket/fresh.txt')).text()).toBe('other');
  });

  it('keeps the source when the destination store is gone during a move', async () => {
    writeFileSync(path.join(disk.path, 'safe.bin'), Buffer.alloc(200_000, 's'));
    ahead += 10_000;
    expect((await davFetch(dav, '/dav/Disk/safe.bin')).status).toBe(200);
    await s3.kill();
    try {
      const failed = await move('/dav/Disk/safe.bin', '/dav/Bucket/safe.bin');
      expect([502, 503]).toContain(failed.status);
    } finally {
      await s3.restart();
    }
    expect(readFileSync(path.join(disk.path, 'safe.bin'))).toEqual(Buffer.alloc(200_000, 's'));
    expect((await davFetch(dav, '/dav/Disk/safe.bin')).status).toBe(200);
    expect(await keys('policy/shared/safe.bin')).toEqual([]);
  });
});
