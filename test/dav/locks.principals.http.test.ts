// Over real HTTP with real accounts, on both databases: a lock belongs to the principal that took
// it (a WebDAV account; the signed-in user for the API), lockdiscovery shows its token only to
// that principal, read-only accounts change no lock, the user may release their own clients'
// stuck locks through the API, and locks are limited in time and number.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, login } from '../support/api-server.js';
import { DIALECTS } from '../support/databases.js';
import { davFetch, startDavServer, type DavServer } from '../support/dav-server.js';
import { unchanged } from '../support/inspect.js';

const LOCKINFO =
  '<?xml version="1.0" encoding="utf-8"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope>' +
  '<D:locktype><D:write/></D:locktype><D:owner>principals test</D:owner></D:lockinfo>';
const LOCKDISCOVERY = '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:lockdiscovery/></D:prop></D:propfind>';
const MAX_LOCKS = 4;
const MAX_SECONDS = 120;

type Credentials = { email: string; password: string };

describe.each(DIALECTS)('lock principals and limits over HTTP (%s)', (dialect) => {
  let dav: DavServer;
  let other: Credentials;
  let readOnly: Credentials;

  beforeAll(async () => {
    dav = await startDavServer(dialect, { config: { webdav: { maxLocksPerUser: MAX_LOCKS, maxLockSeconds: MAX_SECONDS } } });
    const userId = (await dav.t.app.users.get(dav.email)).id;
    other = { email: dav.email, password: (await dav.t.app.davAccounts.create({ userId, name: 'second device' })).password };
    readOnly = { email: dav.email, password: (await dav.t.app.davAccounts.create({ userId, name: 'viewer', readOnly: true })).password };
  });
  afterAll(async () => {
    await dav?.close();
  });

  async function put(path: string, auth?: Credentials, headers: Record<string, string> = {}) {
    return (await davFetch(dav, `/dav/${path}`, { method: 'PUT', body: 'content', auth, headers })).status;
  }
  async function lock(path: string, timeout = 'Second-600'): Promise<string> {
    const response = await davFetch(dav, `/dav/${path}`, { method: 'LOCK', body: LOCKINFO, headers: { Depth: '0', Timeout: timeout } });
    expect(response.status).toBe(200);
    await response.arrayBuffer();
    return response.headers.get('Lock-Token')!.replace(/^<|>$/g, '');
  }
  async function discovery(path: string, auth?: Credentials): Promise<string> {
    const response = await davFetch(dav, `/dav/${path}`, { method: 'PROPFIND', body: LOCKDISCOVERY, headers: { Depth: '0' }, auth });
    expect(response.status).toBe(207);
    return response.text();
  }
  const unlock = (path: string, token: string, auth?: Credentials) =>
    davFetch(dav, `/dav/${path}`, { method: 'UNLOCK', headers: { 'Lock-Token': `<${token}>` }, auth });

  it('lockdiscovery shows the lock token only to the account that holds the lock', async () => {
    expect(await put('discovered.txt')).toBe(201);
    const token = await lock('discovered.txt');
    expect(await discovery('discovered.txt')).toContain(token);
    const seenByOther = await discovery('discovered.txt', other);
    expect(seenByOther).toContain('<D:activelock>');
    expect(seenByOther).toContain('principals test');
    expect(seenByOther).not.toContain(token);
    expect(seenByOther).not.toContain('locktoken');
    expect((await unlock('discovered.txt', token)).status).toBe(204);
  });

  it('a read-only account cannot LOCK, and cannot UNLOCK even with the token (403), changing nothing', async () => {
    expect(await put('watched.txt')).toBe(201);
    const refusedLock = await unchanged(dav, () =>
      davFetch(dav, '/dav/watched.txt', { method: 'LOCK', body: LOCKINFO, headers: { Depth: '0' }, auth: readOnly }),
    );
    expect(refusedLock.status).toBe(403);
    const token = await lock('watched.txt');
    const refusedUnlock = await unchanged(dav, () => unlock('watched.txt', token, readOnly));
    expect(refusedUnlock.status).toBe(403);
    const refusedRefresh = await unchanged(dav, () =>
      davFetch(dav, '/dav/watched.txt', { method: 'LOCK', headers: { If: `(<${token}>)` }, auth: readOnly }),
    );
    expect(refusedRefresh.status).toBe(403);
    expect((await unlock('watched.txt', token)).status).toBe(204);
  });

  it("the user releases another of their accounts' stuck lock through DELETE /api/v4/file/lock, but cannot write with its token", async () => {
    expect(await put('stuck.txt')).toBe(201);
    const token = await lock('stuck.txt');
    const { access_token } = await login(dav, dav.email);
    // The API principal (the signed-in user) is not the account that took the lock.
    const remove = { uris: ['cloudreve://my/stuck.txt'], unlink: false, skip_soft_delete: true };
    const refused = await unchanged(dav, () => call(dav, 'DELETE', '/file', { token: access_token, json: remove }));
    expect(refused.code).toBe(40073);
    expect(await put('stuck.txt', other, { If: `(<${token}>)` })).toBe(423);
    const released = await call(dav, 'DELETE', '/file/lock', { token: access_token, json: { tokens: [token] } });
    expect(released).toMatchObject({ code: 0 });
    expect(await dav.t.app.database.db.selectFrom('locks').select('token').where('token', '=', token).execute()).toEqual([]);
    expect(await put('stuck.txt', other)).toBe(204);
  });

  it(`LOCK beyond webdav.maxLocksPerUser (${MAX_LOCKS}) is 507 with a message and takes nothing`, async () => {
    const held = Number(
      (
        await dav.t.app.database.db
          .selectFrom('locks')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    const tokens: string[] = [];
    for (let index = 0; index < MAX_LOCKS - held; index++) {
      expect(await put(`many-${index}.txt`)).toBe(201);
      tokens.push(await lock(`many-${index}.txt`));
    }
    expect(await put('one-too-many.txt')).toBe(201);
    const refused = await unchanged(dav, () =>
      davFetch(dav, '/dav/one-too-many.txt', { method: 'LOCK', body: LOCKINFO, headers: { Depth: '0' }, auth: other }),
    );
    expect(refused.status).toBe(507);
    expect(await refused.text()).toContain(`the most allowed (${MAX_LOCKS})`);
    // Nor does a LOCK on an unmapped URL leave the empty file it would have made (it is made and
    // removed again, so the folder's ETag moves: Nextcloud clients list it once more, nothing else).
    const unmapped = await davFetch(dav, '/dav/never-made.txt', { method: 'LOCK', body: LOCKINFO, headers: { Depth: '0' } });
    expect(unmapped.status).toBe(507);
    expect((await davFetch(dav, '/dav/never-made.txt', { method: 'HEAD' })).status).toBe(404);
    expect(await dav.t.app.vfs.history.trash(await dav.t.app.users.principalFor(await dav.t.app.users.get(dav.email)))).toEqual([]);
    for (const [index, token] of tokens.entries()) expect((await unlock(`many-${index}.txt`, token)).status).toBe(204);
    const token = await lock('one-too-many.txt');
    expect((await unlock('one-too-many.txt', token)).status).toBe(204);
  });

  it(`lock timeouts, Infinite and refreshes included, are capped by webdav.maxLockSeconds (${MAX_SECONDS})`, async () => {
    expect(await put('capped.txt')).toBe(201);
    const response = await davFetch(dav, '/dav/capped.txt', {
      method: 'LOCK',
      body: LOCKINFO,
      headers: { Depth: '0', Timeout: 'Infinite' },
    });
    expect(await response.text()).toContain(`<D:timeout>Second-${MAX_SECONDS}</D:timeout>`);
    const token = response.headers.get('Lock-Token')!.replace(/^<|>$/g, '');
    const refreshed = await davFetch(dav, '/dav/capped.txt', {
      method: 'LOCK',
      headers: { If: `(<${token}>)`, Timeout: 'Second-999999999' },
    });
    expect(refreshed.status).toBe(200);
    expect(await refreshed.text()).toContain(`<D:timeout>Second-${MAX_SECONDS}</D:timeout>`);
    const row = await dav.t.app.database.db.selectFrom('locks').select('expires_at').where('token', '=', token).executeTakeFirstOrThrow();
    expect(Number(row.expires_at)).toBeLessThanOrEqual(Date.now() + MAX_SECONDS * 1000);
    expect((await unlock('capped.txt', token)).status).toBe(204);
  });
});
