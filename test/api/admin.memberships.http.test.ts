// Over real HTTP, on both databases: users join groups beside their primary one (issue 11 item
// 6: one group per shared folder) through the administration API; the primary group is never
// joined nor left this way; a group anyone joined is not deleted; non-administrators are refused.
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeId } from '../../src/auth/index.js';
import { DIALECTS } from '../support/databases.js';
import { apiUser, useApiServer } from '../support/api-server.js';

interface Memberships {
  groups: Array<{ id: string; name: string; primary: boolean }>;
}

describe.each(DIALECTS)('Administration over HTTP: group memberships (%s)', (dialect) => {
  const api = useApiServer(dialect);
  let admin: Awaited<ReturnType<typeof apiUser>>;

  beforeAll(async () => {
    admin = await apiUser(api, 'Admin');
  });

  it('joins and leaves groups, keeps the primary group first, and refuses what makes no sense', async () => {
    const member = await apiUser(api);
    const photos = await api.t.app.groups.create({ name: `Photos-${dialect}` });
    const music = await api.t.app.groups.create({ name: `Music-${dialect}` });
    const base = `/admin/user/${encodeId('user', member.record.id)}/group`;

    const joined = await admin.as<Memberships>('PUT', base, { json: { group_id: encodeId('group', photos.id) } });
    expect(joined.code).toBe(0);
    await admin.as('PUT', base, { json: { group_id: encodeId('group', music.id) } });
    const listed = await admin.as<Memberships>('GET', base);
    expect(listed.data!.groups.map((g) => [g.name, g.primary])).toEqual([
      ['User', true],
      [photos.name, false],
      [music.name, false],
    ]);

    // Twice, or the primary group: refused, nothing changes.
    expect((await admin.as('PUT', base, { json: { group_id: encodeId('group', photos.id) } })).code).not.toBe(0);
    const user = await api.t.app.groups.get('User');
    expect((await admin.as('PUT', base, { json: { group_id: encodeId('group', user.id) } })).code).not.toBe(0);
    expect((await admin.as('DELETE', `${base}/${encodeId('group', user.id)}`)).code).not.toBe(0);
    expect((await admin.as('PUT', base, { json: { group_id: 'nope' } })).code).toBe(40039);

    // A group someone joined counts them as members and is not deleted.
    expect(await api.t.app.groups.memberCount(photos.id)).toBe(1);
    await expect(api.t.app.groups.delete(photos.id)).rejects.toThrow(/still belong/);

    const left = await admin.as<Memberships>('DELETE', `${base}/${encodeId('group', photos.id)}`);
    expect(left.data!.groups.map((g) => g.name)).toEqual(['User', music.name]);
    expect((await admin.as('DELETE', `${base}/${encodeId('group', photos.id)}`)).code).not.toBe(0);
    await api.t.app.groups.delete(photos.id);

    // Only administrators.
    expect((await member.as('GET', base)).code).toBe(403);
  });
});
