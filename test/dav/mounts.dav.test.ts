// WebDAV on a local-directory mount, over real HTTP on both databases: a read-only mount
// refuses every write method with 403 and changes nothing on disk; symlinks planted inside,
// repointed after a MOVE, or swapped in while a PUT streams are never followed out of the mount.
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, tempDir } from '../support/databases.js';
import { davFetch, startDavServer, type DavServer } from '../support/dav-server.js';

describe.each(DIALECTS)('WebDAV in a local-directory mount (%s)', (dialect) => {
  let dav: DavServer;
  const disk = tempDir('cumulus-dav-mount-');
  const outside = tempDir('cumulus-dav-outside-');
  const listing = (dir: string) => readdirSync(dir).sort();

  beforeAll(async () => {
    dav = await startDavServer(dialect);
    const app = dav.t.app;
    await app.users.create({ email: `admin-${dialect}@example.test`, password: 'correct horse battery', group: 'Admin' });
    writeFileSync(path.join(outside.path, 'secret.txt'), 'outside');
    mkdirSync(path.join(disk.path, 'docs'));
    writeFileSync(path.join(disk.path, 'docs', 'a.txt'), 'in the mount');
    await app.mounts.add({ name: 'Shared', dir: disk.path });
    await app.memberships.join(dav.email, 'Shared');
  });
  afterAll(async () => {
    await dav.close();
    disk.remove();
    outside.remove();
  });

  it('refuses every write method with 403 in a read-only mount, changing nothing', async () => {
    await dav.t.app.mounts.setReadOnly('Shared', true);
    try {
      const before = listing(path.join(disk.path, 'docs'));
      const attempts: Array<[string, string, RequestInit]> = [
        ['PUT', '/dav/Shared/docs/new.txt', { body: 'x' }],
        ['PUT', '/dav/Shared/docs/a.txt', { body: 'overwrite' }],
        ['DELETE', '/dav/Shared/docs/a.txt', {}],
        ['MKCOL', '/dav/Shared/docs/sub', {}],
        ['MOVE', '/dav/Shared/docs/a.txt', { headers: { Destination: `${dav.origin}/dav/Shared/docs/b.txt` } }],
        ['COPY', '/dav/Shared/docs/a.txt', { headers: { Destination: `${dav.origin}/dav/Shared/docs/c.txt` } }],
        [
          'PROPPATCH',
          '/dav/Shared/docs/a.txt',
          {
            body: '<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:" xmlns:x="urn:x"><d:set><d:prop><x:a>1</x:a></d:prop></d:set></d:propertyupdate>',
          },
        ],
        [
          'LOCK',
          '/dav/Shared/docs/a.txt',
          {
            body: '<?xml version="1.0"?><d:lockinfo xmlns:d="DAV:"><d:lockscope><d:exclusive/></d:lockscope><d:locktype><d:write/></d:locktype></d:lockinfo>',
          },
        ],
      ];
      for (const [method, url, init] of attempts) {
        const response = await davFetch(dav, url, { method, ...init });
        expect([method, response.status]).toEqual([method, 403]);
      }
      expect(listing(path.join(disk.path, 'docs'))).toEqual(before);
      expect(readFileSync(path.join(disk.path, 'docs', 'a.txt'), 'utf8')).toBe('in the mount');
      expect((await davFetch(dav, '/dav/Shared/docs/a.txt')).status).toBe(200);
    } finally {
      await dav.t.app.mounts.setReadOnly('Shared', false);
    }
  });

  it('does not serve a symlink planted inside the mount', async () => {
    symlinkSync(path.join(outside.path, 'secret.txt'), path.join(disk.path, 'docs', 'planted.txt'));
    symlinkSync(outside.path, path.join(disk.path, 'planted-dir'));
    const propfind = await davFetch(dav, '/dav/Shared/docs/', { method: 'PROPFIND', headers: { Depth: '1' } });
    expect(await propfind.text()).not.toContain('planted');
    expect((await davFetch(dav, '/dav/Shared/docs/planted.txt')).status).toBe(404);
    expect((await davFetch(dav, '/dav/Shared/planted-dir/secret.txt')).status).toBe(404);
    expect((await davFetch(dav, '/dav/Shared/planted-dir/new.txt', { method: 'PUT', body: 'x' })).status).toBe(409);
    expect(listing(outside.path)).toEqual(['secret.txt']);
  });

  it('does not follow a folder repointed to a symlink after a MOVE', async () => {
    expect((await davFetch(dav, '/dav/Shared/moved/', { method: 'MKCOL' })).status).toBe(201);
    expect((await davFetch(dav, '/dav/Shared/moved/file.txt', { method: 'PUT', body: 'mine' })).status).toBe(201);
    const moved = await davFetch(dav, '/dav/Shared/moved/', {
      method: 'MOVE',
      headers: { Destination: `${dav.origin}/dav/Shared/target/` },
    });
    expect(moved.status).toBe(201);
    // Outside Cumulus, the folder the MOVE made is replaced by a link to a tree with the same names.
    writeFileSync(path.join(outside.path, 'file.txt'), 'outside');
    rmSync(path.join(disk.path, 'target'), { recursive: true });
    symlinkSync(outside.path, path.join(disk.path, 'target'));
    const read = await davFetch(dav, '/dav/Shared/target/file.txt');
    expect(read.status).not.toBe(200);
    expect(await read.text()).not.toContain('outside');
    expect((await davFetch(dav, '/dav/Shared/target/file.txt', { method: 'PUT', body: 'overwrite' })).status).toBeGreaterThanOrEqual(400);
    expect((await davFetch(dav, '/dav/Shared/target/', { method: 'DELETE' })).status).not.toBe(204);
    expect(readFileSync(path.join(outside.path, 'file.txt'), 'utf8')).toBe('outside');
    expect(listing(outside.path)).toEqual(['file.txt', 'secret.txt']);
  });

  it('writes a PUT into the folder it started in when that folder is swapped for a symlink mid-request', async () => {
    mkdirSync(path.join(disk.path, 'race'));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(new TextEncoder().encode('first half, '));
        await gate;
        controller.enqueue(new TextEncoder().encode('second half'));
        controller.close();
      },
    });
    const put = davFetch(dav, '/dav/Shared/race/upload.txt', { method: 'PUT', body, duplex: 'half' } as RequestInit);
    // Wait until the temporary file exists: the PUT holds the folder's descriptor.
    while (!readdirSync(path.join(disk.path, 'race')).some((name) => name.startsWith('.cumulus-'))) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    renameSync(path.join(disk.path, 'race'), path.join(disk.path, 'race-old'));
    symlinkSync(outside.path, path.join(disk.path, 'race'));
    release();
    await (await put).text();
    expect(listing(outside.path)).not.toContain('upload.txt');
    expect(readFileSync(path.join(disk.path, 'race-old', 'upload.txt'), 'utf8')).toBe('first half, second half');
    // The mirror follows the disk at the next listing: the link is not listed, race-old is.
    const propfind = await (await davFetch(dav, '/dav/Shared/', { method: 'PROPFIND', headers: { Depth: '1' } })).text();
    expect(propfind).toContain('race-old');
    expect(propfind).not.toMatch(/Shared\/race\//);
  });

  it('serves a WebDAV account rooted inside the mount, until its user leaves the group', async () => {
    const user = await dav.t.app.users.get(dav.email);
    const account = await dav.t.app.davAccounts.create({ userId: user.id, name: `inside-${dialect}`, root: '/Shared/docs' });
    expect(account.account.root).toBe('/Shared/docs');
    const auth = { email: dav.email, password: account.password };
    expect(await (await davFetch(dav, '/dav/a.txt', { auth })).text()).toBe('in the mount');
    expect((await davFetch(dav, '/dav/rooted.txt', { method: 'PUT', body: 'via the account', auth })).status).toBe(201);
    expect(readFileSync(path.join(disk.path, 'docs', 'rooted.txt'), 'utf8')).toBe('via the account');
    await dav.t.app.memberships.leave(dav.email, 'Shared');
    try {
      expect((await davFetch(dav, '/dav/a.txt', { auth })).status).toBe(404);
      expect((await davFetch(dav, '/dav/', { method: 'PROPFIND', headers: { Depth: '0' }, auth })).status).toBe(404);
      expect((await davFetch(dav, '/dav/more.txt', { method: 'PUT', body: 'x', auth })).status).toBeGreaterThanOrEqual(400);
      expect(listing(path.join(disk.path, 'docs'))).not.toContain('more.txt');
    } finally {
      await dav.t.app.memberships.join(dav.email, 'Shared');
    }
  });
});
