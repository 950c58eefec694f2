import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parsePath } from '../../src/core/index.js';
import { tempDir } from '../support/databases.js';
import { rclone, type Remote } from '../support/rclone.js';
import { startDavServer, type DavServer } from '../support/dav-server.js';

function sha1(file: string): string {
  return createHash('sha1').update(readFileSync(file)).digest('hex');
}

describe.each(['owncloud', 'nextcloud'] as const)('rclone (vendor=%s) as a WebDAV client', (vendor) => {
  let dav: DavServer;
  let remote: Remote;
  const local = tempDir('cumulus-rclone-');
  const tree = path.join(local.path, 'tree');
  const mtime = new Date('2024-02-03T04:05:06Z');

  beforeAll(async () => {
    dav = await startDavServer('sqlite');
    remote = { url: dav.url, user: dav.email, pass: dav.password, vendor };
    mkdirSync(path.join(tree, 'sub', 'deeper'), { recursive: true });
    mkdirSync(path.join(tree, 'Ünïcödé folder'), { recursive: true });
    const files: Array<[string, Buffer]> = [
      ['a.txt', Buffer.from('alpha\n')],
      ['sub/b.bin', Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256))],
      ['sub/deeper/c.txt', Buffer.from('charlie\n'.repeat(1000))],
      ['Ünïcödé folder/naïve café.txt', Buffer.from('unicode name\n')],
      ['big.bin', Buffer.alloc(5 * 1024 * 1024, 7)],
      ['empty.txt', Buffer.alloc(0)],
    ];
    for (const [name, content] of files) {
      const file = path.join(tree, name);
      writeFileSync(file, content);
      utimesSync(file, mtime, mtime);
    }
  });
  afterAll(async () => {
    await dav.close();
    local.remove();
  });

  it('copies a tree up and checks it by SHA-1, with modification times', async () => {
    const copy = await rclone(remote, ['copy', tree, 'cumulus:tree']);
    expect(copy.status, copy.output).toBe(0);
    const check = await rclone(remote, ['check', tree, 'cumulus:tree', '-v']);
    expect(check.status, check.output).toBe(0);
    expect(check.output).toMatch(/0 differences found/);
    expect(check.output).not.toMatch(/No common hash found/);

    const listed = await rclone(remote, ['lsjson', '-R', '--hash', 'cumulus:tree']);
    expect(listed.status, listed.output).toBe(0);
    const entries = JSON.parse(listed.stdout) as Array<{
      Path: string;
      Size: number;
      ModTime: string;
      IsDir: boolean;
      Hashes?: Record<string, string>;
    }>;
    const byPath = new Map(entries.map((entry) => [entry.Path, entry]));
    const b = byPath.get('sub/b.bin')!;
    expect(b.Size).toBe(70_000);
    expect(b.Hashes?.sha1).toBe(sha1(path.join(tree, 'sub/b.bin')));
    expect(new Date(b.ModTime).getTime()).toBe(mtime.getTime());
    expect(byPath.get('Ünïcödé folder/naïve café.txt')?.Size).toBe(13);
    expect(byPath.get('empty.txt')?.Size).toBe(0);
  });

  it('re-syncs an edit that keeps the size, and nothing when nothing changed', async () => {
    const file = path.join(tree, 'a.txt');
    // Same size, as an in-place edit of a byte: without modification times and hashes a
    // client would decide on size alone and never upload it (rclone/rclone#8593).
    writeFileSync(file, 'ALPHA\n');
    const sync = await rclone(remote, ['sync', tree, 'cumulus:tree', '-v']);
    expect(sync.status, sync.output).toBe(0);
    expect(sync.output).toMatch(/a\.txt: Copied/);
    const again = await rclone(remote, ['sync', tree, 'cumulus:tree', '-v']);
    expect(again.status, again.output).toBe(0);
    expect(again.output).not.toMatch(/Copied/);
    const cat = await rclone(remote, ['cat', 'cumulus:tree/a.txt']);
    expect(cat.stdout).toBe('ALPHA\n');
  });

  it('moves, deletes and reports capacity', async () => {
    expect((await rclone(remote, ['moveto', 'cumulus:tree/a.txt', 'cumulus:tree/sub/moved.txt'])).status).toBe(0);
    expect((await rclone(remote, ['cat', 'cumulus:tree/sub/moved.txt'])).stdout).toBe('ALPHA\n');
    expect((await rclone(remote, ['lsf', 'cumulus:tree'])).stdout).not.toMatch(/^a\.txt$/m);
    expect((await rclone(remote, ['purge', 'cumulus:tree/sub'])).status).toBe(0);
    expect((await rclone(remote, ['lsf', 'cumulus:tree'])).stdout.split('\n').sort().filter(Boolean)).toEqual(
      ['big.bin', 'empty.txt', 'Ünïcödé folder/'].sort(),
    );
    // The purged folder went to the trash, still charged (issue 12); emptied, what is left is the tree.
    const owner = await dav.t.app.users.principalFor(await dav.t.app.users.get(dav.email));
    expect((await dav.t.app.vfs.history.trash(owner)).map((item) => item.entry.name)).toEqual(['sub']);
    await dav.t.app.vfs.history.empty(owner);
    const about = await rclone(remote, ['about', 'cumulus:', '--json']);
    expect(about.status, about.output).toBe(0);
    const capacity = JSON.parse(about.stdout) as { used?: number; free?: number };
    expect(capacity.used).toBe(5 * 1024 * 1024 + 13);
    expect(capacity.free).toBeGreaterThan(0);
  });

  it('is confined by read-only and subfolder accounts', async () => {
    const user = await dav.t.app.users.get(dav.email);
    const readOnly = await dav.t.app.davAccounts.create({ userId: user.id, name: `ro-${vendor}`, readOnly: true });
    const ro = { ...remote, pass: readOnly.password };
    expect((await rclone(ro, ['lsf', 'cumulus:tree'])).stdout).toMatch(/big\.bin/);
    const refused = await rclone(ro, ['copyto', path.join(tree, 'empty.txt'), 'cumulus:tree/new.txt']);
    expect(refused.status).not.toBe(0);
    expect(refused.output).toMatch(/403|Forbidden|read-only/i);

    const jailed = await dav.t.app.davAccounts.create({ userId: user.id, name: `sub-${vendor}`, root: '/tree/Ünïcödé folder' });
    const sub = { ...remote, pass: jailed.password };
    expect((await rclone(sub, ['lsf', 'cumulus:'])).stdout.trim()).toBe('naïve café.txt');
    expect((await rclone(sub, ['copyto', path.join(tree, 'empty.txt'), 'cumulus:inside.txt'])).status).toBe(0);
    const principal = await dav.t.app.users.principalFor(user);
    expect((await dav.t.app.vfs.stat(principal, parsePath('/tree/Ünïcödé folder/inside.txt'))).size).toBe(0);
  });
});
