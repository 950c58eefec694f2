// Over real HTTP, on both databases: reaching files other than by path. `/file/info?id=`
// (Cloudreve V4 contract 8.1) for the owner and administrators only, and searching below a
// folder with a query string in the listed URI (contract 4.1 and 7): names, types, categories,
// sizes and times, paged by cursor; malformed conditions are 40001 and nothing leaks across users.
import { describe, expect, it } from 'vitest';
import { encodeId } from '../../src/auth/index.js';
import type { Principal, VPath } from '../../src/core/index.js';
import { DIALECTS } from '../support/databases.js';
import { PASSWORD, apiUser, call, login, useApiServer, writeFile, type FileJson, type ListJson } from '../support/api-server.js';

describe.each(DIALECTS)('API look-ups over HTTP (%s)', (dialect) => {
  const api = useApiServer(dialect);

  const user = () => apiUser(api);
  const mkdir = (principal: Principal, path: VPath) => api.t.app.vfs.mkdir(principal, path, { parents: true });
  /** Writes a file, creating its folders. */
  const write = async (principal: Principal, path: VPath, content: string, mtime?: number) => {
    await mkdir(principal, path.slice(0, -1));
    await writeFile(api, principal, path, content, mtime);
  };

  describe('GET /file/info?id= (contract 8.1)', () => {
    it('answers the same FileResponse as by uri, for files and folders, with folder_summary', async () => {
      const { principal, as } = await user();
      await write(principal, ['Docs', 'a b.txt'], 'hello');
      await write(principal, ['Docs', 'sub', 'c.txt'], 'abc');
      for (const uri of ['cloudreve://my/Docs/a%20b.txt', 'cloudreve://my/Docs']) {
        const byUri = await as<FileJson>('GET', '/file/info', { query: { uri } });
        const byId = await as<FileJson>('GET', '/file/info', { query: { id: byUri.data!.id } });
        expect(byId.code, byId.msg).toBe(0);
        expect(byId.data).toEqual(byUri.data);
      }
      const folder = await as<FileJson>('GET', '/file/info', { query: { uri: 'cloudreve://my/Docs' } });
      const summary = await as<FileJson>('GET', '/file/info', { query: { id: folder.data!.id, folder_summary: true } });
      expect(summary.data!.folder_summary).toMatchObject({ size: 8, files: 2, folders: 1, completed: true });
      // `uri` wins over `id` (contract 8.1: the id is used only when uri is empty).
      const both = await as<FileJson>('GET', '/file/info', { query: { uri: 'cloudreve://my/Docs/a%20b.txt', id: folder.data!.id } });
      expect(both.data!.name).toBe('a b.txt');
    });

    it("does not find another user's id, an unknown or malformed id; the root is 403; no login is 401", async () => {
      const owner = await user();
      await write(owner.principal, ['secret.txt'], 'secret');
      const secret = await owner.as<FileJson>('GET', '/file/info', { query: { uri: 'cloudreve://my/secret.txt' } });
      const other = await user();
      const foreign = await other.as('GET', '/file/info', { query: { id: secret.data!.id } });
      expect(foreign).toMatchObject({ code: 40016 });
      expect(foreign.msg).not.toMatch(/secret/);
      expect(await other.as('GET', '/file/info', { query: { id: encodeId('file', 999_999) } })).toMatchObject({ code: 40016 });
      expect(await other.as('GET', '/file/info', { query: { id: 'not-an-id!' } })).toMatchObject({ code: 40016 });
      expect(await other.as('GET', '/file/info', { query: { id: encodeId('user', owner.record.id) } })).toMatchObject({ code: 40016 });
      const rootId = encodeId('file', owner.record.rootId);
      expect(await owner.as('GET', '/file/info', { query: { id: rootId } })).toMatchObject({ code: 403 });
      expect(await other.as('GET', '/file/info', { query: { id: rootId } })).toMatchObject({ code: 40016 });
      expect(await call(api, 'GET', '/file/info', { query: { id: secret.data!.id } })).toMatchObject({ code: 401 });
      expect(await owner.as('GET', '/file/info', {})).toMatchObject({ code: 40001 });
    });

    it("lets an administrator reach another user's file by id, through that user's space", async () => {
      const owner = await user();
      await write(owner.principal, ['x', 'report.txt'], 'r');
      const file = await owner.as<FileJson>('GET', '/file/info', { query: { uri: 'cloudreve://my/x/report.txt' } });
      const admin = await api.t.app.users.create({ email: `admin-${dialect}@example.test`, password: PASSWORD, group: 'Admin' });
      const token = (await login(api, admin.email)).access_token;
      const got = await call<FileJson>(api, 'GET', '/file/info', { token, query: { id: file.data!.id } });
      expect(got.code, got.msg).toBe(0);
      expect(got.data).toMatchObject({ id: file.data!.id, path: `cloudreve://${encodeId('user', owner.record.id)}@my/x/report.txt` });
    });
  });

  describe('search: GET /file with a query in the uri (contract 4.1, 7)', () => {
    const day = (n: number) => Date.UTC(2025, 0, n);

    /** A user with a small tree to search. */
    async function searcher() {
      const u = await user();
      await write(u.principal, ['docs', 'report 2024.pdf'], '1234567890', day(1));
      await write(u.principal, ['docs', 'notes.txt'], 'abc', day(2));
      await write(u.principal, ['docs', 'old', 'Report-final.PDF'], '12345', day(3));
      await write(u.principal, ['docs', 'a_b%c.txt'], 'x', day(4));
      await write(u.principal, ['docs', 'axbyc.txt'], 'x', day(4));
      await write(u.principal, ['photos', 'a.jpg'], 'jpeg', day(5));
      await write(u.principal, ['photos', 'sub', 'b.PNG'], 'png', day(6));
      await mkdir(u.principal, ['docs', 'Reports']);
      await write(u.principal, ['elsewhere', 'report.txt'], 'outside', day(7));
      const search = async (uri: string, query: Record<string, string | number> = {}) => {
        const response = await u.as<ListJson>('GET', '/file', { query: { uri, ...query } });
        expect(response.code, response.msg).toBe(0);
        return response.data!;
      };
      const names = async (uri: string) => (await search(uri)).files.map((f) => f.name);
      return { ...u, search, names };
    }

    it('finds names containing every given text below the folder, folders first, with their full paths', async () => {
      const { search, names } = await searcher();
      const found = await search('cloudreve://my/docs?name=report');
      expect(found.files.map((f) => f.path)).toEqual(['cloudreve://my/docs/report%202024.pdf']);
      expect(found.parent).toMatchObject({ name: 'docs', path: 'cloudreve://my/docs' });
      expect(found.pagination).toMatchObject({ is_cursor: true, page: 0 });
      expect(found.pagination.next_token).toBeUndefined();

      const folded = await search('cloudreve://my/docs?name=REPORT&case_folding=true');
      expect(folded.files.map((f) => f.path)).toEqual([
        'cloudreve://my/docs/Reports',
        'cloudreve://my/docs/report%202024.pdf',
        'cloudreve://my/docs/old/Report-final.PDF',
      ]);
      expect(folded.files[0]).toMatchObject({ type: 1 });
      // The whole space, from its root: the file outside docs too.
      expect(await names('cloudreve://my?name=report')).toEqual(['report 2024.pdf', 'report.txt']);
      expect(await names('cloudreve://my/docs?name=report&name=2024')).toEqual(['report 2024.pdf']);
      expect(await names('cloudreve://my/docs?name=report&name=notes')).toEqual([]);
      expect(await names('cloudreve://my/docs?name=report&name=notes&name_op_or=true')).toEqual(['report 2024.pdf', 'notes.txt']);
      expect(await names('cloudreve://my/docs?name=report&name=notes&use_or')).toEqual(['report 2024.pdf', 'notes.txt']);
      // Names are matched literally: no wildcards.
      expect(await names('cloudreve://my/docs?name=a_b')).toEqual(['a_b%c.txt']);
      expect(await names('cloudreve://my/docs?name=b%25c')).toEqual(['a_b%c.txt']);
      // A returned path addresses the same file again.
      const info = await search('cloudreve://my/docs?name=final&case_folding=1');
      expect(info.files).toHaveLength(1);
    });

    it('filters by type, category, size and time', async () => {
      const { names } = await searcher();
      expect(await names('cloudreve://my?type=folder')).toEqual(['docs', 'old', 'photos', 'sub', 'Reports', 'elsewhere']);
      expect(await names('cloudreve://my/docs?type=file&name=report&case_folding=true')).toEqual(['report 2024.pdf', 'Report-final.PDF']);
      expect(await names('cloudreve://my?category=image')).toEqual(['a.jpg', 'b.PNG']);
      expect(await names('cloudreve://my?category=document&name=re&case_folding=true')).toEqual([
        'report 2024.pdf',
        'Report-final.PDF',
        'report.txt',
      ]);
      expect(await names('cloudreve://my?type=file&size_gte=5&size_lte=7')).toEqual(['Report-final.PDF', 'report.txt']);
      const seconds = (ms: number) => Math.floor(ms / 1000);
      expect(await names(`cloudreve://my?type=file&updated_gte=${seconds(day(5))}&updated_lte=${seconds(day(6))}`)).toEqual([
        'a.jpg',
        'b.PNG',
      ]);
      expect(await names(`cloudreve://my?type=file&created_lte=${seconds(day(1))}`)).toEqual([]);
      expect(await names('cloudreve://my?meta_tag=x')).toEqual([]);
    });

    it('pages 250 matches 100, 100, 50 by next_token, each once', async () => {
      const { principal, as } = await user();
      for (let i = 0; i < 250; i++) await write(principal, ['many', i % 2 ? 'odd' : 'even', `match-${i}.txt`], 'x');
      await write(principal, ['many', 'other.txt'], 'x');
      const seen: string[] = [];
      const sizes: number[] = [];
      let token: string | undefined;
      do {
        const page = await as<ListJson>('GET', '/file', {
          query: { uri: 'cloudreve://my/many?name=match', page_size: 100, ...(token && { next_page_token: token }) },
        });
        expect(page.code, page.msg).toBe(0);
        sizes.push(page.data!.files.length);
        seen.push(...page.data!.files.map((f) => f.path));
        token = page.data!.pagination.next_token;
      } while (token);
      expect(sizes).toEqual([100, 100, 50]);
      expect(new Set(seen).size).toBe(250);
    });

    it('refuses malformed conditions and tokens with 40001, and misses with 40016; sees only its own space', async () => {
      const { as } = await searcher();
      for (const uri of [
        'cloudreve://my?type=link',
        'cloudreve://my?category=books',
        'cloudreve://my?size_gte=-1',
        'cloudreve://my?size_lte=lots',
        'cloudreve://my?updated_gte=yesterday',
      ]) {
        const response = await as('GET', '/file', { query: { uri } });
        expect(response.code, uri).toBe(40001);
        expect(response.msg, uri).toMatch(/Search condition/);
      }
      expect((await as('GET', '/file', { query: { uri: 'cloudreve://my?name=a', next_page_token: 'nonsense' } })).code).toBe(40001);
      expect((await as('GET', '/file', { query: { uri: 'cloudreve://my/missing?name=a' } })).code).toBe(40016);
      expect((await as('GET', '/file', { query: { uri: 'cloudreve://my/docs/notes.txt?name=a' } })).code).toBe(40016);
      expect((await call(api, 'GET', '/file', { query: { uri: 'cloudreve://my?name=a' } })).code).toBe(401);
      const stranger = await user();
      const theirs = await stranger.as<ListJson>('GET', '/file', { query: { uri: 'cloudreve://my?name=report' } });
      expect(theirs.data!.files).toEqual([]);
    });
  });
});
