import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/databases.js';
import { startDavServer, type DavServer } from '../support/dav-server.js';
import { rclone, type Remote } from '../support/rclone.js';

/**
 * rclone into a local-directory mount: a tree copied up lands on the mount's disk, `rclone
 * check --download` finds it byte-identical (mounted files carry no stored hash), and a file
 * added on disk outside Cumulus is seen by the next sync check.
 */
describe('rclone in a local-directory mount', () => {
  let dav: DavServer;
  let remote: Remote;
  const local = tempDir('cumulus-rclone-mount-');
  const disk = tempDir('cumulus-rclone-disk-');
  const tree = path.join(local.path, 'tree');

  beforeAll(async () => {
    dav = await startDavServer('sqlite');
    await dav.t.app.users.create({ email: 'rclone-admin@example.test', password: 'correct horse battery', group: 'Admin' });
    await dav.t.app.mounts.add({ name: 'Shared', dir: disk.path });
    await dav.t.app.memberships.join(dav.email, 'Shared');
    remote = { url: dav.url, user: dav.email, pass: dav.password, vendor: 'owncloud' };
    mkdirSync(path.join(tree, 'sub', 'deeper'), { recursive: true });
    const mtime = new Date('2024-02-03T04:05:06Z');
    for (const [name, content] of [
      ['a.txt', Buffer.from('alpha\n')],
      ['sub/b.bin', Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256))],
      ['sub/deeper/c.txt', Buffer.from('charlie\n'.repeat(1000))],
      ['big.bin', Buffer.alloc(3 * 1024 * 1024, 7)],
      ['empty.txt', Buffer.alloc(0)],
    ] as const) {
      writeFileSync(path.join(tree, name), content);
      utimesSync(path.join(tree, name), mtime, mtime);
    }
  });
  afterAll(async () => {
    await dav.close();
    local.remove();
    disk.remove();
  });

  it('copies a tree into the mount, where it lands on disk, and checks it byte for byte', async () => {
    const copy = await rclone(remote, ['copy', tree, 'cumulus:Shared/tree']);
    expect(copy.status, copy.output).toBe(0);
    expect(readFileSync(path.join(disk.path, 'tree', 'sub', 'deeper', 'c.txt'))).toEqual(
      readFileSync(path.join(tree, 'sub', 'deeper', 'c.txt')),
    );
    const check = await rclone(remote, ['check', '--download', tree, 'cumulus:Shared/tree', '-v']);
    expect(check.status, check.output).toBe(0);
    expect(check.output).toMatch(/0 differences found/);
    const again = await rclone(remote, ['sync', tree, 'cumulus:Shared/tree', '-v']);
    expect(again.output).not.toMatch(/Copied/);
  });

  it('sees a file added on disk outside Cumulus as a difference', async () => {
    writeFileSync(path.join(disk.path, 'tree', 'sub', 'dropped.txt'), 'by hand');
    const check = await rclone(remote, ['check', tree, 'cumulus:Shared/tree']);
    expect(check.status).not.toBe(0);
    expect(check.output).toMatch(/dropped\.txt/);
  });
});
