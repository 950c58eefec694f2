// Shared folders from a local directory (issue 11 item 6), on both databases, with a real
// directory: members see /NAME; what Cumulus writes lands on disk atomically; what changes on
// disk outside Cumulus shows up (pruned scans by folder mtime, stats of a file); symlinks are
// never served nor followed; read-only mounts refuse writes; no quota is charged.
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForbiddenError, NotFoundError, ReadOnlyError, parsePath as p, type Principal, type User } from '../../src/core/index.js';
import type { VfsEvent } from '../../src/vfs/index.js';
import { MountWatcher } from '../../src/services/index.js';
import { DIALECTS, tempDir } from '../support/databases.js';
import { bodyOf, readAll, startTestApp, type TestApp } from '../support/app.js';

describe.each(DIALECTS)('local-directory mounts on %s', (dialect) => {
  let t: TestApp;
  let disk: { path: string; remove: () => void };
  let outside: { path: string; remove: () => void };
  let member: { user: User; principal: Principal };
  let stranger: { user: User; principal: Principal };
  const events: VfsEvent[] = [];

  beforeAll(async () => {
    t = await startTestApp(dialect);
    disk = tempDir('cumulus-mount-');
    outside = tempDir('cumulus-outside-');
    writeFileSync(path.join(outside.path, 'secret.txt'), 'outside the mount');
    mkdirSync(path.join(disk.path, 'albums'));
    writeFileSync(path.join(disk.path, 'albums', 'a.jpg'), 'jpeg bytes');
    writeFileSync(path.join(disk.path, 'readme.txt'), 'hello');
    await t.app.users.create({ email: `admin-${dialect}@example.test`, password: 'correct horse battery', group: 'Admin' });
    await t.app.mounts.add({ name: 'Photos', dir: disk.path });
    member = await t.newUser();
    stranger = await t.newUser();
    await t.app.memberships.join(member.user.id, 'Photos');
    t.app.events.on((event) => events.push(event));
  });
  afterAll(async () => {
    await t.close();
    disk.remove();
    outside.remove();
  });

  const names = async (principal: Principal, at: string) => (await t.app.vfs.list(principal, p(at))).entries.map((e) => e.name).sort();

  it('grafts the mount at /NAME for members only, and lists what the disk holds', async () => {
    expect(await names(member.principal, '/')).toContain('Photos');
    expect(await names(stranger.principal, '/')).not.toContain('Photos');
    await expect(t.app.vfs.stat(stranger.principal, p('/Photos'))).rejects.toThrow(NotFoundError);
    expect(await names(member.principal, '/Photos')).toEqual(['albums', 'readme.txt']);
    expect(await names(member.principal, '/Photos/albums')).toEqual(['a.jpg']);
    const { stream, entry } = await t.app.vfs.read(member.principal, p('/Photos/readme.txt'));
    expect((await readAll(stream)).toString()).toBe('hello');
    expect(entry.size).toBe(5);
    // By id (the REST API's file info and signed downloads), inside the member's view only.
    const found = await t.app.lookups.find(member.principal, entry.id);
    expect(found.path).toEqual(['Photos', 'readme.txt']);
    expect((await readAll(await t.app.lookups.open(await t.app.lookups.version(member.principal, entry.id, null)))).toString()).toBe(
      'hello',
    );
    await expect(t.app.lookups.find(stranger.principal, entry.id)).rejects.toThrow(NotFoundError);
  });

  it('writes through Cumulus land on disk, atomically, without leaving temporary files or charging quota', async () => {
    const before = await t.app.vfs.stat(member.principal, p('/Photos'));
    const { entry, created } = await t.app.vfs.write(member.principal, p('/Photos/albums/b.txt'), bodyOf('new file'));
    expect(created).toBe(true);
    expect(readFileSync(path.join(disk.path, 'albums', 'b.txt'), 'utf8')).toBe('new file');
    expect(readdirSync(path.join(disk.path, 'albums')).filter((n) => n.startsWith('.cumulus-'))).toEqual([]);
    const again = await t.app.vfs.write(member.principal, p('/Photos/albums/b.txt'), bodyOf('replaced'));
    expect(again.created).toBe(false);
    expect(again.entry.id).toBe(entry.id);
    expect(again.entry.etag).not.toBe(entry.etag);
    expect(readFileSync(path.join(disk.path, 'albums', 'b.txt'), 'utf8')).toBe('replaced');
    expect((await t.app.vfs.stat(member.principal, p('/Photos'))).etag).not.toBe(before.etag);
    expect((await t.app.users.get(member.user.id)).storageUsed).toBe(0);
    expect(events.some((e) => e.type === 'file.written' && e.entry.id === entry.id)).toBe(true);

    await t.app.vfs.mkdir(member.principal, p('/Photos/new-folder'));
    expect(statSync(path.join(disk.path, 'new-folder')).isDirectory()).toBe(true);
    await t.app.vfs.move(member.principal, p('/Photos/albums/b.txt'), p('/Photos/new-folder/c.txt'));
    expect(readFileSync(path.join(disk.path, 'new-folder', 'c.txt'), 'utf8')).toBe('replaced');
    await t.app.vfs.copy(member.principal, p('/Photos/new-folder'), p('/Photos/copied'));
    expect(readFileSync(path.join(disk.path, 'copied', 'c.txt'), 'utf8')).toBe('replaced');
    await t.app.vfs.delete(member.principal, p('/Photos/copied'));
    expect(readdirSync(disk.path)).not.toContain('copied');
    await expect(t.app.vfs.delete(member.principal, p('/Photos'))).rejects.toThrow(ForbiddenError);
    // Moves out of a mount copy then delete (test/e2e/s3-mount.e2e.test.ts); the mount itself stays put.
    await expect(t.app.vfs.move(member.principal, p('/Photos'), p('/elsewhere'))).rejects.toThrow(ForbiddenError);
  });

  it('finds changes made outside Cumulus: added, changed and deleted files, with events', async () => {
    events.length = 0;
    writeFileSync(path.join(disk.path, 'albums', 'outside.txt'), 'dropped in by hand');
    rmSync(path.join(disk.path, 'albums', 'a.jpg'));
    expect(await names(member.principal, '/Photos/albums')).toEqual(['outside.txt']);
    expect(events.map((e) => [e.type, e.entry.name]).sort()).toEqual([
      ['entry.deleted', 'a.jpg'],
      ['file.written', 'outside.txt'],
    ]);
    // Changed in place: the folder's time does not move, a stat of the file sees it.
    const seen = await t.app.vfs.stat(member.principal, p('/Photos/albums/outside.txt'));
    writeFileSync(path.join(disk.path, 'albums', 'outside.txt'), 'changed by hand, longer');
    utimesSync(path.join(disk.path, 'albums', 'outside.txt'), new Date(), new Date(Date.now() + 5000));
    const now = await t.app.vfs.stat(member.principal, p('/Photos/albums/outside.txt'));
    expect(now.etag).not.toBe(seen.etag);
    expect(now.size).toBe('changed by hand, longer'.length);
    // A reader holding the old version is refused rather than served other bytes.
    await expect(t.app.vfs.open(seen)).rejects.toThrow(/changed on disk/);
    expect((await readAll(await t.app.vfs.open(now))).toString()).toBe('changed by hand, longer');
  });

  it('never serves nor follows a symlink, planted inside or pointing out', async () => {
    symlinkSync(outside.path, path.join(disk.path, 'escape'));
    symlinkSync(path.join(outside.path, 'secret.txt'), path.join(disk.path, 'albums', 'secret.txt'));
    expect(await names(member.principal, '/Photos')).not.toContain('escape');
    expect(await names(member.principal, '/Photos/albums')).not.toContain('secret.txt');
    await expect(t.app.vfs.read(member.principal, p('/Photos/escape/secret.txt'))).rejects.toThrow(NotFoundError);
    // A folder swapped for a link after it was listed: the walk refuses to go through it.
    await t.app.vfs.write(member.principal, p('/Photos/new-folder/inner.txt'), bodyOf('inside'));
    const inner = await t.app.vfs.stat(member.principal, p('/Photos/new-folder/inner.txt'));
    rmSync(path.join(disk.path, 'new-folder'), { recursive: true });
    symlinkSync(outside.path, path.join(disk.path, 'new-folder'));
    writeFileSync(path.join(outside.path, 'inner.txt'), 'inside');
    await expect(t.app.vfs.open(inner)).rejects.toThrow();
    await expect(t.app.vfs.write(member.principal, p('/Photos/new-folder/planted.txt'), bodyOf('x'))).rejects.toThrow();
    expect(readdirSync(outside.path).sort()).toEqual(['inner.txt', 'secret.txt']);
  });

  it('read-only mounts refuse every write; leaving the group takes the folder away', async () => {
    await t.app.mounts.setReadOnly('Photos', true);
    await expect(t.app.vfs.write(member.principal, p('/Photos/x.txt'), bodyOf('x'))).rejects.toThrow(ReadOnlyError);
    await expect(t.app.vfs.mkdir(member.principal, p('/Photos/x'))).rejects.toThrow(ReadOnlyError);
    await expect(t.app.vfs.delete(member.principal, p('/Photos/readme.txt'))).rejects.toThrow(ReadOnlyError);
    await t.app.mounts.setReadOnly('Photos', false);
    await t.app.memberships.leave(member.user.id, 'Photos');
    expect(await names(member.principal, '/')).not.toContain('Photos');
    await expect(t.app.vfs.stat(member.principal, p('/Photos'))).rejects.toThrow(NotFoundError);
  });
});

describe.each(DIALECTS)('the mount watcher on %s', (dialect) => {
  it('finds a file changed in place on disk, with its event, while it holds the watch', async () => {
    const t = await startTestApp(dialect);
    const disk = tempDir('cumulus-watch-');
    try {
      mkdirSync(path.join(disk.path, 'deep', 'er'), { recursive: true });
      writeFileSync(path.join(disk.path, 'deep', 'er', 'photo.jpg'), 'v1');
      await t.app.users.create({ email: `watch-admin-${dialect}@example.test`, password: 'correct horse battery', group: 'Admin' });
      await t.app.mounts.add({ name: 'Watched', dir: disk.path });
      const member = await t.newUser();
      await t.app.memberships.join(member.user.id, 'Watched');
      const before = await t.app.vfs.stat(member.principal, p('/Watched/deep/er/photo.jpg'));
      const top = await t.app.vfs.stat(member.principal, p('/Watched'));
      const seen = new Promise<VfsEvent>((resolve) => {
        t.app.events.on((event) => {
          if (event.type === 'file.written' && event.entry.name === 'photo.jpg') resolve(event);
        });
      });
      const watcher = new MountWatcher(t.app.vfs, t.app.mounts, { warn: () => undefined, settleMs: 50 });
      const stop = new AbortController();
      const watching = watcher.watchWindow({ signal: stop.signal }, 600_000);
      // inotify is set up synchronously in watchWindow after the mounts are read: write until seen.
      let round = 0;
      const writer = setInterval(() => writeFileSync(path.join(disk.path, 'deep', 'er', 'photo.jpg'), `version ${++round}`), 200);
      const event = await seen;
      clearInterval(writer);
      stop.abort();
      await watching;
      expect(event.entry.id).toBe(before.id);
      const after = await t.app.vfs.stat(member.principal, p('/Watched/deep/er/photo.jpg'));
      expect(after.etag).not.toBe(before.etag);
      // ETags above the change move too, up to the mount's top.
      expect((await t.app.vfs.stat(member.principal, p('/Watched'))).etag).not.toBe(top.etag);
    } finally {
      await t.close();
      disk.remove();
    }
  });
});
