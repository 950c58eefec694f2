// Over real HTTP, on both databases: groups and server switches through the administration
// API (contract section 19, Cloudreve's /admin/group and /admin/settings). Permissions and
// quotas set here take effect for the group's members at once; built-in groups are never
// deleted or renamed and Admin keeps the admin permission (40040); a group with members is
// not deleted (40041). The switches are the ones `cumulus settings` flips. Every refusal
// changes nothing.
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeId } from '../../src/auth/index.js';
import { DIALECTS } from '../support/databases.js';
import { apiUser, call, useApiServer } from '../support/api-server.js';
import { unchangedBy } from '../support/inspect.js';

interface GroupJson {
  id: string;
  name: string;
  built_in: boolean;
  permissions: { webdav: boolean; share: boolean; versions: boolean; admin: boolean };
  max_storage: number | null;
  created_at: string;
  total_users?: number;
}

interface SettingsJson {
  webdav_enabled: boolean;
  read_only: boolean;
  register_enabled: boolean;
  nextcloud_enabled: boolean;
}

describe.each(DIALECTS)('Administration over HTTP: groups and settings (%s)', (dialect) => {
  const api = useApiServer(dialect);
  let admin: Awaited<ReturnType<typeof signedIn>>;

  beforeAll(async () => {
    admin = await signedIn('Admin');
  });

  const signedIn = (group: string | number = 'User') => apiUser(api, group);

  async function state() {
    const db = api.t.app.database.db;
    return {
      users: await db.selectFrom('users').selectAll().orderBy('id').execute(),
      groups: await db.selectFrom('groups').selectAll().orderBy('id').execute(),
      settings: await db.selectFrom('settings').selectAll().orderBy('key').execute(),
    };
  }

  const unchanged = <T>(act: () => Promise<T>) => unchangedBy(state, act);

  const groupPath = (id: number) => `/admin/group/${encodeId('group', id)}`;

  it('lists every group and gets one with its member count', async () => {
    const listed = await admin.as<{ groups: GroupJson[] }>('POST', '/admin/group');
    expect(listed.code).toBe(0);
    expect(listed.data!.groups.slice(0, 3)).toEqual([
      expect.objectContaining({ name: 'Admin', built_in: true, permissions: { webdav: true, share: true, versions: true, admin: true } }),
      expect.objectContaining({ name: 'User', built_in: true, permissions: expect.objectContaining({ admin: false }) }),
      expect.objectContaining({ name: 'Anonymous', built_in: true }),
    ]);
    expect((await admin.as<{ groups: GroupJson[] }>('POST', '/admin/group', { json: {} })).data!.groups).toEqual(listed.data!.groups);

    const adminGroup = await api.t.app.groups.get('Admin');
    const got = await admin.as<GroupJson>('GET', groupPath(adminGroup.id));
    expect(got.data).toMatchObject({ id: encodeId('group', adminGroup.id), name: 'Admin', total_users: 1 });
    for (const id of ['nope', encodeId('group', 999_999)]) {
      expect(await admin.as('GET', `/admin/group/${id}`), id).toMatchObject({ code: 40039, msg: 'Group not found' });
    }
  });

  it("creates a group and changes its permissions and quota, which its members' requests obey at once", async () => {
    const created = await admin.as<GroupJson>('PUT', '/admin/group', {
      json: { name: `Family-${dialect}`, permissions: { webdav: true, share: true }, max_storage: 2048 },
    });
    expect(created.data).toMatchObject({
      name: `Family-${dialect}`,
      built_in: false,
      permissions: { webdav: true, share: true, versions: false, admin: false },
      max_storage: 2048,
      total_users: 0,
    });
    const group = await api.t.app.groups.get(`Family-${dialect}`);
    const member = await signedIn(group.id);
    expect((await member.as('GET', '/user/capacity')).data).toEqual({ total: 2048, used: 0 });
    expect((await member.as('PUT', '/devices/dav', { json: { uri: 'cloudreve://my', name: 'laptop' } })).code).toBe(0);

    const changed = await admin.as<GroupJson>('PUT', groupPath(group.id), {
      json: { name: `Kin-${dialect}`, permissions: { webdav: false }, max_storage: null },
    });
    expect(changed.data).toMatchObject({
      name: `Kin-${dialect}`,
      permissions: { webdav: false, share: true, versions: false, admin: false },
      max_storage: null,
      total_users: 1,
    });
    // WebDAV is now refused to the member (40007); permissions left out stayed as they were.
    expect((await member.as('PUT', '/devices/dav', { json: { uri: 'cloudreve://my', name: 'phone' } })).code).toBe(40007);
    // An empty change changes nothing.
    expect((await admin.as<GroupJson>('PUT', groupPath(group.id), { json: {} })).data).toEqual(changed.data);
  });

  it('refuses bad input, unknown groups and changes to built-in groups with the precise code', async () => {
    const ops = await api.t.app.groups.create({ name: `Ops-${dialect}`, permissions: { admin: true } });
    // A second administrator outside the Admin group, so that Admin's own permission can be asked about.
    const opsAdmin = await signedIn(ops.id);
    const adminGroup = await api.t.app.groups.get('Admin');
    const userGroup = await api.t.app.groups.get('User');
    await unchanged(async () => {
      const creates: Array<[unknown, number, RegExp?]> = [
        [{ name: '' }, 40001],
        [{ name: '   ' }, 40001, /1 to 64 characters/],
        [{ name: 'x'.repeat(65) }, 40001],
        [{ name: 'User' }, 40004, /already exists/],
        [{ name: `Quota-${dialect}`, max_storage: -1 }, 40001],
        [{ name: `Quota-${dialect}`, max_storage: 1.5 }, 40001],
        [{ name: `Perm-${dialect}`, permissions: { webdav: 'yes' } }, 40001],
        [{ name: `Perm-${dialect}`, permissions: { delete_everything: true } }, 40001, /delete_everything/],
        [{ name: `Policy-${dialect}`, storage_policy_ids: [1] }, 40001, /storage_policy_ids/],
        [{ permissions: {} }, 40001, /name cannot be empty/],
      ];
      for (const [json, code, msg] of creates) {
        const refused = await admin.as('PUT', '/admin/group', { json });
        expect(refused, JSON.stringify(json)).toMatchObject({ code });
        if (msg) expect(refused.msg).toMatch(msg);
      }
      expect((await admin.as('PUT', groupPath(999_999), { json: { name: 'Ghost' } })).code).toBe(40039);
      expect((await admin.as('PUT', groupPath(ops.id), { json: { name: 'Admin' } })).code).toBe(40004);
      // Built-in groups keep their names; Admin keeps the admin permission (40040).
      const renamed = await admin.as('PUT', groupPath(userGroup.id), { json: { name: 'Users' } });
      expect(renamed).toMatchObject({ code: 40040, msg: expect.stringMatching(/cannot be renamed/) });
      const stripped = await opsAdmin.as('PUT', groupPath(adminGroup.id), { json: { permissions: { admin: false } } });
      expect(stripped).toMatchObject({ code: 40040, msg: expect.stringMatching(/always has the admin permission/) });
      // Nobody takes the admin permission from their own group (40043).
      const own = await opsAdmin.as('PUT', groupPath(ops.id), { json: { permissions: { admin: false, share: true } } });
      expect(own).toMatchObject({ code: 40043, msg: expect.stringMatching(/your own group/) });
    });
    // Another administrator may; the Ops member is then no administrator any more.
    expect((await admin.as<GroupJson>('PUT', groupPath(ops.id), { json: { permissions: { admin: false } } })).data!.permissions.admin).toBe(
      false,
    );
    expect((await opsAdmin.as('POST', '/admin/group')).code).toBe(403);
  });

  it('deletes a group only when it is not built in (40040) and no user belongs to it (40041)', async () => {
    const group = await api.t.app.groups.create({ name: `Temp-${dialect}` });
    const { user } = await api.t.newUser();
    await api.t.app.users.setGroup(user.id, group.id);
    await unchanged(async () => {
      for (const name of ['Admin', 'User', 'Anonymous']) {
        const builtIn = await api.t.app.groups.get(name);
        const refused = await admin.as('DELETE', groupPath(builtIn.id));
        expect(refused, name).toMatchObject({ code: 40040, msg: expect.stringMatching(/cannot be deleted/) });
      }
      const inUse = await admin.as('DELETE', groupPath(group.id));
      expect(inUse).toMatchObject({ code: 40041, msg: expect.stringMatching(/^1 user\(s\) still belong/) });
      expect((await admin.as('DELETE', groupPath(999_999))).code).toBe(40039);
      expect((await admin.as('DELETE', '/admin/group/nope')).code).toBe(40039);
    });
    await api.t.app.users.setGroup(user.id, 'User');
    const deleted = await admin.as('DELETE', groupPath(group.id));
    expect(deleted).toMatchObject({ code: 0, msg: '' });
    expect((await admin.as('GET', groupPath(group.id))).code).toBe(40039);
    await expect(api.t.app.groups.get(`Temp-${dialect}`)).rejects.toThrow(/No group/);
  });

  it('reads and flips the server switches, which every surface obeys at once', async () => {
    const member = await signedIn();
    const { password } = await api.t.app.davAccounts.create({ userId: member.record.id, name: 'laptop' });
    const basic = `Basic ${Buffer.from(`${member.record.email}:${password}`).toString('base64')}`;
    const propfind = () => fetch(`${api.origin}/dav/`, { method: 'PROPFIND', headers: { Authorization: basic, Depth: '0' } });

    expect((await admin.as<SettingsJson>('GET', '/admin/settings')).data).toEqual({
      webdav_enabled: true,
      read_only: false,
      register_enabled: false,
      nextcloud_enabled: true,
    });
    try {
      const flipped = await admin.as<SettingsJson>('PATCH', '/admin/settings', { json: { webdav_enabled: false, register_enabled: true } });
      expect(flipped.data).toEqual({ webdav_enabled: false, read_only: false, register_enabled: true, nextcloud_enabled: true });
      expect((await propfind()).status).toBe(403);
      expect((await call(api, 'GET', '/site/config/login')).data).toMatchObject({ register_enabled: true });
      expect(await api.t.app.settings.switches()).toMatchObject({ webdavEnabled: false, registrationEnabled: true });

      const readOnly = await admin.as<SettingsJson>('PATCH', '/admin/settings', { json: { read_only: true, webdav_enabled: true } });
      expect(readOnly.data).toEqual({ webdav_enabled: true, read_only: true, register_enabled: true, nextcloud_enabled: true });
      const write = await member.as('POST', '/file/create', { json: { uri: 'cloudreve://my/new', type: 'folder' } });
      expect(write.code).toBe(403);
      expect((await propfind()).status).toBe(207);

      await unchanged(async () => {
        for (const json of [{ read_only: 'no' }, { maintenance: true }, { webdav: false }, [], 'true']) {
          expect((await admin.as('PATCH', '/admin/settings', { json })).code, JSON.stringify(json)).toBe(40001);
        }
        expect((await admin.as('PATCH', '/admin/settings', { json: { maintenance: true } })).msg).toMatch(/maintenance/);
      });
    } finally {
      // Read-only mode never locks the administrator out of turning it off again.
      const restored = await admin.as<SettingsJson>('PATCH', '/admin/settings', {
        json: { webdav_enabled: true, read_only: false, register_enabled: false },
      });
      expect(restored.data).toEqual({ webdav_enabled: true, read_only: false, register_enabled: false, nextcloud_enabled: true });
    }
    expect((await call(api, 'GET', '/site/config/login')).data).not.toHaveProperty('register_enabled');
  });
});
