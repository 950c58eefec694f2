// Over real HTTP, on both databases: WebDAV accounts through the API (Cloudreve V4 contract
// 18.1 and 18.2, checklist item 21). The accounts are the ones `cumulus dav-account` manages:
// one created here signs a real PROPFIND in at once, a changed one keeps its password, a
// deleted one is refused (401) on the very next request. Creating and changing need a group
// with the WebDAV permission (40007); every refusal changes nothing.
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import type { Principal, VPath } from '../../src/core/index.js';
import { apiUser, call, useApiServer, writeFile as writeTop, type ApiServer, type CallOptions } from '../support/api-server.js';
import { unchangedBy } from '../support/inspect.js';

interface DavAccountJson {
  id: string;
  created_at: string;
  name: string;
  uri: string;
  password?: string;
  options: string;
  expires_at: string | null;
  last_used_at: string | null;
}

interface ListJson {
  accounts: DavAccountJson[];
  pagination: { page: number; page_size: number; next_token?: string; is_cursor: boolean };
}

let addressCounter = 1;
/** A client address no other request used, so WebDAV's failure throttle never adds up across tests. */
function freshAddress(): string {
  addressCounter += 1;
  return `127.1.${Math.floor(addressCounter / 250)}.${(addressCounter % 250) + 2}`;
}

/** One WebDAV request with Basic credentials, the way a desktop client sends it. */
function dav(
  api: ApiServer,
  method: string,
  path: string,
  credentials: { email: string; password: string },
  options: { headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = {
    Authorization: `Basic ${Buffer.from(`${credentials.email}:${credentials.password}`).toString('base64')}`,
    ...options.headers,
  };
  if (options.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(options.body));
  const port = Number(new URL(api.origin).port);
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port, path, method, headers, agent: false, localAddress: freshAddress() },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

const propfind = (api: ApiServer, credentials: { email: string; password: string }) =>
  dav(api, 'PROPFIND', '/dav/', credentials, { headers: { Depth: '1' } });

/** The rows WebDAV accounts touch: accounts (not their last use), folders and files. */
async function accountState(api: ApiServer) {
  const db = api.t.app.database.db;
  return {
    accounts: await db
      .selectFrom('dav_accounts')
      .select(['id', 'user_id', 'name', 'key_id', 'secret_hash', 'root_id', 'read_only', 'expires_at'])
      .orderBy('id')
      .execute(),
    entries: await db.selectFrom('entries').select(['id', 'parent_id', 'name', 'kind']).orderBy('id').execute(),
  };
}

/** Writes a file through the vfs, creating its folders first (test setup, not under test). */
async function writeFile(api: ApiServer, principal: Principal, path: VPath, content: string): Promise<void> {
  if (path.length > 1) await api.t.app.vfs.mkdir(principal, path.slice(0, -1), { parents: true });
  await writeTop(api, principal, path, content);
}

describe.each(DIALECTS)('WebDAV accounts over the API (%s)', (dialect) => {
  const api = useApiServer(dialect);

  /** Runs requests and asserts that no account, folder or file changed. */
  const unchanged = <T>(act: () => Promise<T>) => unchangedBy(() => accountState(api), act);

  async function user() {
    const signedIn = await apiUser(api);
    const create = (json: unknown, options: CallOptions = {}) => signedIn.as<DavAccountJson>('PUT', '/devices/dav', { ...options, json });
    return { ...signedIn, email: signedIn.record.email, create };
  }

  it('creates an account that answers its generated password once and signs a PROPFIND in at once (contract 18.2, checklist 21)', async () => {
    const { as, create, email, principal } = await user();
    const created = await create({ uri: 'cloudreve://my/Photos', name: 'phone', readonly: true });
    expect(created).toMatchObject({ status: 200, code: 0, msg: '' });
    const account = created.data!;
    expect(account).toMatchObject({ name: 'phone', uri: 'cloudreve://my/Photos', options: 'AQ==', expires_at: null, last_used_at: null });
    expect(account.id).toMatch(/^[0-9A-Za-z]+$/);
    expect(account.password).toMatch(/^[0-9a-z]{32}$/);
    expect(Math.abs(Date.parse(account.created_at) - Date.now())).toBeLessThan(60_000);

    // The root folder was created; the account sees it as /dav/ and nothing above it.
    await writeFile(api, principal, ['Photos', 'beach.jpg'], 'sand');
    await writeFile(api, principal, ['secret.txt'], 'not for the phone');
    const listing = await propfind(api, { email, password: account.password! });
    expect(listing.status).toBe(207);
    expect(listing.text).toContain('beach.jpg');
    expect(listing.text).not.toContain('secret.txt');
    // Read-only (options bit 0): writes are refused.
    expect((await dav(api, 'PUT', '/dav/new.txt', { email, password: account.password! }, { body: 'x' })).status).toBe(403);
    // The login password never works over WebDAV.
    expect((await propfind(api, { email, password: 'correct horse battery' })).status).toBe(401);

    // The password is never shown again.
    const listed = await as<ListJson>('GET', '/devices/dav', { query: { page_size: 10 } });
    expect(listed.data!.accounts).toEqual([expect.objectContaining({ id: account.id, name: 'phone', options: 'AQ==' })]);
    expect(listed.data!.accounts[0]).not.toHaveProperty('password');
    expect(JSON.stringify(listed)).not.toContain(account.password);
    // The CLI's service sees the same account.
    const [stored] = await api.t.app.davAccounts.list((await api.t.app.users.get(email)).id);
    expect(stored).toMatchObject({ name: 'phone', root: '/Photos', readOnly: true });
  });

  it('an existing root folder is used as it is; the whole tree is cloudreve://my; expiry is an extension', async () => {
    const { create, email, principal } = await user();
    await writeFile(api, principal, ['Docs', 'a.txt'], 'a');
    const docs = await create({ uri: 'cloudreve://my/Docs/', name: 'laptop' });
    expect(docs.data).toMatchObject({ uri: 'cloudreve://my/Docs', options: '' });
    expect((await propfind(api, { email, password: docs.data!.password! })).text).toContain('a.txt');
    // Read-write: a write lands in the root folder.
    expect((await dav(api, 'PUT', '/dav/b.txt', { email, password: docs.data!.password! }, { body: 'b' })).status).toBe(201);
    expect((await api.t.app.vfs.stat(principal, ['Docs', 'b.txt'])).size).toBe(1);

    const expires = new Date(Date.now() + 86_400_000).toISOString();
    const whole = await create({ uri: 'cloudreve://my', name: 'desktop', expires_at: expires });
    expect(whole.data).toMatchObject({ uri: 'cloudreve://my/', expires_at: expires });
    expect((await propfind(api, { email, password: whole.data!.password! })).text).toContain('Docs');
  });

  it('lists newest first in pages of page_size (10 to 100) linked by next_token (contract 18.1)', async () => {
    const { as, create } = await user();
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await create({ uri: 'cloudreve://my', name: `device ${i}` })).data!.id);
    const first = await as<ListJson>('GET', '/devices/dav', { query: { page_size: 10 } });
    expect(first.data!.pagination).toMatchObject({ page: 0, page_size: 10, is_cursor: true });
    expect(first.data!.accounts.map((a) => a.name)).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2].map((i) => `device ${i}`));
    const second = await as<ListJson>('GET', '/devices/dav', {
      query: { page_size: 10, next_page_token: first.data!.pagination.next_token! },
    });
    expect(second.data!.accounts.map((a) => a.id)).toEqual([ids[1], ids[0]]);
    expect(second.data!.pagination.next_token).toBeUndefined();

    const bad: Array<Record<string, string | number>> = [
      {},
      { page_size: 9 },
      { page_size: 101 },
      { page_size: 'ten' },
      { page_size: 10, next_page_token: 'nope!' },
    ];
    for (const query of bad) {
      const refused = await as('GET', '/devices/dav', { query });
      expect(refused, JSON.stringify(query)).toMatchObject({ code: 40001 });
    }
    expect((await as('GET', '/devices/dav')).msg).toMatch(/page_size cannot be empty/);
  });

  it('PATCH changes name, root, read-only and expiry; the password stays and the change applies at once', async () => {
    const { as, create, email, principal } = await user();
    const created = (await create({ uri: 'cloudreve://my/One', name: 'tablet', readonly: true })).data!;
    const credentials = { email, password: created.password! };
    expect((await propfind(api, credentials)).status).toBe(207);
    await writeFile(api, principal, ['Two', 'inside-two.txt'], '2');

    const patched = await as<DavAccountJson>('PATCH', `/devices/dav/${created.id}`, {
      json: { name: 'old tablet', uri: 'cloudreve://my/Two', readonly: false },
    });
    expect(patched.code).toBe(0);
    expect(patched.data).toMatchObject({ id: created.id, name: 'old tablet', uri: 'cloudreve://my/Two', options: '' });
    expect(patched.data).not.toHaveProperty('password');
    // Same password, new root, now writable: no cache on the way hides the change.
    expect((await propfind(api, credentials)).text).toContain('inside-two.txt');
    expect((await dav(api, 'PUT', '/dav/new.txt', credentials, { body: 'n' })).status).toBe(201);

    // Fields left out stay as they are.
    const { last_used_at: _lastUse, ...unchangedFields } = patched.data!;
    expect((await as<DavAccountJson>('PATCH', `/devices/dav/${created.id}`, { json: {} })).data).toMatchObject(unchangedFields);
    const renamed = await as<DavAccountJson>('PATCH', `/devices/dav/${created.id}`, { json: { name: 'tab' } });
    expect(renamed.data).toMatchObject({ name: 'tab', uri: 'cloudreve://my/Two', options: '' });
    const expires = new Date(Date.now() + 3_600_000).toISOString();
    expect((await as<DavAccountJson>('PATCH', `/devices/dav/${created.id}`, { json: { expires_at: expires } })).data!.expires_at).toBe(
      expires,
    );
    expect((await as<DavAccountJson>('PATCH', `/devices/dav/${created.id}`, { json: { expires_at: null } })).data!.expires_at).toBeNull();
  });

  it('DELETE refuses the password on the very next request (401); unknown and foreign ids are 404 "Account not exist"', async () => {
    const owner = await user();
    const other = await user();
    const created = (await owner.create({ uri: 'cloudreve://my', name: 'old phone' })).data!;
    const credentials = { email: owner.email, password: created.password! };
    // A successful request first, so the verified credentials sit in the cache.
    expect((await propfind(api, credentials)).status).toBe(207);

    await unchanged(async () => {
      for (const id of [created.id, 'nope', 'AAAAAAAA']) {
        for (const [method, json] of [
          ['DELETE', undefined],
          ['PATCH', { name: 'stolen' }],
        ] as const) {
          const refused = await other.as(method, `/devices/dav/${id}`, { json });
          expect(refused, `${method} ${id}`).toMatchObject({ code: 404, msg: 'Account not exist' });
        }
      }
    });
    expect((await propfind(api, credentials)).status).toBe(207);

    const deleted = await owner.as('DELETE', `/devices/dav/${created.id}`);
    expect(deleted).toEqual(expect.objectContaining({ code: 0, msg: '' }));
    expect(deleted).not.toHaveProperty('data');
    expect((await propfind(api, credentials)).status).toBe(401);
    expect((await owner.as('DELETE', `/devices/dav/${created.id}`)).code).toBe(404);
    expect((await owner.as<ListJson>('GET', '/devices/dav', { query: { page_size: 10 } })).data!.accounts).toEqual([]);
  });

  it('a group without the WebDAV permission may list and delete but not create or change (40007, never 401)', async () => {
    const { as, create, record } = await user();
    const kept = (await create({ uri: 'cloudreve://my', name: 'before' })).data!;
    const group = await api.t.app.groups.create({ name: `no-dav-${dialect}`, permissions: { webdav: false } });
    await api.t.app.users.setGroup(record.id, group.id);

    await unchanged(async () => {
      const refused = await create({ uri: 'cloudreve://my/New folder', name: 'after' });
      expect(refused).toMatchObject({ code: 40007, msg: expect.stringMatching(/may not use WebDAV/) });
      const patched = await as('PATCH', `/devices/dav/${kept.id}`, { json: { uri: 'cloudreve://my/Other' } });
      expect(patched.code).toBe(40007);
    });
    expect((await as<ListJson>('GET', '/devices/dav', { query: { page_size: 10 } })).data!.accounts.map((a) => a.id)).toEqual([kept.id]);
    expect((await as('DELETE', `/devices/dav/${kept.id}`)).code).toBe(0);
  });

  it('refuses bad input with the precise code and changes nothing; anonymous callers get 401', async () => {
    const { create, principal } = await user();
    const other = await user();
    const otherId = (await other.as<{ user: { id: string } }>('GET', '/site/config/basic')).data!.user.id;
    await writeFile(api, principal, ['file.txt'], 'x');
    await create({ uri: 'cloudreve://my', name: 'taken' });

    await unchanged(async () => {
      const invalidUri = [
        'cloudreve://trash',
        'cloudreve://abc@share',
        'cloudreve://my/Photos?name=x',
        `cloudreve://${otherId}@my/Photos`,
        'https://example.test/dav',
        'Photos',
      ];
      for (const uri of invalidUri) {
        const refused = await create({ uri, name: 'bad' });
        expect(refused, uri).toMatchObject({ code: 40001, msg: expect.stringMatching(/^Invalid URI/) });
      }
      const cases: Array<[unknown, number, RegExp?]> = [
        [{ uri: 'cloudreve://my/file.txt', name: 'on a file' }, 40001, /is a file/],
        [{ uri: 'cloudreve://my/file.txt/below', name: 'below a file' }, 40016],
        [{ uri: 'cloudreve://my/a%00b', name: 'nul' }, 40052],
        [{ uri: 'cloudreve://my', name: 'taken' }, 40004, /already have a WebDAV account with this name/],
        [{ uri: 'cloudreve://my/Fresh', name: 'taken' }, 40004],
        [{ uri: 'cloudreve://my', name: '' }, 40001],
        [{ uri: 'cloudreve://my', name: '   ' }, 40001, /1 to 255 characters/],
        [{ uri: 'cloudreve://my', name: 'x'.repeat(256) }, 40001],
        [{ uri: 'cloudreve://my' }, 40001, /name cannot be empty/],
        [{ name: 'no uri' }, 40001, /uri cannot be empty/],
        [{ uri: 'cloudreve://my', name: 'ro', readonly: 'yes' }, 40001],
        [{ uri: 'cloudreve://my/Fresh', name: 'sys', disable_sys_files: true }, 40001, /disable_sys_files/],
        [{ uri: 'cloudreve://my/Fresh', name: 'past', expires_at: '2001-01-01T00:00:00Z' }, 40001, /in the future/],
        [{ uri: 'cloudreve://my/Fresh', name: 'garbage', expires_at: 'tomorrow' }, 40001],
      ];
      for (const [json, code, msg] of cases) {
        const refused = await create(json);
        expect(refused, JSON.stringify(json)).toMatchObject({ code });
        if (msg) expect(refused.msg).toMatch(msg);
      }
      expect((await create(undefined, { body: 'name=x', headers: { 'Content-Type': 'text/plain' } })).code).toBe(40001);

      // Not signed in: 401 "Login required", whatever the request.
      for (const [method, path] of [
        ['GET', '/devices/dav?page_size=10'],
        ['PUT', '/devices/dav'],
        ['PATCH', '/devices/dav/abc'],
        ['DELETE', '/devices/dav/abc'],
      ] as const) {
        const anonymous = await call(api, method, path, { json: { uri: 'cloudreve://my', name: 'anon' } });
        expect(anonymous, `${method} ${path}`).toMatchObject({ code: 401, msg: 'Login required' });
      }
    });
    // proxy is accepted and changes nothing: downloads are always streamed.
    expect((await create({ uri: 'cloudreve://my', name: 'proxied', proxy: true })).data).toMatchObject({ options: '' });
  });

  it('while the server is read-only an account may be rooted in an existing folder but creates none (403)', async () => {
    const { create, principal } = await user();
    await writeFile(api, principal, ['Existing', 'x.txt'], 'x');
    await api.t.app.settings.update({ readOnly: true });
    try {
      await unchanged(async () => {
        const refused = await create({ uri: 'cloudreve://my/Missing', name: 'new' });
        expect(refused.code).toBe(403);
      });
      expect((await create({ uri: 'cloudreve://my/Existing', name: 'existing' })).data).toMatchObject({ uri: 'cloudreve://my/Existing' });
    } finally {
      await api.t.app.settings.update({ readOnly: false });
    }
  });
});
