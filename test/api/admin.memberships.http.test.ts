// Over real HTTP, on both databases: users join groups beside their primary one (issue 11 item
// 6: one group per shared folder) through the administration API; the primary group is never
// joined nor left this way; a group anyone joined is not deleted; non-administrators are refused.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeId } from '../../src/auth/index.js';
import { DIALECTS, tempDir } from '../support/databases.js';
import { apiUser, useApiServer } from '../support/api-server.js';

interface MountJson {
  name: string;
  read_only: boolean;
  members: number;
  dir: string;
}

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

  describe('shared folders', () => {
    const disk = tempDir('cumulus-api-mount-');
    afterAll(() => disk.remove());

    it('adds a shared folder, members reach it through the files API, read-only refuses uploads precisely, and it is removed', async () => {
      writeFileSync(path.join(disk.path, 'hello.txt'), 'hello');
      const name = `Library-${dialect}`;
      const created = await admin.as<MountJson>('PUT', '/admin/mount', { json: { name, dir: disk.path, read_only: true } });
      expect(created.data).toMatchObject({ name, read_only: true, members: 0 });
      expect((await admin.as('PUT', '/admin/mount', { json: { name, dir: disk.path } })).code).not.toBe(0);
      expect((await admin.as('PUT', '/admin/mount', { json: { name: 'x', dir: path.join(disk.path, 'nope') } })).code).not.toBe(0);

      const member = await apiUser(api);
      const group = await api.t.app.groups.get(name);
      await admin.as('PUT', `/admin/user/${encodeId('user', member.record.id)}/group`, { json: { group_id: encodeId('group', group.id) } });
      const listed = await member.as<{ files: Array<{ name: string }> }>('GET', '/file', { query: { uri: `cloudreve://my/${name}` } });
      expect(listed.data!.files.map((f) => f.name)).toEqual(['hello.txt']);

      // Read-only: the vfs's ReadOnly answer, with the shared folder named, and nothing on disk.
      const refused = await api.t.app.vfs
        .write(member.principal, [name, 'new.txt'], Readable.from([Buffer.from('x')]))
        .catch((error: Error) => error);
      expect(String(refused)).toMatch(new RegExp(`shared folder "${name}" is read-only`));
      const mkdir = await member.as('POST', '/file/create', { json: { uri: `cloudreve://my/${name}/sub`, type: 'folder' } });
      expect(mkdir.code).toBe(403);
      expect(mkdir.msg).toMatch(/read-only/);

      expect((await admin.as<MountJson>('PATCH', `/admin/mount/${name}`, { json: { read_only: false } })).data).toMatchObject({
        read_only: false,
        members: 1,
      });
      expect((await member.as('POST', '/file/create', { json: { uri: `cloudreve://my/${name}/sub`, type: 'folder' } })).code).toBe(0);

      expect((await admin.as<{ mounts: MountJson[] }>('GET', '/admin/mount')).data!.mounts.map((m) => m.name)).toContain(name);
      expect((await member.as('GET', '/admin/mount')).code).toBe(403);
      expect((await admin.as('DELETE', `/admin/mount/${name}`)).code).toBe(0);
      expect(readFileSync(path.join(disk.path, 'hello.txt'), 'utf8')).toBe('hello');
      expect((await member.as('GET', '/file', { query: { uri: `cloudreve://my/${name}` } })).code).not.toBe(0);
    });
    it('lists the members of a shared folder, primary and joined, in one request', async () => {
      const name = `Members-${dialect}`;
      expect((await admin.as('PUT', '/admin/mount', { json: { name, dir: disk.path } })).code).toBe(0);
      const group = await api.t.app.groups.get(name);
      const joined = await apiUser(api);
      await admin.as('PUT', `/admin/user/${encodeId('user', joined.record.id)}/group`, { json: { group_id: encodeId('group', group.id) } });
      const primary = await api.t.app.users.create({
        email: `primary-${dialect}@example.test`,
        password: 'correct horse battery',
        group: name,
      });
      await apiUser(api); // not a member
      const listed = await admin.as<{ members: Array<{ id: string; email: string; primary: boolean }> }>(
        'GET',
        `/admin/mount/${name}/member`,
      );
      const expected = [
        [encodeId('user', joined.record.id), joined.record.email, false],
        [encodeId('user', primary.id), primary.email, true],
      ].sort((a, b) => String(a[1]).localeCompare(String(b[1])));
      expect(listed.data!.members.map((m) => [m.id, m.email, m.primary])).toEqual(expected);
      expect((await admin.as('GET', '/admin/mount/No-such-mount/member')).code).not.toBe(0);
      expect((await joined.as('GET', `/admin/mount/${name}/member`)).code).toBe(403);
    });
  });
});
