// Over real HTTP, on both databases: reading the tree through the API (Cloudreve V4 contract
// sections 4, 6, 7 and 8; checklist items 6 to 8, 10 and 18): cursor paging in every order,
// FileResponse paths that address the same object again, URIs read the way Cloudreve reads them.
import { describe, expect, it } from 'vitest';
import type { Principal, VPath } from '../../src/core/index.js';
import { DIALECTS } from '../support/databases.js';
import { apiUser, useApiServer, writeFile, type ApiResponse, type FileJson, type ListJson } from '../support/api-server.js';

describe.each(DIALECTS)('API files over HTTP: reading (%s)', (dialect) => {
  const api = useApiServer(dialect);

  const user = () => apiUser(api);
  const write = (principal: Principal, path: VPath, content: string, mtime?: number) => writeFile(api, principal, path, content, mtime);

  describe('listing (contract 7, checklist 6)', () => {
    it('pages 250 children 100, 100, 50 via next_token, folders first, in every order and direction', async () => {
      const { principal, as } = await user();
      await api.t.app.vfs.mkdir(principal, ['big']);
      const base = Date.UTC(2025, 0, 1);
      for (let i = 0; i < 50; i++) {
        await api.t.app.vfs.mkdir(principal, ['big', `d-${String(i).padStart(3, '0')}`], { mtime: base + ((i * 7) % 13) * 1000 });
      }
      for (let i = 0; i < 200; i++) {
        await write(principal, ['big', `f-${String(i).padStart(3, '0')}`], 'x'.repeat((i * 31) % 17), base + ((i * 37) % 50) * 1000);
      }
      const all = (await api.t.app.vfs.list(principal, ['big'], { limit: 5000 })).entries;
      expect(all).toHaveLength(250);

      const keys = {
        name: (e: (typeof all)[number]) => e.name,
        size: (e: (typeof all)[number]) => e.size,
        updated_at: (e: (typeof all)[number]) => e.mtime,
        created_at: (e: (typeof all)[number]) => e.ctime,
      };
      for (const [orderBy, key] of Object.entries(keys)) {
        for (const direction of ['asc', 'desc'] as const) {
          const sign = direction === 'asc' ? 1 : -1;
          const sorted = (kind: string) =>
            all
              .filter((e) => e.kind === kind)
              .sort((a, b) => {
                const [x, y] = [key(a), key(b)];
                return sign * (x < y ? -1 : x > y ? 1 : a.id - b.id);
              })
              .map((e) => e.name);
          const expected = [...sorted('folder'), ...sorted('file')];

          const names: string[] = [];
          const sizes: number[] = [];
          let token: string | undefined;
          do {
            const page: ApiResponse<ListJson> = await as<ListJson>('GET', '/file', {
              query: {
                uri: 'cloudreve://my/big',
                page: 0,
                page_size: 100,
                order_by: orderBy,
                order_direction: direction,
                ...(token && { next_page_token: token }),
              },
            });
            expect(page.code, page.msg).toBe(0);
            expect(page.data!.pagination).toMatchObject({ page: 0, page_size: 100, is_cursor: true });
            sizes.push(page.data!.files.length);
            names.push(...page.data!.files.map((f) => f.name));
            token = page.data!.pagination.next_token;
          } while (token);
          expect(sizes, `${orderBy} ${direction}`).toEqual([100, 100, 50]);
          expect(names, `${orderBy} ${direction}`).toEqual(expected);
        }
      }
    });

    it('describes each child as a FileResponse whose path is the parent path plus the escaped name (checklist 7)', async () => {
      const { as } = await user();
      expect((await as('POST', '/file/create', { json: { uri: 'cloudreve://my/Docs', type: 'folder' } })).code).toBe(0);
      // OpenList appends raw names to the parent's path (contract 4.4).
      const names = ['a b', '100%', 'x+y&z', 'hash#tag', '新文件.docx', "it's (1)!"];
      for (const name of names) {
        const created = await as<FileJson>('POST', '/file/create', { json: { uri: `cloudreve://my/Docs/${name}`, type: 'file' } });
        expect(created.code, created.msg).toBe(0);
        expect(created.data!.name).toBe(name);
      }
      const listed = await as<ListJson>('GET', '/file', { query: { uri: 'cloudreve://my/Docs' } });
      expect(listed.data!.parent).toMatchObject({ type: 1, name: 'Docs', path: 'cloudreve://my/Docs' });
      expect(listed.data!.pagination.next_token).toBeUndefined();
      const byName = new Map(listed.data!.files.map((f) => [f.name, f]));
      expect([...byName.keys()].sort()).toEqual([...names].sort());
      expect(byName.get('a b')!.path).toBe('cloudreve://my/Docs/a%20b');
      expect(byName.get('x+y&z')!.path).toBe('cloudreve://my/Docs/x%2By%26z');
      expect(byName.get('hash#tag')!.path).toBe('cloudreve://my/Docs/hash%23tag');
      expect(byName.get('100%')!.path).toBe('cloudreve://my/Docs/100%25');
      expect(byName.get('新文件.docx')!.path).toBe('cloudreve://my/Docs/%E6%96%B0%E6%96%87%E4%BB%B6.docx');
      expect(byName.get("it's (1)!")!.path).toBe("cloudreve://my/Docs/it's%20(1)!");
      for (const file of listed.data!.files) {
        expect(file).toMatchObject({ type: 0, size: 0, metadata: null });
        expect(file.id).toMatch(/^[0-9A-Za-z]+$/);
        expect(Number.isNaN(Date.parse(file.created_at))).toBe(false);
        expect(Number.isNaN(Date.parse(file.updated_at))).toBe(false);
        // The returned path addresses the same object.
        const info = await as<FileJson>('GET', '/file/info', { query: { uri: file.path } });
        expect(info.data?.id).toBe(file.id);
      }
      // The root renders as cloudreve://my/ (contract 4.2).
      const root = await as<ListJson>('GET', '/file', { query: { uri: 'cloudreve://my' } });
      expect(root.data!.parent.path).toBe('cloudreve://my/');
      expect(root.data!.files.find((f) => f.name === 'Docs')!.path).toBe('cloudreve://my/Docs');
    });

    it('answers 40016 for a missing folder or a file, and caps page_size at 2000', async () => {
      const { principal, as } = await user();
      await write(principal, ['file.txt'], 'x');
      expect((await as('GET', '/file', { query: { uri: 'cloudreve://my/missing' } })).code).toBe(40016);
      expect((await as('GET', '/file', { query: { uri: 'cloudreve://my/missing/deeper' } })).code).toBe(40016);
      expect((await as('GET', '/file', { query: { uri: 'cloudreve://my/file.txt' } })).code).toBe(40016);
      expect((await as('GET', '/file', { query: { uri: 'cloudreve://my/file.txt/x' } })).code).toBe(40016);
      const capped = await as<ListJson>('GET', '/file', { query: { uri: 'cloudreve://my', page_size: 100000 } });
      expect(capped.data!.pagination.page_size).toBe(2000);
      const zero = await as<ListJson>('GET', '/file', { query: { uri: 'cloudreve://my', page_size: 0 } });
      expect(zero.data!.pagination.page_size).toBe(100);
      expect((await as('GET', '/file', { query: { uri: 'cloudreve://my', page_size: -1 } })).code).toBe(40001);
      expect((await as('GET', '/file', { query: { uri: 'cloudreve://my', next_page_token: 'garbage' } })).code).toBe(40001);
      // A query string is a search (test/api/search.http.test.ts); a malformed condition is 40001.
      expect((await as('GET', '/file', { query: { uri: 'cloudreve://my?type=x' } })).code).toBe(40001);
      expect((await as('GET', '/file')).msg).toBe('uri cannot be empty');
    });
  });

  describe('presentation that holds for any stored row (review findings)', () => {
    it('clamps times beyond what a Date holds instead of failing the whole listing (contract 3.3)', async () => {
      const { principal, as } = await user();
      await api.t.app.vfs.mkdir(principal, ['odd']);
      await write(principal, ['odd', 'far.txt'], 'far');
      await write(principal, ['odd', 'fine.txt'], 'fine', Date.UTC(2025, 0, 2));
      // Written before the vfs refused such times (or by another tool): the row is as it is.
      const far = await api.t.app.vfs.stat(principal, ['odd', 'far.txt']);
      await api.t.app.database.db
        .updateTable('entries')
        .set({ mtime: Number.MAX_SAFE_INTEGER, ctime: -Number.MAX_SAFE_INTEGER })
        .where('id', '=', far.id)
        .execute();
      const listed = await as<ListJson>('GET', '/file', { query: { uri: 'cloudreve://my/odd' } });
      expect(listed.code, listed.msg).toBe(0);
      expect(listed.data!.files.map((f) => [f.name, f.created_at, f.updated_at])).toEqual([
        ['far.txt', '0000-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z'],
        ['fine.txt', expect.any(String), '2025-01-02T00:00:00.000Z'],
      ]);
      const info = await as<FileJson>('GET', '/file/info', { query: { uri: 'cloudreve://my/odd/far.txt' } });
      expect(info.data).toMatchObject({ updated_at: '9999-12-31T23:59:59.999Z', created_at: '0000-01-01T00:00:00.000Z' });
    });

    it('names the storage policy an upload into a folder of `my` would use; none for a share (contract 7.3)', async () => {
      const { principal, as } = await user();
      await api.t.app.vfs.mkdir(principal, ['up']);
      const policy = { id: String(api.t.app.defaultPolicyId), name: 'Default local storage', type: 'local', max_size: 0 };
      for (const uri of ['cloudreve://my', 'cloudreve://my/up']) {
        const listed = await as<ListJson & { storage_policy?: unknown }>('GET', '/file', { query: { uri } });
        expect(listed.data!.storage_policy, uri).toEqual(policy);
      }
      const link = await as<string>('PUT', '/share', { json: { uri: 'cloudreve://my/up' } });
      const key = /\/s\/([0-9A-Za-z]+)$/.exec(link.data!)![1]!;
      const shared = await as<ListJson & { storage_policy?: unknown }>('GET', '/file', { query: { uri: `cloudreve://${key}@share` } });
      expect(shared.code, shared.msg).toBe(0);
      expect(shared.data!.storage_policy).toBeUndefined();
    });
  });

  describe('info (contract 8, checklist 8, 10, 18)', () => {
    it('stats files and folders, with folder_summary on request; 40016 when missing, 403 on the root', async () => {
      const { principal, as } = await user();
      await api.t.app.vfs.mkdir(principal, ['photos', '2024', 'june'], { parents: true });
      await write(principal, ['photos', 'a.jpg'], '12345');
      await write(principal, ['photos', '2024', 'b.jpg'], '1234567');
      await write(principal, ['photos', '2024', 'june', 'c.jpg'], '123');

      const file = await as<FileJson>('GET', '/file/info', { query: { uri: 'cloudreve://my/photos/a.jpg' } });
      expect(file.data).toMatchObject({ type: 0, name: 'a.jpg', size: 5, path: 'cloudreve://my/photos/a.jpg', metadata: null });
      expect(file.data!.folder_summary).toBeUndefined();

      const plain = await as<FileJson>('GET', '/file/info', { query: { uri: 'cloudreve://my/photos' } });
      expect(plain.data).toMatchObject({ type: 1, size: 0 });
      expect(plain.data!.folder_summary).toBeUndefined();
      const summed = await as<FileJson>('GET', '/file/info', { query: { uri: 'cloudreve://my/photos', folder_summary: true } });
      expect(summed.data!.folder_summary).toMatchObject({ size: 15, files: 3, folders: 2, completed: true });

      expect((await as('GET', '/file/info', { query: { uri: 'cloudreve://my/nothing' } })).code).toBe(40016);
      expect((await as('GET', '/file/info', { query: { uri: 'cloudreve://my/nothing/below' } })).code).toBe(40016);
      expect((await as('GET', '/file/info', { query: { uri: 'cloudreve://my/photos/a.jpg/below' } })).code).toBe(40016);
      for (const root of ['cloudreve://my', 'cloudreve://my/', 'cloudreve://my//']) {
        expect((await as('GET', '/file/info', { query: { uri: root } })).code).toBe(403);
      }
      expect((await as('GET', '/file/info', { query: { uri: 'cloudreve://my/photos', folder_summary: 'maybe' } })).code).toBe(40001);
      // By id (test/api/search.http.test.ts): the same object.
      expect((await as<FileJson>('GET', '/file/info', { query: { id: file.data!.id } })).data?.id).toBe(file.data!.id);
      expect((await as('GET', '/file/info')).msg).toBe('uri cannot be empty');
    });

    it('reads URIs as Cloudreve does: // collapses, dot segments resolve, %XX decodes once more after the query string', async () => {
      const { principal, as } = await user();
      await api.t.app.vfs.mkdir(principal, ['a']);
      await write(principal, ['a', 'b c'], 'x');
      const id = (await as<FileJson>('GET', '/file/info', { query: { uri: 'cloudreve://my/a/b c' } })).data!.id;
      for (const uri of ['cloudreve://my//a/b%20c', 'cloudreve://MY/a/./b%20c', 'cloudreve://my/x/../a/b c', 'CLOUDREVE://my/a//b%20c/']) {
        const info = await as<FileJson>('GET', '/file/info', { query: { uri } });
        expect(info.data?.id, uri).toBe(id);
      }
      // `%2520` on the wire is `%20` in the URI, a space in the name (checklist 10).
      const raw = await as<FileJson>('GET', '/file/info?uri=cloudreve%3A%2F%2Fmy%2Fa%2Fb%2520c');
      expect(raw.data?.id).toBe(id);
      // Our own id in the user part is our own space.
      const ownId = (await as<{ user: { id: string } }>('GET', '/site/config/basic')).data!.user.id;
      expect((await as<FileJson>('GET', '/file/info', { query: { uri: `cloudreve://${ownId}@my/a/b c` } })).data?.id).toBe(id);
    });
  });
});
