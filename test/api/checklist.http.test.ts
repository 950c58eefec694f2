// The Cloudreve V4 contract's section 20 checklist, one test per item, in its order, driven over
// HTTP against a started server the way an OpenList-like client calls it. Other files test each
// area in depth; this one shows every item of the list holds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { PASSWORD, call, jwtPayload, login, type FileJson, type ListJson, type Tokens } from '../support/api-server.js';
import { davFetch, startDavServer, type DavServer } from '../support/dav-server.js';

describe.each(DIALECTS)('contract section 20 checklist (%s)', (dialect) => {
  let api: DavServer;
  let tokens: Tokens;
  /** The server's clock, moved forward to expire tokens. */
  let now = Date.now();
  const as = <T = unknown>(method: string, path: string, json?: unknown, query?: Record<string, string | number | boolean>) =>
    call<T>(api, method, path, { token: tokens.access_token, json, query });
  const chunk = (sessionId: string, index: number, body: Buffer, token = tokens.access_token) =>
    fetch(`${api.origin}/api/v4/file/upload/${sessionId}/${index}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/octet-stream' },
      body,
    }).then((response) => response.json() as Promise<{ code: number; msg: string }>);

  beforeAll(async () => {
    api = await startDavServer(dialect, { clock: () => now, config: { uploads: { chunkSizeBytes: 1024 } } });
    tokens = await login(api, api.email);
  });
  afterAll(() => api?.close());

  it('1. errors are HTTP 200 with {code≠0, msg}; success is code 0 and msg ""', async () => {
    const ok = await as('GET', '/file', undefined, { uri: 'cloudreve://my' });
    expect(ok).toMatchObject({ status: 200, code: 0, msg: '' });
    const failed = await as('GET', '/file/info', undefined, { uri: 'cloudreve://my/missing' });
    expect(failed.status).toBe(200);
    expect(failed.code).not.toBe(0);
    expect(failed.msg).not.toBe('');
  });

  it('2. listing without Authorization is 401 "Login required"', async () => {
    expect(await call(api, 'GET', '/file', { query: { uri: 'cloudreve://my' } })).toMatchObject({ code: 401, msg: 'Login required' });
  });

  it('3. login flow: site config, prepare, token pair with integer exp/nbf and token types', async () => {
    const config = await call<{ login_captcha?: boolean }>(api, 'GET', '/site/config/login');
    expect(config.data?.login_captcha ?? false).toBe(false);
    const prepare = await call(api, 'GET', '/session/prepare', { query: { email: api.email } });
    expect(prepare.data).toEqual({ password_enabled: true, webauthn_enabled: false });
    const signed = await call<{ token: Tokens }>(api, 'POST', '/session/token', { json: { email: api.email, password: PASSWORD } });
    const access = jwtPayload(signed.data!.token.access_token);
    const refresh = jwtPayload(signed.data!.token.refresh_token);
    for (const payload of [access, refresh]) {
      expect(Number.isInteger(payload.exp)).toBe(true);
      expect(Number.isInteger(payload.nbf)).toBe(true);
    }
    expect([access.token_type, refresh.token_type]).toEqual(['access', 'refresh']);
  });

  it('4. refresh answers a bare token object; a garbage token is 40020', async () => {
    const own = await login(api, api.email);
    const refreshed = await call<Tokens>(api, 'POST', '/session/token/refresh', { json: { refresh_token: own.refresh_token } });
    expect(Object.keys(refreshed.data!).sort()).toEqual(['access_expires', 'access_token', 'refresh_expires', 'refresh_token']);
    expect((await call(api, 'POST', '/session/token/refresh', { json: { refresh_token: 'garbage' } })).code).toBe(40020);
  });

  it('5. a refresh token sent as Bearer is 40020; an expired access token is anonymous', async () => {
    const own = await login(api, api.email);
    expect((await call(api, 'GET', '/file', { query: { uri: 'cloudreve://my' }, token: own.refresh_token })).code).toBe(40020);
    // Contract 3.2: an expired access token is treated as no token at all.
    expect((await call(api, 'GET', '/file', { query: { uri: 'cloudreve://my' }, token: own.access_token })).code).toBe(0);
    now += 2 * 3600_000;
    expect((await call(api, 'GET', '/file', { query: { uri: 'cloudreve://my' }, token: own.access_token })).code).toBe(401);
    tokens = await login(api, api.email);
  });

  it('6. 250 children list as pages of 100, 100, 50; folders first; every order honoured', async () => {
    await as('POST', '/file/create', { type: 'folder', uri: 'cloudreve://my/many' });
    const principal = await api.t.app.users.principalFor(await api.t.app.users.get(api.email));
    for (let i = 0; i < 250; i++) {
      if (i % 10 === 0) await api.t.app.vfs.mkdir(principal, ['many', `d${String(i).padStart(3, '0')}`]);
      else await davFetch(api, `/dav/many/f${String(i).padStart(3, '0')}.txt`, { method: 'PUT', body: 'x'.repeat(i) });
    }
    const sizes: number[] = [];
    let token = '';
    const names: FileJson[] = [];
    do {
      const page = await as<ListJson>('GET', '/file', undefined, {
        uri: 'cloudreve://my/many',
        page_size: 100,
        ...(token && { next_page_token: token }),
      });
      sizes.push(page.data!.files.length);
      names.push(...page.data!.files);
      token = page.data!.pagination.next_token ?? '';
    } while (token);
    expect(sizes).toEqual([100, 100, 50]);
    expect(names.slice(0, 25).every((file) => file.type === 1)).toBe(true);
    for (const order_by of ['name', 'size', 'updated_at', 'created_at']) {
      for (const order_direction of ['asc', 'desc']) {
        const page = await as<ListJson>('GET', '/file', undefined, {
          uri: 'cloudreve://my/many',
          page_size: 250,
          order_by,
          order_direction,
        });
        const files = page.data!.files.filter((file) => file.type === 0);
        const key = (file: FileJson) =>
          order_by === 'name' ? file.name : order_by === 'size' ? file.size : order_by === 'updated_at' ? file.updated_at : file.created_at;
        const sorted = [...files].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
        if (order_direction === 'desc') sorted.reverse();
        expect(files.map(key)).toEqual(sorted.map(key));
      }
    }
  });

  it('7. a child path is parent path + "/" + escaped name, and it addresses the same object everywhere', async () => {
    await as('POST', '/file/create', { type: 'folder', uri: 'cloudreve://my/seven' });
    await davFetch(api, '/dav/seven/a%20b%25c.txt', { method: 'PUT', body: 'seven' });
    const list = await as<ListJson>('GET', '/file', undefined, { uri: 'cloudreve://my/seven' });
    const file = list.data!.files[0]!;
    expect(file.path).toBe(`${list.data!.parent.path}/${encodeURIComponent('a b%c.txt')}`);
    expect((await as<FileJson>('GET', '/file/info', undefined, { uri: file.path })).data!.id).toBe(file.id);
    expect((await as('POST', '/file/url', { uris: [file.path] })).code).toBe(0);
    const renamed = await as<FileJson>('POST', '/file/rename', { uri: file.path, new_name: 'renamed.txt' });
    expect(renamed.data!.id).toBe(file.id);
    await as('POST', '/file/create', { type: 'folder', uri: 'cloudreve://my/seven/in' });
    expect((await as('POST', '/file/move', { uris: [renamed.data!.path], dst: 'cloudreve://my/seven/in', copy: false })).code).toBe(0);
    expect((await as('DELETE', '/file', { uris: ['cloudreve://my/seven/in/renamed.txt'], skip_soft_delete: true })).code).toBe(0);
  });

  it('8. info on a missing path, or under a missing parent, is 40016; on the root 403', async () => {
    expect((await as('GET', '/file/info', undefined, { uri: 'cloudreve://my/nope' })).code).toBe(40016);
    expect((await as('GET', '/file/info', undefined, { uri: 'cloudreve://my/nope/deeper' })).code).toBe(40016);
    expect((await as('GET', '/file/info', undefined, { uri: 'cloudreve://my' })).code).toBe(403);
  });

  it('9. creating a folder twice answers the existing folder; an empty file downloads as 0 bytes', async () => {
    const first = await as<FileJson>('POST', '/file/create', { type: 'folder', uri: 'cloudreve://my/twice', error_on_conflict: true });
    const second = await as<FileJson>('POST', '/file/create', { type: 'folder', uri: 'cloudreve://my/twice', error_on_conflict: true });
    expect([first.code, second.code]).toEqual([0, 0]);
    expect(second.data!.id).toBe(first.data!.id);
    const empty = await as<FileJson>('POST', '/file/create', { type: 'file', uri: 'cloudreve://my/twice/empty.txt' });
    expect(empty.data!.size).toBe(0);
    const url = await as<{ urls: Array<{ url: string }> }>('POST', '/file/url', { uris: [empty.data!.path], download: true });
    const download = await fetch(url.data!.urls[0]!.url);
    expect(download.status).toBe(200);
    expect((await download.arrayBuffer()).byteLength).toBe(0);
  });

  it('10. cloudreve://my//a is cloudreve://my/a, and %2520 in the uri parameter is a space', async () => {
    await as('POST', '/file/create', { type: 'folder', uri: 'cloudreve://my/ten space' });
    const double = await as<FileJson>('GET', '/file/info', undefined, { uri: 'cloudreve://my//ten%20space' });
    const single = await as<FileJson>('GET', '/file/info', undefined, { uri: 'cloudreve://my/ten%20space' });
    expect(double.data!.id).toBe(single.data!.id);
    const raw = await fetch(`${api.origin}/api/v4/file/info?uri=cloudreve%3A%2F%2Fmy%2Ften%2520space`, {
      headers: { Authorization: `Bearer ${tokens.access_token}` },
    });
    expect(((await raw.json()) as { data: FileJson }).data.name).toBe('ten space');
  });

  it('11. rename or move onto an existing name is 40004; a folder into its child is 40081 with 403 inside', async () => {
    await as('POST', '/file/create', { type: 'folder', uri: 'cloudreve://my/eleven/child' });
    await as('POST', '/file/create', { type: 'folder', uri: 'cloudreve://my/eleven/other' });
    expect((await as('POST', '/file/rename', { uri: 'cloudreve://my/eleven/other', new_name: 'child' })).code).toBe(40004);
    await as('POST', '/file/create', { type: 'folder', uri: 'cloudreve://my/eleven/other/child' });
    expect((await as('POST', '/file/move', { uris: ['cloudreve://my/eleven/other/child'], dst: 'cloudreve://my/eleven' })).code).toBe(
      40004,
    );
    const into = await as('POST', '/file/move', { uris: ['cloudreve://my/eleven'], dst: 'cloudreve://my/eleven/child', copy: false });
    expect(into.code).toBe(40081);
    expect(into.aggregated_error!['cloudreve://my/eleven']!.code).toBe(403);
  });

  it('12. DELETE with a JSON body removes for good; a missing URI is 40081 with 40016 inside', async () => {
    await as('POST', '/file/create', { type: 'file', uri: 'cloudreve://my/twelve.txt' });
    expect((await as('DELETE', '/file', { uris: ['cloudreve://my/twelve.txt'], skip_soft_delete: true })).code).toBe(0);
    expect((await as('GET', '/file/info', undefined, { uri: 'cloudreve://my/twelve.txt' })).code).toBe(40016);
    const missing = await as('DELETE', '/file', { uris: ['cloudreve://my/twelve.txt'], skip_soft_delete: true });
    expect(missing.code).toBe(40081);
    expect(missing.aggregated_error!['cloudreve://my/twelve.txt']!.code).toBe(40016);
  });

  it('13. a chunked upload: local policy, integer expires, exact chunks (wrong length 40013), full size after the last', async () => {
    const content = Buffer.from(Array.from({ length: 2500 }, (_, i) => i % 251));
    const session = await as<{ session_id: string; chunk_size: number; expires: number; storage_policy: { type: string } }>(
      'PUT',
      '/file/upload',
      { uri: 'cloudreve://my/thirteen.bin', size: content.length },
    );
    expect(session.data).toMatchObject({ chunk_size: 1024, storage_policy: { type: 'local' } });
    expect(Number.isInteger(session.data!.expires)).toBe(true);
    const id = session.data!.session_id;
    expect((await chunk(id, 0, content.subarray(0, 1000))).code).toBe(40013);
    for (let index = 0; index < 3; index++)
      expect((await chunk(id, index, content.subarray(index * 1024, (index + 1) * 1024))).code).toBe(0);
    const info = await as<FileJson>('GET', '/file/info', undefined, { uri: 'cloudreve://my/thirteen.bin' });
    expect(info.data).toMatchObject({ size: content.length, metadata: null });
  });

  it('14. an open session lists its placeholder empty with sys:upload_session_id; deleting it works', async () => {
    const session = await as<{ session_id: string }>('PUT', '/file/upload', { uri: 'cloudreve://my/fourteen.bin', size: 3000 });
    const listed = await as<ListJson>('GET', '/file', undefined, { uri: 'cloudreve://my' });
    const placeholder = listed.data!.files.find((file) => file.name === 'fourteen.bin')!;
    expect(placeholder).toMatchObject({ size: 0, metadata: { 'sys:upload_session_id': session.data!.session_id } });
    expect((await as('DELETE', '/file', { uris: [placeholder.path], skip_soft_delete: true })).code).toBe(0);
  });

  it('14b. a locked file answers 40073 "Lock conflict" with data[].token, and DELETE /file/lock then allows the delete', async () => {
    await davFetch(api, '/dav/locked-14.txt', { method: 'PUT', body: 'locked' });
    const lock = await davFetch(api, '/dav/locked-14.txt', {
      method: 'LOCK',
      headers: { 'Content-Type': 'application/xml' },
      body: '<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>',
    });
    const token = /<([^>]+)>/.exec(lock.headers.get('lock-token')!)![1]!;
    const refused = await as<Array<{ token: string }>>('DELETE', '/file', {
      uris: ['cloudreve://my/locked-14.txt'],
      skip_soft_delete: true,
    });
    expect(refused).toMatchObject({ code: 40073, msg: 'Lock conflict' });
    expect(refused.data!.map((entry) => entry.token)).toEqual([token]);
    expect((await as('DELETE', '/file/lock', { tokens: [token] })).code).toBe(0);
    expect((await as('DELETE', '/file', { uris: ['cloudreve://my/locked-14.txt'], skip_soft_delete: true })).code).toBe(0);
  });

  it('15. an upload to an existing path is 40004 without entity_type; with "version" it keeps the id', async () => {
    const created = await as<FileJson>('POST', '/file/create', { type: 'file', uri: 'cloudreve://my/fifteen.txt' });
    expect((await as('PUT', '/file/upload', { uri: 'cloudreve://my/fifteen.txt', size: 5 })).code).toBe(40004);
    const session = await as<{ session_id: string }>('PUT', '/file/upload', {
      uri: 'cloudreve://my/fifteen.txt',
      size: 5,
      entity_type: 'version',
    });
    expect((await chunk(session.data!.session_id, 0, Buffer.from('hello'))).code).toBe(0);
    const info = await as<FileJson>('GET', '/file/info', undefined, { uri: 'cloudreve://my/fifteen.txt' });
    expect(info.data).toMatchObject({ id: created.data!.id, size: 5 });
  });

  it('16. DELETE /file/upload removes the placeholder', async () => {
    const session = await as<{ session_id: string }>('PUT', '/file/upload', { uri: 'cloudreve://my/sixteen.bin', size: 10 });
    expect((await as('DELETE', '/file/upload', { id: session.data!.session_id, uri: 'cloudreve://my/sixteen.bin' })).code).toBe(0);
    expect((await as('GET', '/file/info', undefined, { uri: 'cloudreve://my/sixteen.bin' })).code).toBe(40016);
  });

  it('17. /file/url: absolute URL, RFC 3339 expires, works without Authorization, Range 206, attachment', async () => {
    await davFetch(api, '/dav/seventeen.txt', { method: 'PUT', body: '0123456789abcdef' });
    const url = await as<{ urls: Array<{ url: string }>; expires: string }>('POST', '/file/url', {
      uris: ['cloudreve://my/seventeen.txt'],
      download: true,
    });
    expect(url.data!.urls[0]!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    expect(new Date(url.data!.expires).toISOString()).toBeTruthy();
    expect(url.data!.expires).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    const ranged = await fetch(url.data!.urls[0]!.url, { headers: { Range: 'bytes=0-9' } });
    expect(ranged.status).toBe(206);
    expect(await ranged.text()).toBe('0123456789');
    expect(ranged.headers.get('content-disposition')).toMatch(/^attachment/);
  });

  it('18. folder_summary gives the total size below the folder and its file and folder counts', async () => {
    await as('POST', '/file/create', { type: 'folder', uri: 'cloudreve://my/eighteen/sub' });
    await davFetch(api, '/dav/eighteen/a.txt', { method: 'PUT', body: 'aaa' });
    await davFetch(api, '/dav/eighteen/sub/b.txt', { method: 'PUT', body: 'bbbbb' });
    const info = await as<FileJson>('GET', '/file/info', undefined, { uri: 'cloudreve://my/eighteen', folder_summary: true });
    expect(info.data!.folder_summary).toMatchObject({ size: 8, files: 2, folders: 1 });
  });

  it('19. a share root lists anonymously; a wrong password is 40069', async () => {
    await as('POST', '/file/create', { type: 'folder', uri: 'cloudreve://my/nineteen' });
    await davFetch(api, '/dav/nineteen/shared.txt', { method: 'PUT', body: 'shared' });
    const open = await as<string>('PUT', '/share', { uri: 'cloudreve://my/nineteen' });
    expect(open.code, open.msg).toBe(0);
    const key = open.data!.split('/s/')[1]!.split('/')[0]!;
    const listed = await call<ListJson>(api, 'GET', '/file', { query: { uri: `cloudreve://${key}@share` } });
    expect(listed.data!.files.map((file) => file.name)).toEqual(['shared.txt']);
    const locked = await as<string>('PUT', '/share', { uri: 'cloudreve://my/nineteen', password: 'secret1' });
    const lockedKey = locked.data!.split('/s/')[1]!.split('/')[0]!;
    expect((await call(api, 'GET', '/file', { query: { uri: `cloudreve://${lockedKey}:wrong@share` } })).code).toBe(40069);
    expect((await call(api, 'GET', '/file', { query: { uri: `cloudreve://${lockedKey}:secret1@share` } })).code).toBe(0);
  });

  it('20. /user/capacity answers {total, used}', async () => {
    const capacity = await as<{ total: number; used: number }>('GET', '/user/capacity');
    expect(typeof capacity.data!.total).toBe('number');
    expect(capacity.data!.used).toBeGreaterThan(0);
  });

  it('21. WebDAV: a 32-character [0-9a-z] account password opens /dav/ (207); a wrong one is 401 with WWW-Authenticate; read-only refuses PUT', async () => {
    const created = await as<{ password: string }>('PUT', '/devices/dav', { name: 'checklist', uri: 'cloudreve://my' });
    expect(created.data!.password).toMatch(/^[0-9a-z]{32}$/);
    const auth = { email: api.email, password: created.data!.password };
    expect((await davFetch(api, '/dav/', { method: 'PROPFIND', headers: { Depth: '0' }, auth })).status).toBe(207);
    const wrong = await davFetch(api, '/dav/', {
      method: 'PROPFIND',
      headers: { Depth: '0' },
      auth: { ...auth, password: 'x'.repeat(32) },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic/);
    const readOnly = await as<{ password: string }>('PUT', '/devices/dav', { name: 'checklist ro', uri: 'cloudreve://my', readonly: true });
    const put = await davFetch(api, '/dav/ro.txt', {
      method: 'PUT',
      body: 'no',
      auth: { email: api.email, password: readOnly.data!.password },
    });
    expect(put.status).toBe(403);
  });
});
