// Over real HTTP, on both databases: changing the tree through the API (Cloudreve V4 contract
// sections 11 to 16; checklist items 9, 11, 12 and 20) and what it answers to bad input:
// malformed JSON, wrong types, unknown URIs, other users' spaces, oversized batches and
// invalid names each get the contract's code with a readable message and change nothing.
import { describe, expect, it } from 'vitest';
import type { Principal, VPath } from '../../src/core/index.js';
import { DIALECTS } from '../support/databases.js';
import {
  PASSWORD,
  apiUser,
  call,
  unchanged as unchangedIn,
  useApiServer,
  writeFile,
  type FileJson,
  type ListJson,
} from '../support/api-server.js';

describe.each(DIALECTS)('API files over HTTP: changing (%s)', (dialect) => {
  const api = useApiServer(dialect);

  const user = () => apiUser(api);
  const write = (principal: Principal, path: VPath, content: string, mtime?: number) => writeFile(api, principal, path, content, mtime);
  const unchanged = <T>(act: () => Promise<T>) => unchangedIn(api, act);

  describe('create and rename (contract 11, 12, checklist 9, 11)', () => {
    it('creates folders with missing parents, returns an existing one again, and creates empty files', async () => {
      const { principal, as } = await user();
      // OpenList's body: error_on_conflict is not a Cloudreve key and is ignored.
      const body = { type: 'folder', uri: 'cloudreve://my/x/y/z', error_on_conflict: true };
      const first = await as<FileJson>('POST', '/file/create', { json: body });
      expect(first).toMatchObject({ code: 0, data: { type: 1, name: 'z', path: 'cloudreve://my/x/y/z' } });
      const second = await as<FileJson>('POST', '/file/create', { json: body });
      expect(second.code).toBe(0);
      expect(second.data!.id).toBe(first.data!.id);
      expect((await as('POST', '/file/create', { json: { ...body, err_on_conflict: true } })).code).toBe(40004);

      const file = await as<FileJson>('POST', '/file/create', { json: { type: 'file', uri: 'cloudreve://my/x/empty.txt' } });
      expect(file.data).toMatchObject({ type: 0, size: 0, name: 'empty.txt' });
      const { stream } = await api.t.app.vfs.read(principal, ['x', 'empty.txt']);
      let bytes = 0;
      for await (const chunk of stream) bytes += (chunk as Buffer).length;
      expect(bytes).toBe(0);
      // Again: the existing file, untouched.
      await write(principal, ['x', 'empty.txt'], 'now with content');
      const again = await as<FileJson>('POST', '/file/create', { json: { type: 'file', uri: 'cloudreve://my/x/empty.txt' } });
      expect(again.data).toMatchObject({ id: file.data!.id, size: 16 });

      // Same name, other type.
      await unchanged(async () => {
        expect((await as('POST', '/file/create', { json: { type: 'folder', uri: 'cloudreve://my/x/empty.txt' } })).code).toBe(40004);
        expect((await as('POST', '/file/create', { json: { type: 'file', uri: 'cloudreve://my/x/y' } })).code).toBe(40004);
        expect((await as('POST', '/file/create', { json: { type: 'folder', uri: 'cloudreve://my' } })).code).toBe(403);
        expect((await as('POST', '/file/create', { json: { type: 'link', uri: 'cloudreve://my/l' } })).code).toBe(40001);
        expect((await as('POST', '/file/create', { json: { uri: 'cloudreve://my/l' } })).msg).toBe('type cannot be empty');
      });
    });

    it('renames in place; 40004 onto a taken name, 40052 for invalid names, 403 on the root, 40016 when missing', async () => {
      const { principal, as } = await user();
      await api.t.app.vfs.mkdir(principal, ['dir']);
      await write(principal, ['dir', 'a.txt'], 'a');
      await write(principal, ['dir', 'b.txt'], 'b');
      const before = (await as<FileJson>('GET', '/file/info', { query: { uri: 'cloudreve://my/dir/a.txt' } })).data!;
      const renamed = await as<FileJson>('POST', '/file/rename', { json: { uri: before.path, new_name: 'c d.txt' } });
      expect(renamed.data).toMatchObject({ id: before.id, name: 'c d.txt', path: 'cloudreve://my/dir/c%20d.txt' });
      const same = await as<FileJson>('POST', '/file/rename', { json: { uri: renamed.data!.path, new_name: 'c d.txt' } });
      expect(same.code).toBe(0);

      await unchanged(async () => {
        expect((await as('POST', '/file/rename', { json: { uri: renamed.data!.path, new_name: 'b.txt' } })).code).toBe(40004);
        for (const name of ['..', '.', 'a/b', 'nul\u0000byte', 'tab\there', 'x'.repeat(256)]) {
          const response = await as('POST', '/file/rename', { json: { uri: renamed.data!.path, new_name: name } });
          expect(response.code, name).toBe(name.length > 255 ? 40001 : 40052);
        }
        expect(
          (await as('POST', '/file/rename', { json: { uri: 'cloudreve://my/dir/é'.repeat(1) + 'é'.repeat(130), new_name: 'x' } })).code,
        ).toBe(40052);
        expect((await as('POST', '/file/rename', { json: { uri: 'cloudreve://my', new_name: 'x' } })).code).toBe(403);
        expect((await as('POST', '/file/rename', { json: { uri: 'cloudreve://my/dir/none', new_name: 'x' } })).code).toBe(40016);
        expect((await as('POST', '/file/rename', { json: { uri: 'cloudreve://my/dir/b.txt', new_name: '' } })).code).toBe(40001);
        expect((await as('POST', '/file/create', { json: { type: 'folder', uri: 'cloudreve://my/dir/bad%01name' } })).code).toBe(40052);
      });
    });
  });

  describe('move, copy and delete (contract 13, 14, checklist 11, 12)', () => {
    it('moves and copies in batches, keeping names and ids on move; copies get new ids', async () => {
      const { principal, as } = await user();
      await api.t.app.vfs.mkdir(principal, ['src', 'sub'], { parents: true });
      await write(principal, ['src', 'one.txt'], '1');
      await write(principal, ['src', 'sub', 'two.txt'], '22');
      await api.t.app.vfs.mkdir(principal, ['dst']);
      const one = (await as<FileJson>('GET', '/file/info', { query: { uri: 'cloudreve://my/src/one.txt' } })).data!;

      const copied = await as('POST', '/file/move', {
        json: { uris: ['cloudreve://my/src/one.txt', 'cloudreve://my/src/sub'], dst: 'cloudreve://my/dst', copy: true },
      });
      expect(copied).toMatchObject({ code: 0, msg: '' });
      expect(copied.data).toBeUndefined();
      const copy = (await as<FileJson>('GET', '/file/info', { query: { uri: 'cloudreve://my/dst/one.txt' } })).data!;
      expect(copy.id).not.toBe(one.id);
      expect((await as<FileJson>('GET', '/file/info', { query: { uri: 'cloudreve://my/dst/sub/two.txt' } })).data!.size).toBe(2);
      expect((await as('GET', '/file/info', { query: { uri: 'cloudreve://my/src/one.txt' } })).code).toBe(0);

      await api.t.app.vfs.mkdir(principal, ['dst2']);
      const moved = await as('POST', '/file/move', { json: { uris: [one.path, 'cloudreve://my/src/sub'], dst: 'cloudreve://my/dst2' } });
      expect(moved.code).toBe(0);
      expect((await as<FileJson>('GET', '/file/info', { query: { uri: 'cloudreve://my/dst2/one.txt' } })).data!.id).toBe(one.id);
      expect((await as('GET', '/file/info', { query: { uri: one.path } })).code).toBe(40016);
      const left = await as<ListJson>('GET', '/file', { query: { uri: 'cloudreve://my/src' } });
      expect(left.data!.files).toEqual([]);
    });

    it('refuses the whole batch for a taken name (40004), a missing destination (40016) or a file destination (403)', async () => {
      const { principal, as } = await user();
      await api.t.app.vfs.mkdir(principal, ['a']);
      await api.t.app.vfs.mkdir(principal, ['b']);
      await write(principal, ['a', 'x.txt'], 'x');
      await write(principal, ['a', 'y.txt'], 'y');
      await write(principal, ['b', 'y.txt'], 'other y');
      await unchanged(async () => {
        const clash = await as('POST', '/file/move', {
          json: { uris: ['cloudreve://my/a/x.txt', 'cloudreve://my/a/y.txt'], dst: 'cloudreve://my/b' },
        });
        expect(clash.code).toBe(40004);
        const copyClash = await as('POST', '/file/move', {
          json: { uris: ['cloudreve://my/a/x.txt'], dst: 'cloudreve://my/a', copy: true },
        });
        expect(copyClash.code).toBe(40004);
        expect((await as('POST', '/file/move', { json: { uris: ['cloudreve://my/a/x.txt'], dst: 'cloudreve://my/none' } })).code).toBe(
          40016,
        );
        expect((await as('POST', '/file/move', { json: { uris: ['cloudreve://my/a/x.txt'], dst: 'cloudreve://my/b/y.txt' } })).code).toBe(
          403,
        );
      });
    });

    it('reports per-URI failures as 40081 with aggregated_error while doing the rest (checklist 11, 12)', async () => {
      const { principal, as } = await user();
      await api.t.app.vfs.mkdir(principal, ['p', 'child'], { parents: true });
      await write(principal, ['p', 'f.txt'], 'f');
      await api.t.app.vfs.mkdir(principal, ['q']);

      // A folder into its own child: 403 inside the aggregate, even alone.
      const intoItself = await unchanged(() =>
        as('POST', '/file/move', { json: { uris: ['cloudreve://my/p'], dst: 'cloudreve://my/p/child' } }),
      );
      expect(intoItself.code).toBe(40081);
      expect(intoItself.aggregated_error!['cloudreve://my/p']!.code).toBe(403);
      expect(intoItself.msg).toBe(intoItself.aggregated_error!['cloudreve://my/p']!.msg);

      const mixed = await as('POST', '/file/move', {
        json: { uris: ['cloudreve://my/p/f.txt', 'cloudreve://my/p/missing', 'cloudreve://my'], dst: 'cloudreve://my/q' },
      });
      expect(mixed).toMatchObject({ code: 40081, msg: 'One or more operation failed' });
      expect(Object.keys(mixed.aggregated_error!).sort()).toEqual(['cloudreve://my', 'cloudreve://my/p/missing']);
      expect(mixed.aggregated_error!['cloudreve://my/p/missing']!.code).toBe(40016);
      expect(mixed.aggregated_error!['cloudreve://my']!.code).toBe(403);
      expect((await as('GET', '/file/info', { query: { uri: 'cloudreve://my/q/f.txt' } })).code).toBe(0);

      // Delete: the same shape; valid URIs are still deleted.
      const deleted = await as('DELETE', '/file', {
        json: { uris: ['cloudreve://my/q/f.txt', 'cloudreve://my/nope'], unlink: false, skip_soft_delete: true },
      });
      expect(deleted.code).toBe(40081);
      expect(deleted.aggregated_error!['cloudreve://my/nope']!.code).toBe(40016);
      expect((await as('GET', '/file/info', { query: { uri: 'cloudreve://my/q/f.txt' } })).code).toBe(40016);
      const single = await as('DELETE', '/file', { json: { uris: ['cloudreve://my/nope'] } });
      expect(single).toMatchObject({ code: 40081, aggregated_error: { 'cloudreve://my/nope': { code: 40016 } } });
      const root = await as('DELETE', '/file', { json: { uris: ['cloudreve://my/'] } });
      expect(root.aggregated_error!['cloudreve://my/']!.code).toBe(403);
    });

    it('deletes files and folders with everything below; a locked target is 40073 "Lock conflict"', async () => {
      const { principal, as } = await user();
      await api.t.app.vfs.mkdir(principal, ['tree', 'deep'], { parents: true });
      await write(principal, ['tree', 'deep', 'leaf.txt'], 'leaf');
      await write(principal, ['solo.txt'], 'solo');
      const response = await as('DELETE', '/file', {
        json: { uris: ['cloudreve://my/tree', 'cloudreve://my/tree/deep/leaf.txt', 'cloudreve://my/solo.txt'], skip_soft_delete: true },
      });
      expect(response).toMatchObject({ code: 0, msg: '' });
      const root = await as<ListJson>('GET', '/file', { query: { uri: 'cloudreve://my' } });
      expect(root.data!.files).toEqual([]);

      await write(principal, ['locked.txt'], 'locked');
      await api.t.app.vfs.locks.lock(principal, ['locked.txt'], { scope: 'exclusive', depth: '0', owner: null, timeoutSeconds: 600 });
      const locked = await unchanged(() => as('DELETE', '/file', { json: { uris: ['cloudreve://my/locked.txt'] } }));
      expect(locked).toMatchObject({ code: 40073, msg: 'Lock conflict' });
      expect(Array.isArray(locked.data)).toBe(true);
      expect((await as('DELETE', '/file', { json: { uris: ['cloudreve://my/x'], unlink: true } })).code).toBe(403);
    });

    it('refuses oversized batches (40074), malformed JSON and wrong types (40001) and unknown URIs (40001), changing nothing', async () => {
      const { principal, as } = await user();
      await write(principal, ['keep.txt'], 'keep');
      await api.t.app.vfs.mkdir(principal, ['into']);
      const many = Array.from({ length: 1001 }, (_, i) => `cloudreve://my/f${i}`);
      await unchanged(async () => {
        expect((await as('DELETE', '/file', { json: { uris: ['cloudreve://my/keep.txt', ...many] } })).code).toBe(40074);
        expect(
          (await as('POST', '/file/move', { json: { uris: ['cloudreve://my/keep.txt', ...many], dst: 'cloudreve://my/into' } })).code,
        ).toBe(40074);
        const malformed = await as('DELETE', '/file', {
          body: '{"uris": ["cloudreve://my/keep.txt"',
          headers: { 'Content-Type': 'application/json' },
        });
        expect(malformed).toMatchObject({ code: 40001, msg: expect.stringMatching(/not valid JSON/) });
        expect((await as('DELETE', '/file', { json: { uris: 'cloudreve://my/keep.txt' } })).code).toBe(40001);
        expect((await as('DELETE', '/file', { json: { uris: [] } })).code).toBe(40001);
        expect((await as('DELETE', '/file', { json: { uris: [42] } })).code).toBe(40001);
        expect((await as('DELETE', '/file', { json: ['cloudreve://my/keep.txt'] })).code).toBe(40001);
        expect(
          (await as('POST', '/file/move', { json: { uris: ['cloudreve://my/keep.txt'], dst: 'cloudreve://my/into', copy: 'yes' } })).code,
        ).toBe(40001);
        for (const uri of ['http://my/keep.txt', 'cloudreve://nowhere/keep.txt', 'keep.txt', 'cloudreve://my/%FF']) {
          const response = await as('DELETE', '/file', { json: { uris: ['cloudreve://my/keep.txt', uri] } });
          expect(response, uri).toMatchObject({ code: 40001, msg: expect.stringMatching(/unknown uri/) });
          expect((await as('GET', '/file/info', { query: { uri } })).code).toBe(40001);
        }
        const share = await as('GET', '/file', { query: { uri: 'cloudreve://abc@share' } });
        expect(share).toMatchObject({ code: 404, msg: 'Shared file does not exist' });
      });
    });
  });

  describe('whose space', () => {
    it("another user's URI answers 40082 without telling whether that user or path exists; an administrator may look", async () => {
      const owner = await user();
      const other = await user();
      await write(owner.principal, ['secret.txt'], 'secret');
      const ownerId = (await owner.as<{ user: { id: string } }>('GET', '/site/config/basic')).data!.user.id;
      const probes = [
        `cloudreve://${ownerId}@my/secret.txt`,
        `cloudreve://${ownerId}@my/absent.txt`,
        'cloudreve://AAAAAAAA@my/secret.txt',
        `cloudreve://${ownerId}@my`,
      ];
      await unchanged(async () => {
        const answers = [];
        for (const uri of probes) {
          answers.push(await other.as('GET', '/file/info', { query: { uri } }));
          answers.push(await other.as('GET', '/file', { query: { uri } }));
          answers.push(await other.as('POST', '/file/rename', { json: { uri, new_name: 'mine.txt' } }));
          answers.push(await other.as('POST', '/file/create', { json: { uri: `${uri}/new`, type: 'folder' } }));
        }
        for (const answer of answers)
          expect(answer).toMatchObject({ code: 40082, msg: 'Only owner or administrator can perform this action' });
        const moved = await other.as('POST', '/file/move', { json: { uris: [probes[0]], dst: 'cloudreve://my' } });
        expect(moved.aggregated_error![probes[0]!]!.code).toBe(40082);
        const deleted = await other.as('DELETE', '/file', { json: { uris: [probes[0], probes[1]] } });
        expect(deleted.aggregated_error![probes[0]!]).toMatchObject({ code: 40082, msg: deleted.aggregated_error![probes[1]!]!.msg });
        expect(JSON.stringify(answers)).not.toContain('secret');
      });

      const { user: admin } = await api.t.newUser(undefined);
      await api.t.app.users.setGroup(admin.id, 'Admin');
      const adminToken = (
        await call<{ token: { access_token: string } }>(api, 'POST', '/session/token', { json: { email: admin.email, password: PASSWORD } })
      ).data!.token.access_token;
      const seen = await call<FileJson>(api, 'GET', '/file/info', { token: adminToken, query: { uri: probes[0]! } });
      expect(seen.data).toMatchObject({ name: 'secret.txt', path: `cloudreve://${ownerId}@my/secret.txt` });
      expect((await call(api, 'GET', '/file/info', { token: adminToken, query: { uri: 'cloudreve://AAAAAAAA@my/x' } })).code).toBe(40016);
    });

    it('a signed-in user is never answered 401: a refusal is 403', async () => {
      const { as } = await user();
      await api.t.app.settings.update({ readOnly: true });
      try {
        // Past the short caches of server switches and checked tokens.
        await new Promise((resolve) => setTimeout(resolve, 2100));
        const refused = await as('POST', '/file/create', { json: { uri: 'cloudreve://my/new', type: 'folder' } });
        expect(refused.code).toBe(403);
      } finally {
        await api.t.app.settings.update({ readOnly: false });
      }
    });
  });

  describe('capacity (contract 16, checklist 20)', () => {
    it('reports total and used bytes', async () => {
      const { user: record } = await api.t.newUser(undefined, { quota: 1000 });
      const token = (
        await call<{ token: { access_token: string } }>(api, 'POST', '/session/token', {
          json: { email: record.email, password: PASSWORD },
        })
      ).data!.token.access_token;
      await write(await api.t.app.users.principalFor(record), ['f.bin'], 'x'.repeat(300));
      const capacity = await call(api, 'GET', '/user/capacity', { token });
      expect(capacity).toMatchObject({ code: 0, data: { total: 1000, used: 300 } });
      // A copy that does not fit is 40051, inside the batch aggregate.
      for (const folder of ['c1', 'c2', 'c3'])
        await call(api, 'POST', '/file/create', { token, json: { uri: `cloudreve://my/${folder}`, type: 'folder' } });
      const copy = (folder: string) =>
        call(api, 'POST', '/file/move', { token, json: { uris: ['cloudreve://my/f.bin'], dst: `cloudreve://my/${folder}`, copy: true } });
      expect((await copy('c1')).code).toBe(0);
      expect((await copy('c2')).code).toBe(0);
      const over = await copy('c3');
      expect(over).toMatchObject({ code: 40081, aggregated_error: { 'cloudreve://my/f.bin': { code: 40051 } } });
      expect((await call(api, 'GET', '/user/capacity', { token })).data).toEqual({ total: 1000, used: 900 });
    });
  });
});
