// Over real HTTP, on both databases: the administration API's guard and its users (contract
// section 19, Cloudreve's /admin/user paths). Every /admin route is 401 without a token and
// 403 for a signed-in user whose group lacks the admin permission, before the request is even
// read. Administrators list users in pages, create them, and change email, nickname,
// password, group and status all or nothing; a disabled user is signed out everywhere at
// once. An administrator cannot lock themself out. Every refusal changes nothing.
import { beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES } from '../../src/api/index.js';
import { encodeId } from '../../src/auth/index.js';
import { DIALECTS } from '../support/databases.js';
import { PASSWORD, apiUser, call, login, useApiServer } from '../support/api-server.js';
import { unchangedBy } from '../support/inspect.js';

interface AdminUserJson {
  id: string;
  email: string;
  nickname: string;
  status: 'active' | 'manual_banned';
  created_at: string;
  updated_at: string;
  group: { id: string; name: string };
  storage_used: number;
  max_storage: number | null;
}

interface UserPage {
  users: AdminUserJson[];
  pagination: { page: number; page_size: number; next_token?: string; is_cursor: boolean; total_items: number };
}

describe.each(DIALECTS)('Administration over HTTP: guard and users (%s)', (dialect) => {
  const api = useApiServer(dialect);
  let admin: Awaited<ReturnType<typeof signedIn>>;

  beforeAll(async () => {
    admin = await signedIn('Admin');
  });

  /** A new user in a group, signed in, with a `call` that sends their token, and their opaque id. */
  async function signedIn(group = 'User') {
    const { record: user, token, as } = await apiUser(api, group);
    return { user, token, as, id: encodeId('user', user.id) };
  }

  /** Every row administration touches. */
  async function state() {
    const db = api.t.app.database.db;
    return {
      users: await db.selectFrom('users').selectAll().orderBy('id').execute(),
      groups: await db.selectFrom('groups').selectAll().orderBy('id').execute(),
      settings: await db.selectFrom('settings').selectAll().orderBy('key').execute(),
      sessions: await db.selectFrom('sessions').select(['id', 'revoked_at']).orderBy('id').execute(),
      entries: await db.selectFrom('entries').select(['id', 'owner_id']).orderBy('id').execute(),
    };
  }

  const unchanged = <T>(act: () => Promise<T>) => unchangedBy(state, act);

  it('every /admin route is 401 without a token and 403 for a non-administrator, whatever the request (never 401 when signed in)', async () => {
    const member = await signedIn();
    const adminRoutes = API_ROUTES.filter((route) => route.url.startsWith('/admin'));
    expect(adminRoutes.map((route) => `${route.method} ${route.url}`)).toEqual(
      expect.arrayContaining(['POST /admin/user', 'PUT /admin/user/:id', 'DELETE /admin/group/:id', 'PATCH /admin/settings']),
    );
    await unchanged(async () => {
      for (const route of adminRoutes) {
        const path = route.url.replace(':id', route.url.includes('group') ? encodeId('group', 1) : member.id);
        for (const json of [{ status: 'manual_banned', register_enabled: true, name: 'x' }, { garbage: [1, 2] }, undefined]) {
          const label = `${route.method} ${path} ${JSON.stringify(json)}`;
          expect(await call(api, route.method, path, { json }), label).toMatchObject({ code: 401, msg: 'Login required' });
          expect(await member.as(route.method, path, { json }), label).toMatchObject({
            code: 403,
            msg: 'Permission denied: only administrators may do this',
          });
        }
      }
    });
    // A member promoted to an admin group gets in on their next request; demoted, they are out again.
    await api.t.app.users.setGroup(member.user.id, 'Admin');
    expect((await member.as('GET', '/admin/settings')).code).toBe(0);
    await api.t.app.users.setGroup(member.user.id, 'User');
    expect((await member.as('GET', '/admin/settings')).code).toBe(403);
  });

  it('the OpenAPI document describes WebDAV accounts, sign-up and administration', async () => {
    const response = await fetch(`${api.origin}/api/v4/openapi.json`);
    const document = (await response.json()) as {
      paths: Record<string, Record<string, { tags: string[]; security: unknown[]; parameters: unknown[]; requestBody?: unknown }>>;
    };
    const operations: Array<[string, string, string]> = [
      ['/api/v4/devices/dav', 'get', 'devices'],
      ['/api/v4/devices/dav', 'put', 'devices'],
      ['/api/v4/devices/dav/{id}', 'patch', 'devices'],
      ['/api/v4/devices/dav/{id}', 'delete', 'devices'],
      ['/api/v4/user', 'post', 'user'],
      ['/api/v4/admin/user', 'post', 'admin'],
      ['/api/v4/admin/user/{id}', 'put', 'admin'],
      ['/api/v4/admin/group/{id}', 'delete', 'admin'],
      ['/api/v4/admin/settings', 'patch', 'admin'],
    ];
    for (const [path, method, tag] of operations) {
      const operation = document.paths[path]?.[method];
      expect(operation, `${method} ${path}`).toMatchObject({ tags: [tag] });
      expect(operation!.security, `${method} ${path}`).toEqual(path === '/api/v4/user' ? [] : [{ bearer: [] }]);
    }
    expect(document.paths['/api/v4/devices/dav']!.get!.parameters).toContainEqual({
      name: 'page_size',
      in: 'query',
      required: true,
      schema: { type: 'integer', minimum: 10, maximum: 100 },
    });
    expect(JSON.stringify(document.paths['/api/v4/admin/settings']!.patch!.requestBody)).toContain('register_enabled');
  });

  it('lists users in id order, in pages linked by next_token, with the total', async () => {
    for (let i = 0; i < 3; i++) await api.t.newUser();
    const total = await api.t.app.users.count();
    const seen: AdminUserJson[] = [];
    let token: string | undefined;
    do {
      const page = await admin.as<UserPage>('POST', '/admin/user', {
        json: { page: 1, page_size: 2, ...(token && { next_page_token: token }) },
      });
      expect(page.code).toBe(0);
      expect(page.data!.pagination).toMatchObject({ page_size: 2, is_cursor: true, total_items: total });
      expect(page.data!.users.length).toBeLessThanOrEqual(2);
      seen.push(...page.data!.users);
      token = page.data!.pagination.next_token;
    } while (token);
    expect(seen).toHaveLength(total);
    expect(new Set(seen.map((u) => u.id)).size).toBe(total);
    const me = seen.find((u) => u.id === admin.id)!;
    expect(me).toMatchObject({ email: admin.user.email, status: 'active', group: { name: 'Admin' }, storage_used: 0, max_storage: null });
    // No body at all is the first page of 50.
    const first = await admin.as<UserPage>('POST', '/admin/user');
    expect(first.data!.pagination.page_size).toBe(50);
    expect(first.data!.users.map((u) => u.id)).toEqual(seen.slice(0, 50).map((u) => u.id));

    for (const json of [{ page: 2 }, { page_size: 0 }, { page_size: 1001 }, { next_page_token: 'not a token' }, { page_size: 'many' }]) {
      expect((await admin.as('POST', '/admin/user', { json })).code, JSON.stringify(json)).toBe(40001);
    }
    expect((await admin.as('POST', '/admin/user', { json: { page: 2 } })).msg).toMatch(/paging is by cursor/);
  });

  it('gets one user; unknown ids are 404 "User not found"', async () => {
    const { user } = await api.t.newUser();
    const got = await admin.as<AdminUserJson>('GET', `/admin/user/${encodeId('user', user.id)}`);
    expect(got.data).toMatchObject({ email: user.email, nickname: user.displayName, group: { name: 'User' } });
    for (const id of ['nope', encodeId('user', 999_999), encodeId('group', user.id)]) {
      expect(await admin.as('GET', `/admin/user/${id}`), id).toMatchObject({ code: 404, msg: 'User not found' });
    }
  });

  it('creates users who can sign in, in the User group or the one named; refuses bad input with the precise code', async () => {
    const created = await admin.as<AdminUserJson>('PUT', '/admin/user', {
      json: { email: `Made-${dialect}@Example.test`, password: PASSWORD, nickname: 'Made' },
    });
    expect(created.data).toMatchObject({
      email: `made-${dialect}@example.test`,
      nickname: 'Made',
      status: 'active',
      group: { name: 'User' },
    });
    expect((await login(api, `made-${dialect}@example.test`)).access_token).toBeTruthy();

    const adminGroup = await api.t.app.groups.get('Admin');
    const promoted = await admin.as<AdminUserJson>('PUT', '/admin/user', {
      json: { email: `second-admin-${dialect}@example.test`, password: PASSWORD, group_id: encodeId('group', adminGroup.id) },
    });
    expect(promoted.data!.group).toEqual({ id: encodeId('group', adminGroup.id), name: 'Admin' });

    await unchanged(async () => {
      const cases: Array<[unknown, number, RegExp?]> = [
        [{ email: `made-${dialect}@example.test`, password: PASSWORD }, 40032, /already exists/],
        [{ email: 'nope', password: PASSWORD }, 40001, /Email format error/],
        [{ email: `weak-${dialect}@example.test`, password: 'short' }, 40001, /at least 8 characters/],
        [{ email: `nopass-${dialect}@example.test` }, 40001, /password cannot be empty/],
        [{ email: `group-${dialect}@example.test`, password: PASSWORD, group_id: encodeId('group', 999_999) }, 40039, /Group not found/],
        [{ email: `group2-${dialect}@example.test`, password: PASSWORD, group_id: 'not an id' }, 40039],
        [{ email: `quota-${dialect}@example.test`, password: PASSWORD, max_storage: 5 }, 40001, /max_storage/],
      ];
      for (const [json, code, msg] of cases) {
        const refused = await admin.as('PUT', '/admin/user', { json });
        expect(refused, JSON.stringify(json)).toMatchObject({ code });
        if (msg) expect(refused.msg).toMatch(msg);
      }
    });
  });

  it('changes email, nickname, group and password at once; a failing change changes nothing', async () => {
    const target = await signedIn();
    const { user: other } = await api.t.newUser();
    const family = await api.t.app.groups.create({ name: `family-${dialect}`, maxStorage: 1000 });
    const path = `/admin/user/${target.id}`;

    await unchanged(async () => {
      // A valid nickname with a taken email: neither is applied.
      const taken = await admin.as('PUT', path, { json: { nickname: 'Renamed', email: other.email } });
      expect(taken).toMatchObject({ code: 40032 });
      const cases: Array<[unknown, number]> = [
        [{ nickname: 'Renamed', group_id: encodeId('group', 999_999) }, 40039],
        [{ nickname: '   ' }, 40001],
        [{ email: 'not an email' }, 40001],
        [{ password: 'short' }, 40001],
        [{ status: 'disabled' }, 40001],
        [{ max_storage: 5 }, 40001],
      ];
      for (const [json, code] of cases) expect((await admin.as('PUT', path, { json })).code, JSON.stringify(json)).toBe(code);
      expect((await admin.as('PUT', `/admin/user/${encodeId('user', 999_999)}`, { json: { nickname: 'x' } })).code).toBe(404);
    });

    const email = `renamed-${dialect}@example.test`;
    const changed = await admin.as<AdminUserJson>('PUT', path, {
      json: { nickname: 'Renamed', email, group_id: encodeId('group', family.id), password: 'a new password' },
    });
    expect(changed.data).toMatchObject({ email, nickname: 'Renamed', group: { name: family.name }, max_storage: 1000 });
    // The quota is the group's: the user's capacity says so.
    const fresh = (await login(api, email, 'a new password')).access_token;
    expect((await call(api, 'GET', '/user/capacity', { token: fresh })).data).toEqual({ total: 1000, used: 0 });
    expect((await call(api, 'POST', '/session/token', { json: { email, password: PASSWORD } })).code).toBe(40080);
    // A password an administrator reset ends the user's older sessions at once.
    expect((await target.as('GET', '/user/capacity')).code).toBe(401);
    // Fields left out stay as they are.
    expect((await admin.as<AdminUserJson>('PUT', path, { json: {} })).data).toMatchObject({ email, nickname: 'Renamed' });
  });

  it('disabling signs the user out everywhere at once (API and WebDAV); enabling lets them back in', async () => {
    const target = await signedIn();
    const { password } = await api.t.app.davAccounts.create({ userId: target.user.id, name: 'laptop' });
    const basic = `Basic ${Buffer.from(`${target.user.email}:${password}`).toString('base64')}`;
    const propfind = () => fetch(`${api.origin}/dav/`, { method: 'PROPFIND', headers: { Authorization: basic, Depth: '0' } });
    expect((await propfind()).status).toBe(207);
    expect((await target.as('GET', '/user/capacity')).code).toBe(0);

    const disabled = await admin.as<AdminUserJson>('PUT', `/admin/user/${target.id}`, { json: { status: 'manual_banned' } });
    expect(disabled.data!.status).toBe('manual_banned');
    expect((await target.as('GET', '/user/capacity')).code).toBe(401);
    expect((await call(api, 'POST', '/session/token', { json: { email: target.user.email, password: PASSWORD } })).code).toBe(40017);
    expect((await propfind()).status).toBe(401);

    const enabled = await admin.as<AdminUserJson>('PUT', `/admin/user/${target.id}`, { json: { status: 'active' } });
    expect(enabled.data!.status).toBe('active');
    expect((await login(api, target.user.email)).access_token).toBeTruthy();
    expect((await propfind()).status).toBe(207);
  });

  it('an administrator cannot disable themself (40043) or leave the admin groups (40042); another administrator can', async () => {
    const self = await signedIn('Admin');
    const path = `/admin/user/${self.id}`;
    const userGroup = await api.t.app.groups.get('User');
    await unchanged(async () => {
      expect(await self.as('PUT', path, { json: { status: 'manual_banned' } })).toMatchObject({
        code: 40043,
        msg: 'You cannot disable your own account',
      });
      const moved = await self.as('PUT', path, { json: { nickname: 'Me', group_id: encodeId('group', userGroup.id) } });
      expect(moved).toMatchObject({ code: 40042, msg: expect.stringMatching(/without the admin permission/) });
    });
    // Their own nickname and password are theirs to change; their current session goes on.
    expect((await self.as<AdminUserJson>('PUT', path, { json: { nickname: 'Me', password: 'my new password' } })).data!.nickname).toBe(
      'Me',
    );
    expect((await self.as('GET', '/admin/settings')).code).toBe(0);
    // Another administrator may demote them.
    expect((await admin.as<AdminUserJson>('PUT', path, { json: { group_id: encodeId('group', userGroup.id) } })).data!.group.name).toBe(
      'User',
    );
    expect((await self.as('GET', '/admin/settings')).code).toBe(403);
  });
});
