import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePath, type Principal } from '../../src/core/index.js';
import { startDavServer, type DavServer } from '../support/dav-server.js';
import { rcloneCheck, startRcloneServe, writeTree } from '../support/sync-fixtures.js';

/** Issue 13: sync pairs against `rclone serve webdav`, checked with `rclone check` after each scenario. */
describe('sync with rclone serve webdav', () => {
  let dav: DavServer;
  let remote: Awaited<ReturnType<typeof startRcloneServe>>;
  let principal: Principal;
  let userId: number;

  beforeAll(async () => {
    dav = await startDavServer('sqlite', { config: { sync: { retryBaseMs: 10 } } });
    remote = await startRcloneServe();
    const user = await dav.t.app.users.get(dav.email);
    userId = user.id;
    principal = await dav.t.app.users.principalFor(user);
  });
  afterAll(async () => {
    await remote?.close();
    await dav?.close();
  });

  const app = () => dav.t.app;
  const addPair = (remotePath: string, localPath: string, direction: string, deletes = 'propagate') =>
    app().sync.add(userId, { url: remote.url, remotePath, localPath, direction, deletes, anyAddress: true });
  const readLocal = async (p: string) => text((await app().vfs.read(principal, parsePath(p))).stream);
  const writeLocal = async (p: string, body: string) => {
    await app().vfs.mkdir(principal, parsePath(p).slice(0, -1), { parents: true });
    return app().vfs.write(principal, parsePath(p), Readable.from([Buffer.from(body)]));
  };

  it('downloads a tree of awkward names, and a second run does nothing', async () => {
    const files = writeTree(path.join(remote.dir, 'down'), 240);
    const pair = await addPair('/down', '/Down', 'download');
    const first = await app().sync.run(pair.id);
    expect(first.summary?.failed).toBe(0);
    expect(first.summary?.done.download).toBe(files.length);
    expect((await rcloneCheck(path.join(remote.dir, 'down'), dav, 'Down')).status).toBe(0);
    const again = await app().sync.run(pair.id);
    expect(again.plan.actions).toEqual([]);
    // An NFD name on the remote is one NFC name here, never a duplicate.
    const names = (await app().vfs.list(principal, parsePath('/Down'))).entries.map((e) => e.name);
    expect(names).toContain('Café au lait');
    expect(names.filter((n) => n.normalize('NFC') === 'Café au lait')).toHaveLength(1);
    expect((await app().sync.get(pair.id)).lastStatus).toBe('ok');
  });

  it('uploads a tree, keeping the remote spelling of names it already has', async () => {
    for (let i = 0; i < 60; i++) await writeLocal(`/Up/folder ${i % 4}/emoji 📷 #${i} 100%.txt`, `up ${i}\n`);
    const pair = await addPair('/up', '/Up', 'upload');
    const result = await app().sync.run(pair.id);
    expect(result.summary?.failed).toBe(0);
    expect(result.summary?.done.upload).toBe(60);
    expect((await rcloneCheck(path.join(remote.dir, 'up'), dav, 'Up')).status).toBe(0);
    expect((await app().sync.run(pair.id)).plan.actions).toEqual([]);
  });

  it('two-way: edits on both sides, one conflict kept on both sides, deletions propagated', async () => {
    const root = path.join(remote.dir, 'two');
    mkdirSync(root);
    for (const name of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']) writeFileSync(path.join(root, `${name}.txt`), `${name} v1\n`);
    const pair = await addPair('/two', '/Two', 'two-way');
    expect((await app().sync.run(pair.id)).summary?.done.download).toBe(8);

    writeFileSync(path.join(root, 'a.txt'), 'a edited remotely\n');
    await writeLocal('/Two/b.txt', 'b edited here\n');
    writeFileSync(path.join(root, 'c.txt'), 'c edited remotely first\n');
    utimesSync(path.join(root, 'c.txt'), new Date(Date.now() - 3600_000), new Date(Date.now() - 3600_000));
    await writeLocal('/Two/c.txt', 'c edited here later\n');
    rmSync(path.join(root, 'd.txt'));
    await app().vfs.delete(principal, parsePath('/Two/e.txt'));
    const result = await app().sync.run(pair.id);
    expect(result.summary?.failed).toBe(0);

    expect(await readLocal('/Two/a.txt')).toBe('a edited remotely\n');
    expect(readFileSync(path.join(root, 'b.txt'), 'utf8')).toBe('b edited here\n');
    expect(readFileSync(path.join(root, 'c.txt'), 'utf8')).toBe('c edited here later\n');
    const conflict = readdirSync(root).find((n) => n.startsWith('c (conflict '));
    expect(conflict).toMatch(/^c \(conflict \d{4}-\d\d-\d\d \d{6}\)\.txt$/);
    expect(readFileSync(path.join(root, conflict!), 'utf8')).toBe('c edited remotely first\n');
    expect(await readLocal(`/Two/${conflict}`)).toBe('c edited remotely first\n');
    expect(existsSync(path.join(root, 'e.txt'))).toBe(false);
    await expect(app().vfs.stat(principal, parsePath('/Two/d.txt'))).rejects.toThrow();
    expect((await rcloneCheck(root, dav, 'Two')).status).toBe(0);
    expect((await app().sync.run(pair.id)).plan.actions).toEqual([]);
  });

  it('two-way with `keep`: deletions are not propagated, and nothing comes back', async () => {
    const root = path.join(remote.dir, 'kept');
    mkdirSync(root);
    for (const name of ['a', 'b', 'c', 'd', 'e']) writeFileSync(path.join(root, `${name}.txt`), `${name}\n`);
    const pair = await addPair('/kept', '/Kept', 'two-way', 'keep');
    await app().sync.run(pair.id);
    rmSync(path.join(root, 'a.txt'));
    expect((await app().sync.run(pair.id)).summary?.failed).toBe(0);
    expect(await readLocal('/Kept/a.txt')).toBe('a\n');
    // What the remote has, Cumulus has (and keeps a.txt the remote deleted).
    expect((await rcloneCheck(root, dav, 'Kept', true)).status).toBe(0);
    await app().vfs.delete(principal, parsePath('/Kept/b.txt'));
    expect((await app().sync.run(pair.id)).summary?.failed).toBe(0);
    expect(existsSync(path.join(root, 'b.txt'))).toBe(true);
    await expect(app().vfs.stat(principal, parsePath('/Kept/b.txt'))).rejects.toThrow();
    expect((await app().sync.run(pair.id)).plan.actions).toEqual([]);
  });

  it('the safety stop refuses a run that would delete most of a side, and says so on the pair', async () => {
    const root = path.join(remote.dir, 'safety');
    mkdirSync(root);
    for (let i = 0; i < 6; i++) writeFileSync(path.join(root, `${i}.txt`), `${i}\n`);
    const pair = await addPair('/safety', '/Safety', 'download');
    await app().sync.run(pair.id);
    for (let i = 0; i < 5; i++) rmSync(path.join(root, `${i}.txt`));
    const result = await app().sync.run(pair.id);
    expect(result.plan.stopped).toMatch(/5 of 6 local files/);
    expect(await readLocal('/Safety/0.txt')).toBe('0\n');
    const shown = await app().sync.get(pair.id);
    expect(shown.lastStatus).toBe('stopped');
    expect(shown.lastError).toMatch(/sync.maxDeletePercent/);
  });
});
