import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TreeDamagedError, parsePath, type Entry, type Principal } from '../../src/core/index.js';
import { DIALECTS } from '../support/databases.js';
import { bodyOf } from '../support/app.js';
import { davFetch, startDavServer, type DavServer } from '../support/dav-server.js';
import { treeViolations } from '../support/invariants.js';

const p = parsePath;

/**
 * A cycle planted straight into the database (a → c → b → a): every walk that meets it ends
 * with TreeDamagedError instead of running on, and the rest of the tree keeps being served.
 */
describe.each(DIALECTS)('a damaged tree on %s', (dialect) => {
  let dav: DavServer;
  let me: Principal;
  let inside: Principal;
  let a: Entry;
  let view: { email: string; password: string };

  beforeAll(async () => {
    dav = await startDavServer(dialect);
    const app = dav.t.app;
    const user = (await app.users.list({ limit: 10 })).find((u) => u.email === dav.email)!;
    me = await app.users.principalFor(user);
    await app.vfs.mkdir(me, p('/a/b/c'), { parents: true });
    await app.vfs.write(me, p('/a/b/c/f'), bodyOf('content'));
    await app.vfs.write(me, p('/a/b/g'), bodyOf('more'));
    a = await app.vfs.stat(me, p('/a'));
    const c = await app.vfs.stat(me, p('/a/b/c'));
    // A WebDAV account rooted inside what becomes the cycle: its requests walk into it.
    const { password } = await app.davAccounts.create({ userId: user.id, name: 'inside', root: '/a' });
    view = { email: dav.email, password };
    inside = await app.users.principalFor(user, { rootId: a.id });
    await app.database.db.updateTable('entries').set({ parent_id: c.id }).where('id', '=', a.id).execute();
  });
  afterAll(() => dav.close());

  it('the invariant checker sees the cycle', async () => {
    const problems = await treeViolations(dav.t.app.database);
    expect(problems.filter((problem) => problem.includes('on a parent cycle'))).toHaveLength(3);
  });

  it('walks up, down and across the cycle end with TreeDamagedError', async () => {
    const vfs = dav.t.app.vfs;
    await expect(dav.t.app.lookups.find(me, a.id)).rejects.toBeInstanceOf(TreeDamagedError);
    await expect(vfs.summary(inside, p('/'))).rejects.toBeInstanceOf(TreeDamagedError);
    await expect(vfs.delete(inside, p('/b'))).rejects.toBeInstanceOf(TreeDamagedError);
    await expect(vfs.copy(inside, p('/b'), p('/copy'))).rejects.toBeInstanceOf(TreeDamagedError);
    // A path names a bounded number of steps, so resolving one through the cycle still answers.
    expect((await vfs.stat(inside, p('/b/c/a/b/g'))).name).toBe('g');
  });

  it('a request into the cycle gets a 500 that says so, and the server keeps serving', async () => {
    const refused = await davFetch(dav, '/dav/b', { method: 'DELETE', auth: view });
    expect(refused.status).toBe(500);
    expect(await refused.text()).toContain('cumulus doctor --repair');
    const listing = await davFetch(dav, '/dav/', { method: 'PROPFIND', headers: { Depth: '1' } });
    expect(listing.status).toBe(207);
    expect((await davFetch(dav, '/dav/new.txt', { method: 'PUT', body: 'fine' })).status).toBe(201);
  });
});
