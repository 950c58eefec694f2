// Issue 14, "Show": Nextcloud's own sync client (Debian's nextcloudcmd) against a started
// `cumulus serve`: a first sync uploads a tree with a chunked 64 MiB file and awkward names, a
// second converges after changes on both sides (a conflict kept as the client's conflict copy),
// a third sends nothing; an interrupted chunked upload resumes with only the missing chunks;
// rclone (vendor nextcloud) sees modification times and checksums at /remote.php/dav/files/<id>/.
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cumulus, serveCumulus, type ServedCumulus } from '../support/cli.js';
import { tempDir } from '../support/databases.js';
import {
  localTree,
  loggedRequests,
  serverTree,
  startSync,
  storedChunks,
  sync,
  transfers,
  type SyncAccount,
} from '../support/nextcloudcmd.js';
import { rclone } from '../support/rclone.js';

const EMAIL = 'nc@example.org';
const AWKWARD = ['with space.txt', 'hash #1.txt', 'percent 100%.txt', 'amp & co.txt', 'naïve café.txt', 'émoji 📷.txt', '-dash.txt'];

describe('nextcloudcmd syncs with Cumulus', () => {
  const dir = tempDir('cumulus-nextcloudcmd-');
  const local = path.join(dir.path, 'local');
  let served: ServedCumulus;
  let account: SyncAccount;
  /** Requests the server logged since the last call. */
  let seen = 0;
  const newRequests = () => {
    const all = loggedRequests(served.logs());
    const fresh = all.slice(seen);
    seen = all.length;
    return fresh;
  };
  const dav = (method: string, name: string, init: RequestInit = {}) =>
    fetch(`${account.url}/dav/${name.split('/').map(encodeURIComponent).join('/')}`, {
      ...init,
      method,
      headers: { Authorization: `Basic ${Buffer.from(`${EMAIL}:${account.password}`).toString('base64')}`, ...init.headers },
    });
  const expectSameTrees = async () => expect(await serverTree(account)).toEqual(localTree(local));

  beforeAll(async () => {
    const data = path.join(dir.path, 'data');
    expect(cumulus(['user', 'add', '--data', data, '--email', EMAIL, '--password', 'not the dav password 1']).status).toBe(0);
    const created = cumulus(['dav-account', 'create', '--data', data, '--user', EMAIL, '--name', 'laptop', '--json']);
    expect(created.status, created.stderr).toBe(0);
    served = await serveCumulus(data);
    account = { url: served.url, email: EMAIL, password: created.json<{ password: string }>().password };
    // A few hundred small files in nested folders, awkward names, and one 64 MiB file.
    for (let folder = 0; folder < 12; folder++) {
      const sub = path.join(local, `folder ${folder}`, `level ${folder % 3}`);
      mkdirSync(sub, { recursive: true });
      for (let file = 0; file < 24; file++)
        writeFileSync(path.join(sub, `file-${file}.txt`), `folder ${folder} file ${file}\n`.repeat(file + 1));
    }
    mkdirSync(path.join(local, 'odd names ✓'));
    for (const name of AWKWARD) writeFileSync(path.join(local, 'odd names ✓', name), `content of ${name}\n`);
    writeFileSync(path.join(local, 'big.bin'), randomBytes(64 << 20));
  }, 180_000);
  afterAll(async () => {
    await served?.stop();
    dir.remove();
  });

  it('uploads the tree on the first sync, the big file in chunks', async () => {
    const first = await sync(account, local);
    expect(first.code, first.output.slice(-3000)).toBe(0);
    await expectSameTrees();
    const requests = newRequests();
    expect(requests.some((request) => /^PUT \/remote\.php\/dav\/uploads\/[^/]+\/[^/]+\/\d+$/.test(request))).toBe(true);
    expect(requests.some((request) => /^MOVE \/remote\.php\/dav\/uploads\/.*\/\.file$/.test(request))).toBe(true);
    expect(requests.filter((request) => request.startsWith('PUT /remote.php/dav/files/')).length).toBeGreaterThan(290);
  }, 600_000);

  it('converges after changes on both sides, keeping a conflict as the client’s conflict copy', async () => {
    // Local: edit, delete, rename, a new folder.
    writeFileSync(path.join(local, 'folder 0/level 0/file-1.txt'), 'edited locally\n');
    rmSync(path.join(local, 'folder 1/level 1/file-2.txt'));
    renameSync(path.join(local, 'folder 2/level 2/file-3.txt'), path.join(local, 'folder 2/level 2/renamed locally.txt'));
    mkdirSync(path.join(local, 'new local folder'));
    writeFileSync(path.join(local, 'new local folder/inside.txt'), 'new\n');
    // Server: the same kinds of change over /dav/.
    expect((await dav('PUT', 'folder 3/level 0/file-4.txt', { body: 'edited on the server\n' })).status).toBe(204);
    expect((await dav('DELETE', 'folder 4/level 1/file-5.txt')).status).toBe(204);
    const destination = `${account.url}/dav/folder%205/level%202/renamed%20on%20server.txt`;
    expect((await dav('MOVE', 'folder 5/level 2/file-6.txt', { headers: { Destination: destination } })).status).toBe(201);
    expect((await dav('MKCOL', 'new server folder')).status).toBe(201);
    expect((await dav('PUT', 'new server folder/there.txt', { body: 'there\n' })).status).toBe(201);
    // Both sides edit one file.
    const contested = path.join(local, 'folder 6/level 0/file-7.txt');
    writeFileSync(contested, 'the laptop’s version\n');
    expect((await dav('PUT', 'folder 6/level 0/file-7.txt', { body: 'the server’s version\n' })).status).toBe(204);

    const second = await sync(account, local);
    expect(second.code, second.output.slice(-3000)).toBe(0);
    // The client uploads its conflict copy on the pass after it made it (uploadConflictFiles).
    const settle = await sync(account, local);
    expect(settle.code, settle.output.slice(-3000)).toBe(0);
    await expectSameTrees();
    const tree = localTree(local);
    expect(tree.has('folder 1/level 1/file-2.txt')).toBe(false);
    expect(tree.has('folder 4/level 1/file-5.txt')).toBe(false);
    expect(tree.has('folder 5/level 2/renamed on server.txt')).toBe(true);
    expect(tree.has('new server folder/there.txt')).toBe(true);
    const conflicts = [...tree.keys()].filter((name) => name.startsWith('folder 6/level 0/file-7 (conflicted copy'));
    expect(conflicts).toHaveLength(1);
    newRequests();
  }, 600_000);

  it('sends nothing on a third sync with nothing changed', async () => {
    newRequests();
    const third = await sync(account, local);
    expect(third.code, third.output.slice(-3000)).toBe(0);
    expect(transfers(newRequests())).toEqual([]);
    await expectSameTrees();
  }, 300_000);

  it('resumes an interrupted chunked upload with only the missing chunks', async () => {
    writeFileSync(path.join(local, 'resumed.bin'), randomBytes(24 << 20));
    const logFrom = served.logs().length;
    const slow = startSync(account, local, ['--uplimit', '3000']);
    // Killed once the server has stored a chunk and the next one is on its way.
    let stored: string[] = [];
    const inFlight = () =>
      loggedRequests(served.logs())
        .slice(seen)
        .filter((request) => /^PUT \/remote\.php\/dav\/uploads\//.test(request) && !stored.includes(request));
    while (stored.length === 0 || inFlight().length === 0) {
      if (slow.child.exitCode !== null)
        throw new Error(`the client finished before it could be interrupted:\n${(await slow.finished).output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      stored = storedChunks(served.logs().slice(logFrom));
    }
    slow.child.kill('SIGKILL');
    await slow.finished;
    stored = storedChunks(served.logs().slice(logFrom));
    const transfer = stored[0]!.replace(/^PUT /, '').replace(/\/[^/]+$/, '');
    newRequests();

    const resumed = await sync(account, local);
    expect(resumed.code, resumed.output.slice(-3000)).toBe(0);
    const after = newRequests();
    // The same transfer, listed to resume, and no chunk stored before the interruption sent again.
    expect(after, JSON.stringify({ stored, after, output: resumed.output.slice(-4000) })).toContain(`PROPFIND ${transfer}`);
    const chunks = after.filter((request) => request.startsWith(`PUT ${transfer}/`));
    expect(chunks.length).toBeGreaterThan(0);
    expect(chunks.filter((request) => stored.includes(request))).toEqual([]);
    expect(after).toContain(`MOVE ${transfer}/.file`);
    await expectSameTrees();
  }, 600_000);

  it('shows rclone (vendor nextcloud) modification times and SHA-1s at /remote.php/dav/files/<id>/', async () => {
    const remote = {
      url: `${account.url}/remote.php/dav/files/${EMAIL}/`,
      user: EMAIL,
      pass: account.password,
      vendor: 'nextcloud' as const,
    };
    const listed = await rclone(remote, ['lsjson', '--hash', 'cumulus:odd names ✓']);
    expect(listed.status, listed.output).toBe(0);
    const entries = JSON.parse(listed.stdout) as Array<{ Path: string; ModTime: string; Hashes?: Record<string, string> }>;
    const local = localTree(path.join(dir.path, 'local', 'odd names ✓'));
    expect(entries).toHaveLength(AWKWARD.length);
    for (const entry of entries) expect(entry.Hashes?.sha1).toBe(local.get(entry.Path));
    const check = await rclone(remote, ['check', path.join(dir.path, 'local', 'odd names ✓'), 'cumulus:odd names ✓']);
    expect(check.status, check.output).toBe(0);
    expect(check.output).not.toMatch(/No common hash found/);
    // The client sent the modification times the files have locally (X-OC-Mtime).
    for (const entry of entries) {
      const mtime = statSync(path.join(dir.path, 'local', 'odd names ✓', entry.Path)).mtimeMs;
      expect(Math.floor(Date.parse(entry.ModTime) / 1000)).toBe(Math.floor(mtime / 1000));
    }
  }, 300_000);
});
