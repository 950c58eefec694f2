// Over real HTTP, on both databases: share links (Cloudreve V4 contract section 17, the share
// routes of section 19, checklist item 19). Owners create, list, edit and delete shares;
// anyone with the link lists and stats inside the shared folder (and nowhere else) through
// `cloudreve://{id}[:{password}]@share` URIs; passwords, expiry, download limits, the
// group's "share" permission and refusals of writes each get the contract's code and change
// nothing.
import { describe, expect, it } from 'vitest';
import { encodeId } from '../../src/auth/index.js';
import type { Principal, VPath } from '../../src/core/index.js';
import { DIALECTS } from '../support/databases.js';
import {
  PASSWORD,
  apiUser,
  call,
  login,
  startApiServer,
  unchanged as unchangedIn,
  useApiServer,
  writeFile,
  type CallOptions,
  type FileJson,
  type ListJson,
} from '../support/api-server.js';
import { unchangedBy } from '../support/inspect.js';

interface ShareJson {
  id: string;
  name: string;
  visited: number;
  downloaded?: number;
  remain_downloads?: number;
  expires?: string;
  unlocked: boolean;
  password_protected?: boolean;
  password?: string;
  is_private?: boolean;
  source_type: 0 | 1;
  owner: { id: string; nickname: string };
  expired: boolean;
  url: string;
  size: number;
}

/** Contract 6 and 7.3: the capability of each file and of the listing. */
type CapableListJson = Omit<ListJson, 'files'> & { files: Array<FileJson & { capability: string }>; props: { capability: string } };

/** What visitors are told whatever stopped a link (gone, expired, out of downloads, owner disabled). */
const GONE = 'Shared file does not exist';
/** Contract section 6: the share file system's capability boolset. */
const SHARE_CAPABILITY = 'gIaYAQ==';

interface ShareListJson {
  shares: ShareJson[];
  pagination: { page: number; page_size: number; next_token?: string; is_cursor: boolean };
}

describe.each(DIALECTS)('API shares over HTTP (%s)', (dialect) => {
  let now = Date.UTC(2026, 0, 1);
  // The clock is injected so that expiry can be tested without waiting.
  const api = useApiServer(dialect, { clock: () => now });

  const user = () => apiUser(api);
  const write = (principal: Principal, path: VPath, content: string) => writeFile(api, principal, path, content);
  const anonymous = <T = unknown>(method: string, path: string, options: CallOptions = {}) => call<T>(api, method, path, options);
  const shareRows = () => api.t.app.database.db.selectFrom('shares').selectAll().orderBy('id').execute();
  /** Every row a request could change, shares included. */
  const unchanged = <T>(act: () => Promise<T>) => unchangedIn(api, () => unchangedBy(shareRows, act));
  /** The share id and password in a link `{origin}/s/{id}[/{password}]`. */
  const parseLink = (link: string) => {
    const match = new RegExp(`^${api.origin}/s/([0-9A-Za-z]+)(?:/([0-9A-Za-z]+))?$`).exec(link);
    expect(match, link).not.toBeNull();
    return { id: match![1]!, password: match![2] };
  };
  /** Shares `uri` as the user (`as`) and returns the link's id and password. */
  const share = async (as: Awaited<ReturnType<typeof apiUser>>['as'], body: Record<string, unknown>) => {
    const created = await as<string>('PUT', '/share', { json: body });
    expect(created.code, created.msg).toBe(0);
    return parseLink(created.data!);
  };
  const listShared = (uri: string, options: CallOptions = {}) =>
    anonymous<CapableListJson>('GET', '/file', { ...options, query: { uri, ...options.query } });
  let addressCounter = 10;
  /** A client address no other test has used (password guesses are throttled per address). */
  const freshAddress = () => `127.1.${Math.floor(++addressCounter / 250)}.${(addressCounter % 250) + 2}`;
  /** A download URL for `uri` as an anonymous visitor (POST /file/url, contract 9.1). */
  const urlFor = (uri: string, options: CallOptions = {}) =>
    anonymous<{ urls: Array<{ url: string }> }>('POST', '/file/url', { ...options, json: { uris: [uri] } });

  describe('managing shares (contract 19)', () => {
    it('creates shares with and without a password and answers the link', async () => {
      const { principal, as } = await user();
      await api.t.app.vfs.mkdir(principal, ['Photos']);
      await write(principal, ['Photos', 'a.txt'], 'hello');

      const open = await share(as, { uri: 'cloudreve://my/Photos' });
      expect(open.password).toBeUndefined();
      const withPassword = await share(as, { uri: 'cloudreve://my/Photos/a.txt', password: 'abc123' });
      expect(withPassword.password).toBe('abc123');
      // Private without a password: one is generated (contract 17: 8 characters of [0-9a-z]).
      const generated = await share(as, { uri: 'cloudreve://my/Photos', is_private: true });
      expect(generated.password).toMatch(/^[0-9a-z]{8}$/);

      const info = await anonymous<ShareJson>('GET', `/share/info/${open.id}`);
      expect(info.data).toMatchObject({ id: open.id, name: 'Photos', source_type: 1, unlocked: true, expired: false, visited: 0 });
      expect(info.data!.url).toBe(`${api.origin}/s/${open.id}`);
      expect(info.data!.password_protected).toBeUndefined();

      // Locked: the name and owner, but no password, counters or password in the link.
      const locked = await anonymous<ShareJson>('GET', `/share/info/${withPassword.id}`);
      expect(locked.data).toMatchObject({ name: 'a.txt', source_type: 0, unlocked: false, password_protected: true, size: 0 });
      expect(locked.data!.password).toBeUndefined();
      expect(locked.data!.url).toBe(`${api.origin}/s/${withPassword.id}`);
      const unlocked = await anonymous<ShareJson>('GET', `/share/info/${withPassword.id}`, { query: { password: 'abc123' } });
      expect(unlocked.data).toMatchObject({ unlocked: true, password: 'abc123', size: 5 });
      expect(unlocked.data!.url).toBe(`${api.origin}/s/${withPassword.id}/abc123`);
      expect(unlocked.data!.is_private).toBeUndefined(); // for the owner only
      const asOwner = await as<ShareJson>('GET', `/share/info/${withPassword.id}`);
      expect(asOwner.data).toMatchObject({ unlocked: true, is_private: true, password: 'abc123' });

      // count_views counts a visit.
      await anonymous('GET', `/share/info/${open.id}`, { query: { count_views: true } });
      const counted = await anonymous<ShareJson>('GET', `/share/info/${open.id}`, { query: { count_views: 'true' } });
      expect(counted.data!.visited).toBe(2);
    });

    it('refuses bad input with the contract code and creates nothing', async () => {
      const { principal, as } = await user();
      await api.t.app.vfs.mkdir(principal, ['dir']);
      await unchanged(async () => {
        for (const password of ['with space', 'dash-ed', 'ü', 'x'.repeat(33)]) {
          expect((await as('PUT', '/share', { json: { uri: 'cloudreve://my/dir', password } })).code, password).toBe(40001);
        }
        expect((await as('PUT', '/share', { json: { uri: 'cloudreve://my/dir', expire: 1e12 } })).code).toBe(40001);
        expect((await as('PUT', '/share', { json: { uri: 'cloudreve://my/dir', downloads: 1.5 } })).code).toBe(40001);
        expect((await as('PUT', '/share', { json: { uri: 'cloudreve://my/dir', downloads: 'ten' } })).code).toBe(40001);
        expect((await as('PUT', '/share', { json: {} })).msg).toBe('uri cannot be empty');
        expect((await as('PUT', '/share', { json: { uri: 'http://x/y' } })).code).toBe(40001);
        expect((await as('PUT', '/share', { json: { uri: 'cloudreve://my/missing' } })).code).toBe(40016);
        expect((await as('PUT', '/share', { json: { uri: 'cloudreve://my' } })).code).toBe(403);
        expect((await as('PUT', '/share', { json: { uri: 'cloudreve://my/a/../..' } })).code).toBe(403);
        expect((await anonymous('PUT', '/share', { json: { uri: 'cloudreve://my/dir' } })).code).toBe(401);
        // Without a configured publicUrl the link uses the request's host, which must be one.
        const badHost = await as('PUT', '/share', { json: { uri: 'cloudreve://my/dir' }, headers: { Host: 'exa_mple' } });
        expect(badHost).toMatchObject({ code: 40001, msg: expect.stringMatching(/configure publicUrl/) });
        // Sharing from a share is not a thing.
        expect((await as('PUT', '/share', { json: { uri: 'cloudreve://abc@share/x' } })).code).toBe(403);
        expect((await as('GET', '/share')).msg).toBe('page_size cannot be empty');
        expect((await as('GET', '/share', { query: { page_size: 5 } })).code).toBe(40001);
        expect((await as('GET', '/share', { query: { page_size: 101 } })).code).toBe(40001);
        expect((await as('GET', '/share', { query: { page_size: 10, next_page_token: 'not-a-token' } })).code).toBe(40001);
        expect((await anonymous('GET', '/share', { query: { page_size: 10 } })).code).toBe(401);
        expect((await as('GET', '/share/info/%20')).code).toBe(40001);
        expect((await as('DELETE', '/share/nope-nope')).code).toBe(40001);
        expect((await as('DELETE', '/share', { json: { ids: ['!!'] } })).code).toBe(40001);
      });
    });

    it('lists my shares page by page, oldest first or newest first, and only mine', async () => {
      const { principal, as } = await user();
      const other = await user();
      await api.t.app.vfs.mkdir(principal, ['many']);
      await api.t.app.vfs.mkdir(other.principal, ['theirs']);
      await share(other.as, { uri: 'cloudreve://my/theirs' });
      const ids: string[] = [];
      for (let i = 0; i < 25; i++) {
        await write(principal, ['many', `f${i}.txt`], String(i));
        ids.push((await share(as, { uri: `cloudreve://my/many/f${i}.txt` })).id);
      }
      for (const direction of ['asc', 'desc'] as const) {
        const seen: string[] = [];
        const sizes: number[] = [];
        let token: string | undefined;
        do {
          const page = await as<ShareListJson>('GET', '/share', {
            query: { page_size: 10, order_direction: direction, ...(token && { next_page_token: token }) },
          });
          expect(page.code, page.msg).toBe(0);
          expect(page.data!.pagination).toMatchObject({ page: 0, page_size: 10, is_cursor: true });
          sizes.push(page.data!.shares.length);
          seen.push(...page.data!.shares.map((s) => s.id));
          token = page.data!.pagination.next_token;
        } while (token);
        expect(sizes).toEqual([10, 10, 5]);
        expect(seen).toEqual(direction === 'asc' ? ids : [...ids].reverse());
      }
      const first = (await as<ShareListJson>('GET', '/share', { query: { page_size: 10 } })).data!.shares[0]!;
      expect(first).toMatchObject({ name: 'f0.txt', source_type: 0, unlocked: true, size: 1, url: `${api.origin}/s/${ids[0]}` });
    });

    it('edits a share: new settings and target, same id, counters kept; others cannot', async () => {
      const { principal, as } = await user();
      const stranger = await user();
      await api.t.app.vfs.mkdir(principal, ['one']);
      await api.t.app.vfs.mkdir(principal, ['two']);
      const { id } = await share(as, { uri: 'cloudreve://my/one' });
      await anonymous('GET', `/share/info/${id}`, { query: { count_views: true } });

      const edited = await as<string>('POST', `/share/${id}`, { json: { uri: 'cloudreve://my/two', password: 'secret9', downloads: 3 } });
      expect(edited.code, edited.msg).toBe(0);
      expect(edited.data).toBe(`${api.origin}/s/${id}/secret9`);
      const info = await as<ShareJson>('GET', `/share/info/${id}`);
      expect(info.data).toMatchObject({ id, name: 'two', password: 'secret9', remain_downloads: 3, visited: 1 });
      expect((await listShared(`cloudreve://${id}@share`)).code).toBe(40069);
      expect((await listShared(`cloudreve://${id}:secret9@share`)).code).toBe(0);

      // Back to public: no password, no limit.
      expect((await as('POST', `/share/${id}`, { json: { uri: 'cloudreve://my/two' } })).data).toBe(`${api.origin}/s/${id}`);
      expect((await listShared(`cloudreve://${id}@share`)).code).toBe(0);

      await api.t.app.vfs.mkdir(stranger.principal, ['mine']);
      await unchanged(async () => {
        const theirs = await stranger.as('POST', `/share/${id}`, { json: { uri: 'cloudreve://my/mine' } });
        expect(theirs).toMatchObject({ code: 404, msg: 'Share not found' });
        expect((await stranger.as('POST', `/share/${encodeId('share', 999_999)}`, { json: { uri: 'cloudreve://my/mine' } })).code).toBe(
          404,
        );
        expect((await as('POST', `/share/${id}`, { json: { uri: 'cloudreve://my/missing' } })).code).toBe(40016);
        expect((await as('POST', `/share/${id}`, { json: { uri: 'cloudreve://my/two', password: 'no way' } })).code).toBe(40001);
        expect((await as('POST', '/share/zz-zz', { json: { uri: 'cloudreve://my/two' } })).code).toBe(40001);
        expect((await as('POST', '/share/zzzzzzzzz', { json: { uri: 'cloudreve://my/two' } })).code).toBe(404);
      });
    });

    it('deletes a share: the link stops working; others cannot delete it', async () => {
      const { principal, as } = await user();
      const stranger = await user();
      await api.t.app.vfs.mkdir(principal, ['d']);
      const keep = await share(as, { uri: 'cloudreve://my/d' });
      const gone = await share(as, { uri: 'cloudreve://my/d' });
      await unchanged(async () => {
        expect(await stranger.as('DELETE', `/share/${keep.id}`)).toMatchObject({ code: 404, msg: 'Share not found' });
        await stranger.as('DELETE', '/share', { json: { ids: [keep.id] } });
      });
      expect((await as('DELETE', `/share/${gone.id}`)).code).toBe(0);
      expect(await anonymous('GET', `/share/info/${gone.id}`)).toMatchObject({ code: 404, msg: GONE });
      expect(await listShared(`cloudreve://${gone.id}@share`)).toMatchObject({ code: 404, msg: GONE });
      expect((await as('DELETE', `/share/${gone.id}`)).code).toBe(404);
      expect((await listShared(`cloudreve://${keep.id}@share`)).code).toBe(0);
      // 4.18's batch delete.
      expect((await as('DELETE', '/share', { json: { ids: [keep.id] } })).code).toBe(0);
      expect((await listShared(`cloudreve://${keep.id}@share`)).code).toBe(404);
      expect((await as<ShareListJson>('GET', '/share', { query: { page_size: 10 } })).data!.shares).toEqual([]);
    });

    it("refuses with 40007 when the user's group may not share", async () => {
      await api.t.app.groups.create({ name: `no-share-${dialect}`, permissions: { share: false } }, api.t.app.defaultPolicyId);
      const created = await api.t.app.users.create({
        email: `noshare-${dialect}@example.test`,
        password: PASSWORD,
        group: `no-share-${dialect}`,
      });
      const token = (await login(api, created.email)).access_token;
      const principal = await api.t.app.users.principalFor(created);
      await api.t.app.vfs.mkdir(principal, ['dir']);
      await unchanged(async () => {
        const refused = await call(api, 'PUT', '/share', { token, json: { uri: 'cloudreve://my/dir' } });
        expect(refused.code).toBe(40007);
        expect(refused.msg).toMatch(/may not create share links/);
      });
      // Listing one's (empty) shares is still fine.
      expect((await call<ShareListJson>(api, 'GET', '/share', { token, query: { page_size: 10 } })).data!.shares).toEqual([]);
    });
  });

  describe('browsing a share (contract 17, checklist 19)', () => {
    it('lists a shared folder anonymously page by page, enters subfolders, and stats files', async () => {
      const { principal, as } = await user();
      await api.t.app.vfs.mkdir(principal, ['big', 'sub'], { parents: true });
      for (let i = 0; i < 249; i++) await write(principal, ['big', `f-${String(i).padStart(3, '0')}`], 'x'.repeat(i % 7));
      await write(principal, ['big', 'sub', 'deep.txt'], 'deep');
      const { id } = await share(as, { uri: 'cloudreve://my/big' });
      const root = `cloudreve://${id}@share`;

      const names: string[] = [];
      const sizes: number[] = [];
      let token: string | undefined;
      do {
        const page = await listShared(root, { query: { page_size: 100, ...(token && { next_page_token: token }) } });
        expect(page.code, page.msg).toBe(0);
        sizes.push(page.data!.files.length);
        names.push(...page.data!.files.map((f) => f.name));
        for (const file of page.data!.files) expect(file.path).toBe(`${root}/${encodeURIComponent(file.name)}`);
        expect(page.data!.parent).toMatchObject({ type: 1, path: `${root}/` });
        token = page.data!.pagination.next_token;
      } while (token);
      expect(sizes).toEqual([100, 100, 50]);
      expect(names[0]).toBe('sub'); // folders first
      expect(new Set(names).size).toBe(250);

      const sub = await listShared(`${root}/sub`);
      expect(sub.data!.parent).toMatchObject({ name: 'sub', path: `${root}/sub` });
      expect(sub.data!.files.map((f) => [f.name, f.path])).toEqual([['deep.txt', `${root}/sub/deep.txt`]]);
      const info = await anonymous<FileJson>('GET', '/file/info', { query: { uri: sub.data!.files[0]!.path } });
      expect(info.data).toMatchObject({ type: 0, name: 'deep.txt', size: 4 });
      const summary = await anonymous<FileJson>('GET', '/file/info', { query: { uri: `${root}/sub`, folder_summary: true } });
      expect(summary.data!.folder_summary).toMatchObject({ size: 4, files: 1, folders: 0 });
      // The share's root has no info, like any root (contract 8.1); missing paths are 40016.
      expect((await anonymous('GET', '/file/info', { query: { uri: root } })).code).toBe(403);
      expect((await anonymous('GET', '/file/info', { query: { uri: `${root}/nothing` } })).code).toBe(40016);
      expect((await listShared(`${root}/f-001`)).code).toBe(40016);
      // A signed-in stranger reads it the same way.
      const stranger = await user();
      expect((await stranger.as<ListJson>('GET', '/file', { query: { uri: `${root}/sub` } })).data!.files).toHaveLength(1);
    });

    it('never reaches above the shared folder: .. and encoded slashes stay inside', async () => {
      const { principal, as } = await user();
      await api.t.app.vfs.mkdir(principal, ['public', 'inner'], { parents: true });
      await api.t.app.vfs.mkdir(principal, ['secret']);
      await write(principal, ['secret', 'key.txt'], 'private');
      await write(principal, ['top.txt'], 'private');
      const secretId = (await as<FileJson>('GET', '/file/info', { query: { uri: 'cloudreve://my/secret' } })).data!.id;
      const { id } = await share(as, { uri: 'cloudreve://my/public' });
      const root = `cloudreve://${id}@share`;
      for (const path of [
        '/../secret',
        '/..%2Fsecret',
        '/%2E%2E/secret',
        '/inner/../../secret',
        '/inner/..%2F..%2Fsecret',
        '/../top.txt',
      ]) {
        for (const endpoint of ['/file', '/file/info']) {
          const answer = await anonymous<FileJson & ListJson>('GET', endpoint, { query: { uri: root + path } });
          expect(answer.code, `${endpoint} ${path}`).toBe(40016);
        }
      }
      // `..` above the root resolves to the share's root, never past it.
      const top = await listShared(`${root}/../..`);
      expect(top.data!.files.map((f) => f.name)).toEqual(['inner']);
      expect(JSON.stringify(top.data)).not.toContain(secretId);
      // Another share id, or an id of another kind, is not found.
      expect((await listShared('cloudreve://zzzz@share')).code).toBe(404);
      expect((await listShared(`cloudreve://${secretId}@share`)).code).toBe(404);
      expect((await listShared('cloudreve://share')).code).toBe(40001);
    });

    it('asks for the password: 40069 without it or with a wrong one; returned paths keep it', async () => {
      const { principal, as } = await user();
      await api.t.app.vfs.mkdir(principal, ['locked']);
      await write(principal, ['locked', 'x.txt'], 'x');
      const { id } = await share(as, { uri: 'cloudreve://my/locked', password: 'pw42' });
      for (const uri of [`cloudreve://${id}@share`, `cloudreve://${id}:wrong@share`, `cloudreve://${id}:PW42@share/x.txt`]) {
        expect(await listShared(uri), uri).toMatchObject({ code: 40069, msg: 'Incorrect share password' });
      }
      expect((await anonymous('GET', '/file/info', { query: { uri: `cloudreve://${id}@share/x.txt` } })).code).toBe(40069);
      // Signed in (even as the owner) does not replace the password, and is never 401.
      expect((await as('GET', '/file', { query: { uri: `cloudreve://${id}@share` } })).code).toBe(40069);
      const opened = await listShared(`cloudreve://${id}:pw42@share`);
      expect(opened.code).toBe(0);
      expect(opened.data!.files[0]!.path).toBe(`cloudreve://${id}:pw42@share/x.txt`);
      expect(opened.data!.parent.path).toBe(`cloudreve://${id}:pw42@share/`);
    });

    it('stops working after its expiry: 404 for the link, expired in the owner list', async () => {
      const { principal, as } = await user();
      await api.t.app.vfs.mkdir(principal, ['soon']);
      const { id } = await share(as, { uri: 'cloudreve://my/soon', expire: 60 });
      const info = await anonymous<ShareJson>('GET', `/share/info/${id}`);
      expect(Date.parse(info.data!.expires!)).toBe(now + 60_000);
      expect((await listShared(`cloudreve://${id}@share`)).code).toBe(0);
      now += 61_000;
      expect(await listShared(`cloudreve://${id}@share`)).toMatchObject({ code: 404, msg: 'Shared file does not exist' });
      expect(await anonymous('GET', `/share/info/${id}`)).toMatchObject({ code: 404, msg: GONE });
      const mine = (await as<ShareListJson>('GET', '/share', { query: { page_size: 10 } })).data!.shares;
      expect(mine.find((s) => s.id === id)).toMatchObject({ expired: true });
      // Editing it with a new expiry revives it.
      expect((await as('POST', `/share/${id}`, { json: { uri: 'cloudreve://my/soon', expire: 60 } })).code).toBe(0);
      expect((await listShared(`cloudreve://${id}@share`)).code).toBe(0);
    });

    it('counts a download per download URL and enforces the limit', async () => {
      const { principal, as } = await user();
      await write(principal, ['twice.txt'], 'abc');
      const { id } = await share(as, { uri: 'cloudreve://my/twice.txt', downloads: 2 });
      const uri = `cloudreve://${id}@share/twice.txt`;
      expect((await urlFor(uri)).code).toBe(0);
      expect((await as<ShareJson>('GET', `/share/info/${id}`)).data).toMatchObject({ downloaded: 1, remain_downloads: 1 });
      expect((await urlFor(uri)).code).toBe(0);
      await unchanged(async () => {
        const third = await urlFor(uri);
        expect(third).toMatchObject({ code: 40081, msg: GONE });
        expect(third.aggregated_error![uri]).toMatchObject({ code: 404, msg: GONE });
        expect(await listShared(`cloudreve://${id}@share`)).toMatchObject({ code: 404, msg: GONE });
      });
      const mine = (await as<ShareListJson>('GET', '/share', { query: { page_size: 10 } })).data!.shares[0]!;
      expect(mine).toMatchObject({ expired: true, downloaded: 2, remain_downloads: 0 });
      // Unlimited shares count without limit.
      const free = (await share(as, { uri: 'cloudreve://my/twice.txt' })).id;
      for (let i = 0; i < 3; i++) expect((await urlFor(`cloudreve://${free}@share/twice.txt`)).code).toBe(0);
      expect((await as<ShareJson>('GET', `/share/info/${free}`)).data!.downloaded).toBe(3);
    });

    it('shows a single shared file and nothing else of its folder', async () => {
      const { principal, as } = await user();
      await api.t.app.vfs.mkdir(principal, ['docs']);
      await write(principal, ['docs', 'report.pdf'], 'report');
      await write(principal, ['docs', 'sibling.txt'], 'not shared');
      const { id } = await share(as, { uri: 'cloudreve://my/docs/report.pdf' });
      const root = `cloudreve://${id}@share`;
      const listed = await listShared(root);
      expect(listed.code, listed.msg).toBe(0);
      expect(listed.data!.files.map((f) => [f.name, f.path, f.size])).toEqual([['report.pdf', `${root}/report.pdf`, 6]]);
      expect(listed.data!.parent).toMatchObject({ type: 1, path: `${root}/` });
      expect(listed.data!.pagination.next_token).toBeUndefined();
      expect(JSON.stringify(listed.data)).not.toContain('sibling');
      expect(JSON.stringify(listed.data)).not.toContain('docs');
      const info = await anonymous<FileJson>('GET', '/file/info', { query: { uri: `${root}/report.pdf` } });
      expect(info.data).toMatchObject({ type: 0, name: 'report.pdf', path: `${root}/report.pdf` });
      for (const path of ['/sibling.txt', '/report.pdf/x', '/../sibling.txt/..', '/other']) {
        const uri = root + path;
        const expected = path === '/../sibling.txt/..' ? 0 : 40016;
        expect((await listShared(uri)).code, uri).toBe(expected);
      }
      expect((await listShared(`${root}/report.pdf`)).code).toBe(40016); // a file is not a folder
    });
  });

  describe('links that cannot be guessed, and pages that leak nothing (review findings)', () => {
    it('opens a share by its random link key only, never by its number through the public id scramble', async () => {
      const { record, principal, as } = await user();
      await api.t.app.vfs.mkdir(principal, ['private']);
      await write(principal, ['private', 'x.txt'], 'x');
      const open = await share(as, { uri: 'cloudreve://my/private' });
      const locked = await share(as, { uri: 'cloudreve://my/private', password: 'pw1' });
      const keys = [open.id, locked.id];
      for (const key of keys) expect(key).toMatch(/^[0-9A-Za-z]{20}$/);
      expect(open.id).not.toBe(locked.id);

      // src/auth/ids.ts is a fixed, public scramble: the numbers behind these shares must open nothing.
      const rows = (await shareRows()).filter((row) => Number(row.user_id) === record.id);
      expect(rows).toHaveLength(2);
      await unchanged(async () => {
        for (const row of rows) {
          const guessed = encodeId('share', Number(row.id));
          expect(keys).not.toContain(guessed);
          expect(await listShared(`cloudreve://${guessed}@share`), guessed).toMatchObject({ code: 404, msg: GONE });
          expect((await listShared(`cloudreve://${guessed}:pw1@share`)).code).toBe(404);
          expect((await anonymous('GET', '/file/info', { query: { uri: `cloudreve://${guessed}@share/x.txt` } })).code).toBe(404);
          expect(await anonymous('GET', `/share/info/${guessed}`)).toMatchObject({ code: 404, msg: GONE });
          expect((await urlFor(`cloudreve://${guessed}@share/x.txt`)).aggregated_error).toBeDefined();
          expect((await as('DELETE', `/share/${guessed}`)).code).toBe(404);
          await as('DELETE', '/share', { json: { ids: [guessed] } });
        }
      });

      // The key is what every answer names: the info, the list, the links and the share's URIs.
      const info = await anonymous<ShareJson>('GET', `/share/info/${open.id}`);
      expect(info.data).toMatchObject({ id: open.id, url: `${api.origin}/s/${open.id}` });
      const listed = await listShared(`cloudreve://${open.id}@share`);
      expect(listed.data!.parent.path).toBe(`cloudreve://${open.id}@share/`);
      expect(listed.data!.files[0]!.path).toBe(`cloudreve://${open.id}@share/x.txt`);
      const mine = (await as<ShareListJson>('GET', '/share', { query: { page_size: 10 } })).data!.shares;
      expect(mine.map((s) => [s.id, s.url])).toEqual([
        [open.id, `${api.origin}/s/${open.id}`],
        [locked.id, `${api.origin}/s/${locked.id}/pw1`],
      ]);
      // The owner manages a share by what the list answers.
      expect((await as('DELETE', `/share/${locked.id}`)).code).toBe(0);
      expect((await anonymous('GET', `/share/info/${locked.id}`)).code).toBe(404);
    });

    it('throttles password guesses per share from an address: 429 with Retry-After, even for the right password, until the window passes; never a visitor from elsewhere', async () => {
      const { principal, as } = await user();
      await api.t.app.vfs.mkdir(principal, ['vault']);
      await write(principal, ['vault', 'gold.txt'], 'gold');
      const target = await share(as, { uri: 'cloudreve://my/vault', password: 'right1' });
      const other = await share(as, { uri: 'cloudreve://my/vault', password: 'right2' });
      const attacker = freshAddress();
      // Ten wrong guesses through the three doors that check a password: listing, info and download URLs.
      for (let i = 0; i < 10; i++) {
        if (i % 3 === 0) {
          expect((await listShared(`cloudreve://${target.id}:wrong${i}@share`, { from: attacker })).code).toBe(40069);
        } else if (i % 3 === 1) {
          const info = await anonymous<ShareJson>('GET', `/share/info/${target.id}`, { query: { password: `wrong${i}` }, from: attacker });
          expect(info.data).toMatchObject({ unlocked: false });
        } else {
          const url = await urlFor(`cloudreve://${target.id}:wrong${i}@share/gold.txt`, { from: attacker });
          expect(Object.values(url.aggregated_error!)[0]!.code).toBe(40069);
        }
      }
      await unchanged(async () => {
        // The right password, from the guessing address: refused until the window passes.
        const blocked = await listShared(`cloudreve://${target.id}:right1@share`, { from: attacker });
        expect(blocked).toMatchObject({ code: 429, msg: expect.stringMatching(/Too many wrong share passwords/) });
        expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
        expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(300);
        const info = await anonymous('GET', `/share/info/${target.id}`, {
          query: { password: 'right1', count_views: true },
          from: attacker,
        });
        expect(info.code).toBe(429);
        expect(info.headers['retry-after']).toBeDefined();
        // Not one URI's failure but the request's: 429 with Retry-After, as for one URI.
        const url = await urlFor(`cloudreve://${target.id}:right1@share/gold.txt`, { from: attacker });
        expect(url.code).toBe(429);
        expect(url.headers['retry-after']).toBeDefined();
      });
      // A visitor from an address that has not been guessing is never refused because others guessed.
      expect((await listShared(`cloudreve://${target.id}:right1@share`, { from: freshAddress() })).code).toBe(0);
      // Another share from the guessing address: its allowance (30 failures) is not spent yet.
      expect((await listShared(`cloudreve://${other.id}:right2@share`, { from: attacker })).code).toBe(0);
      expect((await anonymous<ShareJson>('GET', `/share/info/${target.id}`, { from: freshAddress() })).data).toMatchObject({
        unlocked: false,
        password_protected: true,
      });

      now += 5 * 60_000 + 1000;
      expect((await listShared(`cloudreve://${target.id}:right1@share`, { from: attacker })).code).toBe(0);
      const unlocked = await anonymous<ShareJson>('GET', `/share/info/${target.id}`, { query: { password: 'right1' }, from: attacker });
      expect(unlocked.data).toMatchObject({ unlocked: true });
    });

    it('answers visitors one message whatever stopped the link: deleted, expired, out of downloads, owner disabled', async () => {
      const { record, principal, as } = await user();
      await write(principal, ['f.txt'], 'f');
      const deleted = await share(as, { uri: 'cloudreve://my/f.txt' });
      const expired = await share(as, { uri: 'cloudreve://my/f.txt', expire: 30 });
      const used = await share(as, { uri: 'cloudreve://my/f.txt', downloads: 1 });
      expect((await urlFor(`cloudreve://${used.id}@share/f.txt`)).code).toBe(0);
      expect((await as('DELETE', `/share/${deleted.id}`)).code).toBe(0);
      now += 31_000;
      const answers = async (id: string) => {
        const uri = `cloudreve://${id}@share/f.txt`;
        const url = await urlFor(uri);
        return [
          await listShared(`cloudreve://${id}@share`),
          await anonymous('GET', `/share/info/${id}`),
          await anonymous('GET', '/file/info', { query: { uri } }),
          url.aggregated_error![uri]!,
        ].map(({ code, msg }) => ({ code, msg }));
      };
      const expected = Array(4).fill({ code: 404, msg: GONE });
      for (const { id } of [deleted, expired, used]) expect(await answers(id), id).toEqual(expected);
      const live = await share(as, { uri: 'cloudreve://my/f.txt' });
      await api.t.app.users.setStatus(record.id, 'disabled');
      try {
        expect(await answers(live.id)).toEqual(expected);
      } finally {
        await api.t.app.users.setStatus(record.id, 'active');
      }
    });

    it("shows visitors the share capability and none of the owner's uploads in progress (contract 6, 15.1)", async () => {
      const { principal, as } = await user();
      await api.t.app.vfs.mkdir(principal, ['inbox']);
      await write(principal, ['inbox', 'done.txt'], 'done');
      const upload = await as<{ session_id: string }>('PUT', '/file/upload', {
        json: { uri: 'cloudreve://my/inbox/coming.bin', size: 10 },
      });
      expect(upload.code, upload.msg).toBe(0);
      const sessionId = upload.data!.session_id;
      const { id } = await share(as, { uri: 'cloudreve://my/inbox' });

      const stranger = await user();
      for (const visit of [listShared, (uri: string) => stranger.as<CapableListJson>('GET', '/file', { query: { uri } })]) {
        const visited = await visit(`cloudreve://${id}@share`);
        expect(visited.code, visited.msg).toBe(0);
        expect(visited.data!.files.map((f) => [f.name, f.metadata, f.capability])).toEqual([
          ['coming.bin', null, SHARE_CAPABILITY],
          ['done.txt', null, SHARE_CAPABILITY],
        ]);
        expect(visited.data!.props.capability).toBe(SHARE_CAPABILITY);
        expect(JSON.stringify(visited.data)).not.toContain(sessionId);
      }
      const info = await anonymous<FileJson & { capability: string }>('GET', '/file/info', {
        query: { uri: `cloudreve://${id}@share/coming.bin` },
      });
      expect(info.data).toMatchObject({ metadata: null, capability: SHARE_CAPABILITY });
      // A search inside the share is a listing too.
      const searched = await listShared(`cloudreve://${id}@share?name=coming`);
      expect(searched.data!.props.capability).toBe(SHARE_CAPABILITY);
      expect(JSON.stringify(searched.data)).not.toContain(sessionId);

      // In their own space the owner still sees the upload, with the `my` capability.
      const own = await as<CapableListJson>('GET', '/file', { query: { uri: 'cloudreve://my/inbox' } });
      expect(own.data!.files[0]).toMatchObject({
        name: 'coming.bin',
        metadata: { 'sys:upload_session_id': sessionId },
        capability: 'w8edAQ==',
      });
      expect(own.data!.props.capability).toBe('w8edAQ==');
    });

    it("does not reveal a single shared file's real parent folder", async () => {
      const { principal, as } = await user();
      await api.t.app.vfs.mkdir(principal, ['folder']);
      await write(principal, ['folder', 'only.txt'], 'only');
      const folderId = (await as<FileJson>('GET', '/file/info', { query: { uri: 'cloudreve://my/folder' } })).data!.id;
      const { id } = await share(as, { uri: 'cloudreve://my/folder/only.txt' });
      const listed = await listShared(`cloudreve://${id}@share`);
      expect(listed.code, listed.msg).toBe(0);
      expect(listed.data!.parent.id).not.toBe(folderId);
      expect(listed.data!.parent.id).toBe(listed.data!.files[0]!.id);
      expect(JSON.stringify(listed.data)).not.toContain(folderId);
    });
  });

  describe('a share follows its entry', () => {
    it('keeps working through a rename and a move of the shared folder', async () => {
      const { principal, as } = await user();
      await api.t.app.vfs.mkdir(principal, ['Trip']);
      await api.t.app.vfs.mkdir(principal, ['Archive']);
      await write(principal, ['Trip', 'pic.jpg'], 'jpg');
      const { id } = await share(as, { uri: 'cloudreve://my/Trip' });
      expect((await as('POST', '/file/rename', { json: { uri: 'cloudreve://my/Trip', new_name: 'Trip 2025' } })).code).toBe(0);
      const listed = await listShared(`cloudreve://${id}@share`);
      expect(listed.data!.files.map((f) => f.name)).toEqual(['pic.jpg']);
      expect((await anonymous<ShareJson>('GET', `/share/info/${id}`)).data!.name).toBe('Trip 2025');
      expect((await as('POST', '/file/move', { json: { uris: ['cloudreve://my/Trip%202025'], dst: 'cloudreve://my/Archive' } })).code).toBe(
        0,
      );
      expect((await listShared(`cloudreve://${id}@share`)).data!.files.map((f) => f.name)).toEqual(['pic.jpg']);
      const mine = (await as<ShareListJson>('GET', '/share', { query: { page_size: 10 } })).data!.shares;
      expect(mine.map((s) => s.name)).toEqual(['Trip 2025']);
    });

    it("stops working while its owner's account is disabled", async () => {
      const { record, principal, as } = await user();
      await api.t.app.vfs.mkdir(principal, ['mine']);
      const { id } = await share(as, { uri: 'cloudreve://my/mine' });
      await api.t.app.users.setStatus(record.id, 'disabled');
      expect(await listShared(`cloudreve://${id}@share`)).toMatchObject({ code: 404, msg: 'Shared file does not exist' });
      expect((await anonymous('GET', `/share/info/${id}`)).code).toBe(404);
      await api.t.app.users.setStatus(record.id, 'active');
      expect((await listShared(`cloudreve://${id}@share`)).code).toBe(0);
    });

    it('answers not found once the shared entry is deleted', async () => {
      const { principal, as } = await user();
      await api.t.app.vfs.mkdir(principal, ['temp', 'inner'], { parents: true });
      await write(principal, ['temp', 'inner', 'f.txt'], 'f');
      const folder = await share(as, { uri: 'cloudreve://my/temp/inner' });
      const file = await share(as, { uri: 'cloudreve://my/temp/inner/f.txt', password: 'p1' });
      expect((await as('DELETE', '/file', { json: { uris: ['cloudreve://my/temp'], skip_soft_delete: true } })).code).toBe(0);
      for (const uri of [`cloudreve://${folder.id}@share`, `cloudreve://${file.id}:p1@share`]) {
        expect(await listShared(uri)).toMatchObject({ code: 404, msg: 'Shared file does not exist' });
      }
      expect((await anonymous('GET', `/share/info/${folder.id}`)).code).toBe(404);
      expect((await as<ShareListJson>('GET', '/share', { query: { page_size: 10 } })).data!.shares).toEqual([]);
      // A new folder of the same name is not the shared one.
      await api.t.app.vfs.mkdir(principal, ['temp', 'inner'], { parents: true });
      expect((await listShared(`cloudreve://${folder.id}@share`)).code).toBe(404);
    });
  });

  it('builds links from the configured public URL when there is one', async () => {
    const behindProxy = await startApiServer(dialect, { config: { publicUrl: 'https://files.example.test/' } });
    try {
      const { principal, as } = await apiUser(behindProxy);
      await behindProxy.t.app.vfs.mkdir(principal, ['p']);
      const link = await as<string>('PUT', '/share', { json: { uri: 'cloudreve://my/p', password: 'x1' }, headers: { Host: 'exa_mple' } });
      expect(link.data).toMatch(/^https:\/\/files\.example\.test\/s\/[0-9A-Za-z]+\/x1$/);
    } finally {
      await behindProxy.close();
    }
  });

  describe('writes through a share URI (contract 17)', () => {
    it('refuses create, rename, move, copy and delete with 403 and changes nothing, even for the owner', async () => {
      const { principal, as } = await user();
      await api.t.app.vfs.mkdir(principal, ['shared', 'sub'], { parents: true });
      await write(principal, ['shared', 'a.txt'], 'a');
      await api.t.app.vfs.mkdir(principal, ['elsewhere']);
      const { id } = await share(as, { uri: 'cloudreve://my/shared' });
      const root = `cloudreve://${id}@share`;
      for (const caller of [
        as,
        <T = unknown>(method: string, path: string, options: CallOptions = {}) => anonymous<T>(method, path, options),
      ]) {
        await unchanged(async () => {
          expect((await caller('POST', '/file/create', { json: { uri: `${root}/new`, type: 'folder' } })).code).toBe(403);
          expect((await caller('POST', '/file/create', { json: { uri: `${root}/new.txt`, type: 'file' } })).code).toBe(403);
          expect((await caller('POST', '/file/rename', { json: { uri: `${root}/a.txt`, new_name: 'b.txt' } })).code).toBe(403);
          const moved = await caller('POST', '/file/move', { json: { uris: [`${root}/a.txt`], dst: 'cloudreve://my/elsewhere' } });
          expect([403, 40081, 401]).toContain(moved.code);
          const into = await caller('POST', '/file/move', { json: { uris: ['cloudreve://my/elsewhere'], dst: `${root}/sub` } });
          expect(into.code).toBe(403);
          const copied = await caller('POST', '/file/move', { json: { uris: ['cloudreve://my/elsewhere'], dst: root, copy: true } });
          expect(copied.code).toBe(403);
          const deleted = await caller('DELETE', '/file', { json: { uris: [`${root}/a.txt`, `${root}/sub`] } });
          expect(deleted.code).toBe(40081);
          for (const failure of Object.values(deleted.aggregated_error!)) expect(failure.code).toBe(403);
        });
      }
      // The owner's move from the share into their space: the source is refused per URI.
      const moved = await as('POST', '/file/move', { json: { uris: [`${root}/a.txt`], dst: 'cloudreve://my/elsewhere' } });
      expect(moved.code).toBe(40081);
      expect(moved.aggregated_error![`${root}/a.txt`]!.code).toBe(403);
    });
  });
});
