import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePath, type Principal } from '../../src/core/index.js';
import { startDavServer, type DavServer } from '../support/dav-server.js';
import { AWKWARD } from '../support/sync-fixtures.js';

/** Issue 13: a second Cumulus as the remote (it answers Depth: infinity with 403, so listing goes folder by folder). */
describe('sync with a second Cumulus', () => {
  let here: DavServer;
  let there: DavServer;
  let principal: Principal;
  let userId: number;

  beforeAll(async () => {
    here = await startDavServer('sqlite');
    there = await startDavServer('sqlite');
    const user = await here.t.app.users.get(here.email);
    userId = user.id;
    principal = await here.t.app.users.principalFor(user);
  });
  afterAll(async () => {
    await there?.close();
    await here?.close();
  });

  it('uploads a tree of awkward names and downloads it back unchanged', async () => {
    const app = here.t.app;
    for (let i = 0; i < 48; i++) {
      const file = parsePath(`/Src/${AWKWARD[i % AWKWARD.length]}/${AWKWARD[(i * 3 + 1) % AWKWARD.length]} ${i}.txt`);
      await app.vfs.mkdir(principal, file.slice(0, -1), { parents: true });
      await app.vfs.write(principal, file, Readable.from([Buffer.from(`body ${i}\n`)]));
    }
    const credentials = { url: there.url, username: there.email, password: there.password, anyAddress: true };
    const up = await app.sync.add(userId, { ...credentials, remotePath: '/dst', localPath: '/Src', direction: 'upload' });
    const uploaded = await app.sync.run(up.id);
    expect(uploaded.summary).toMatchObject({ failed: 0 });
    expect(uploaded.summary?.done.upload).toBe(48);
    expect((await app.sync.run(up.id)).plan.actions).toEqual([]);

    const down = await app.sync.add(userId, { ...credentials, remotePath: '/dst', localPath: '/Copy', direction: 'download' });
    const downloaded = await app.sync.run(down.id);
    expect(downloaded.summary?.done.download).toBe(48);
    const hashes = async (root: string) => {
      const found = new Map<string, string>();
      for await (const folder of app.vfs.children(principal, parsePath(root))) {
        for await (const file of app.vfs.children(principal, parsePath(`${root}/${folder.name}`)))
          found.set(`${folder.name}/${file.name}`, file.sha256 ?? '');
      }
      return found;
    };
    expect(await hashes('/Copy')).toEqual(await hashes('/Src'));
    // The password is sealed at rest and never shown.
    expect(JSON.stringify(await app.sync.list())).not.toContain(there.password);
    const stored = await app.database.read((db) => db.selectFrom('sync_accounts').select('password_sealed').execute());
    for (const row of stored) expect(row.password_sealed).toMatch(/^sb1:/);
  });
});
