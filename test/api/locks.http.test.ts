// Over real HTTP, on both databases: the lock-conflict contract (Cloudreve V4 contract 14.2,
// checklist item 14) with locks taken by a real WebDAV client. A change stopped by a lock
// answers 40073 "Lock conflict" listing the locks in the way; DELETE /file/lock releases the
// caller's own locks by token, all or none; then the change goes through.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { apiUser, call, login, unchanged as unchangedIn, type ApiServer } from '../support/api-server.js';
import { davFetch, startDavServer, type DavServer } from '../support/dav-server.js';

interface LockInfo {
  path: string;
  token: string;
  owner: { application: { type: string } };
  type: number;
}

const lockBody = (scope: 'exclusive' | 'shared') =>
  `<?xml version="1.0" encoding="utf-8"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:${scope}/></D:lockscope>` +
  `<D:locktype><D:write/></D:locktype><D:owner>locks test</D:owner></D:lockinfo>`;

describe.each(DIALECTS)('API locks over HTTP (%s)', (dialect) => {
  let dav: DavServer;
  let token: string;

  beforeAll(async () => {
    dav = await startDavServer(dialect);
    token = (await login(dav, dav.email)).access_token;
  });
  afterAll(async () => {
    await dav?.close();
  });

  const as = <T = unknown>(method: string, path: string, json?: unknown) => call<T>(dav, method, path, { token, json });
  const unchanged = <T>(act: () => Promise<T>) => unchangedIn(dav as ApiServer, act);

  async function put(path: string, content = 'x') {
    expect((await davFetch(dav, `/dav/${path}`, { method: 'PUT', body: content })).status).toBeLessThan(300);
  }
  async function mkcol(path: string) {
    expect((await davFetch(dav, `/dav/${path}`, { method: 'MKCOL' })).status).toBe(201);
  }
  /** Takes a WebDAV lock and returns its token. */
  async function lock(path: string, options: { depth?: '0' | 'infinity'; scope?: 'exclusive' | 'shared' } = {}) {
    const response = await davFetch(dav, `/dav/${path}`, {
      method: 'LOCK',
      body: lockBody(options.scope ?? 'exclusive'),
      headers: { 'Content-Type': 'application/xml', Depth: options.depth ?? '0', Timeout: 'Second-600' },
    });
    expect(response.status).toBe(200);
    return response.headers.get('Lock-Token')!.replace(/^<|>$/g, '');
  }
  async function exists(path: string) {
    return (await davFetch(dav, `/dav/${path}`, { method: 'HEAD' })).status === 200;
  }

  it('lists a WebDAV lock in the 40073 of a delete; DELETE /file/lock frees it; the delete then works (checklist 14)', async () => {
    await put('doc.txt', 'locked content');
    const taken = await lock('doc.txt');
    // OpenList's delete (contract 14.1).
    const body = { uris: ['cloudreve://my/doc.txt'], unlink: false, skip_soft_delete: true };
    const refused = await unchanged(() => as<LockInfo[]>('DELETE', '/file', body));
    expect(refused).toMatchObject({ code: 40073, msg: 'Lock conflict' });
    expect(refused.data).toEqual([{ path: '/doc.txt', token: taken, owner: { application: { type: 'dav' } }, type: 0 }]);

    const unlocked = await as('DELETE', '/file/lock', { tokens: refused.data!.map((info) => info.token) });
    expect(unlocked).toMatchObject({ code: 0, msg: '' });
    // The lock is gone for WebDAV too: its UNLOCK finds nothing to release.
    expect((await davFetch(dav, '/dav/doc.txt', { method: 'UNLOCK', headers: { 'Lock-Token': `<${taken}>` } })).status).toBe(409);
    expect(await as('DELETE', '/file', body)).toMatchObject({ code: 0 });
    expect(await exists('doc.txt')).toBe(false);
  });

  it("lists a folder's depth-infinity lock for a change below it, and locks below a folder being deleted", async () => {
    await mkcol('project');
    await put('project/a.txt');
    await mkcol('project/sub');
    await put('project/sub/b.txt');
    const folderLock = await lock('project', { depth: 'infinity' });

    const rename = await unchanged(() =>
      as<LockInfo[]>('POST', '/file/rename', { uri: 'cloudreve://my/project/a.txt', new_name: 'c.txt' }),
    );
    expect(rename.code).toBe(40073);
    expect(rename.data).toEqual([{ path: '/project', token: folderLock, owner: { application: { type: 'dav' } }, type: 0 }]);
    expect((await as('DELETE', '/file/lock', { tokens: [folderLock] })).code).toBe(0);

    const shared = await lock('project/sub/b.txt', { scope: 'shared' });
    const own = await lock('project/a.txt');
    const deleted = await unchanged(() => as<LockInfo[]>('DELETE', '/file', { uris: ['cloudreve://my/project'] }));
    expect(deleted.code).toBe(40073);
    expect(new Map(deleted.data!.map((info) => [info.token, info]))).toEqual(
      new Map([
        [own, { path: '/project/a.txt', token: own, owner: { application: { type: 'dav' } }, type: 0 }],
        [shared, { path: '/project/sub/b.txt', token: shared, owner: { application: { type: 'dav' } }, type: 1 }],
      ]),
    );
    // A move of several sources reports the lock per source (contract 13: 40081 with the code of each).
    expect((await as('POST', '/file/create', { uri: 'cloudreve://my/elsewhere', type: 'folder' })).code).toBe(0);
    const moved = await unchanged(() =>
      as('POST', '/file/move', { uris: ['cloudreve://my/project/sub'], dst: 'cloudreve://my/elsewhere' }),
    );
    expect(moved.code).toBe(40081);
    expect(moved.aggregated_error!['cloudreve://my/project/sub']!.code).toBe(40073);

    expect((await as('DELETE', '/file/lock', { tokens: [own, shared] })).code).toBe(0);
    expect((await as('DELETE', '/file', { uris: ['cloudreve://my/project'] })).code).toBe(0);
    expect(await exists('project/a.txt')).toBe(false);
  });

  it("lists a folder's depth-0 lock when something is created in it or renamed inside it", async () => {
    await mkcol('inbox');
    await put('inbox/kept.txt');
    const folderLock = await lock('inbox');
    const expected = [{ path: '/inbox', token: folderLock, owner: { application: { type: 'dav' } }, type: 0 }];
    const created = await unchanged(() => as<LockInfo[]>('POST', '/file/create', { uri: 'cloudreve://my/inbox/new.txt', type: 'file' }));
    expect(created).toMatchObject({ code: 40073, msg: 'Lock conflict' });
    expect(created.data).toEqual(expected);
    const renamed = await unchanged(() =>
      as<LockInfo[]>('POST', '/file/rename', { uri: 'cloudreve://my/inbox/kept.txt', new_name: 'k.txt' }),
    );
    expect(renamed.data).toEqual(expected);
    expect((await as('DELETE', '/file/lock', { tokens: [folderLock] })).code).toBe(0);
    expect((await as('POST', '/file/create', { uri: 'cloudreve://my/inbox/new.txt', type: 'file' })).code).toBe(0);
  });

  it('releases nothing when one token is unknown, and never another user’s lock (40001)', async () => {
    await put('mine.txt');
    const mine = await lock('mine.txt');
    const stranger = await apiUser(dav);
    await unchanged(async () => {
      const mixed = await as('DELETE', '/file/lock', { tokens: [mine, 'opaquelocktoken:00000000-0000-0000-0000-000000000000'] });
      expect(mixed.code).toBe(40001);
      expect(mixed.msg).toMatch(/^failed to unlock file/);
      expect(mixed.msg).toMatch(/00000000-0000/);
      // Another user presenting the token is told the same as for an unknown one.
      const foreign = await stranger.as('DELETE', '/file/lock', { json: { tokens: [mine] } });
      expect(foreign.code).toBe(40001);
      expect(foreign.msg).not.toMatch(/another user/);
      expect((await call(dav, 'DELETE', '/file/lock', { json: { tokens: [mine] } })).code).toBe(401);
      expect((await as('DELETE', '/file/lock', { tokens: [] })).code).toBe(40001);
      expect((await as('DELETE', '/file/lock', {})).code).toBe(40001);
      expect((await as('DELETE', '/file/lock', { tokens: 'x' })).code).toBe(40001);
      expect((await as('DELETE', '/file/lock', { tokens: Array.from({ length: 1001 }, (_, i) => `t${i}`) })).code).toBe(40074);
    });
    expect((await as('DELETE', '/file', { uris: ['cloudreve://my/mine.txt'] })).code).toBe(40073);
    expect((await as('DELETE', '/file/lock', { tokens: [mine, mine] })).code).toBe(0);
    expect((await as('DELETE', '/file', { uris: ['cloudreve://my/mine.txt'] })).code).toBe(0);
  });
});
