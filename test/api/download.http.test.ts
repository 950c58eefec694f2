// Over real HTTP, on both databases: download links (Cloudreve V4 contract 9.1 to 9.3, checklist
// item 17) and thumbnails (section 10). A link works with no token, serves one byte range
// (206/416) and HEAD, and stops working when it is changed, expires, or its file is
// overwritten or deleted; failures are real HTTP statuses with the envelope as body.
import http from 'node:http';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { encodeId } from '../../src/auth/index.js';
import type { Principal, VPath } from '../../src/core/index.js';
import { DIALECTS } from '../support/databases.js';
import { unchangedBy } from '../support/inspect.js';
import {
  apiUser,
  startApiServer,
  unchanged as unchangedIn,
  useApiServer,
  writeFile,
  type ApiServer,
  type CallOptions,
} from '../support/api-server.js';

interface UrlJson {
  urls: Array<{ url: string; stream_saver_display_name?: string }>;
  expires: string;
}

interface Fetched {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A raw request, so that Host and every header are exactly as given. */
function fetchRaw(url: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<Fetched> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      },
    );
    request.on('error', reject);
    request.end();
  });
}

const envelopeOf = (fetched: Fetched) => JSON.parse(fetched.body.toString('utf8')) as { code: number; msg: string };

describe.each(DIALECTS)('API downloads over HTTP (%s)', (dialect) => {
  let now = Date.now();
  const api = useApiServer(dialect, { clock: () => now });

  const user = () => apiUser(api);
  const write = (principal: Principal, path: VPath, content: string) => writeFile(api, principal, path, content);
  const unchanged = <T>(act: () => Promise<T>) => unchangedIn(api, act);
  const CONTENT = 'The quick brown fox jumps over the lazy dog.\n';

  /** A signed-in user with one file, and a download link to it. */
  async function linked(name = 'fox.txt', content = CONTENT, body: Record<string, unknown> = { download: true }) {
    const u = await user();
    await write(u.principal, [name], content);
    const uri = `cloudreve://my/${encodeURIComponent(name)}`;
    const response = await u.as<UrlJson>('POST', '/file/url', { json: { uris: [uri], ...body } });
    expect(response.code, response.msg).toBe(0);
    return { ...u, uri, url: response.data!.urls[0]!.url, response };
  }

  describe('POST /file/url (contract 9.1, 9.2)', () => {
    it('answers absolute links on this origin that expire in an hour, in the order of the URIs', async () => {
      const { principal, as } = await user();
      await write(principal, ['a.txt'], 'a');
      await write(principal, ['b.txt'], 'b');
      const response = await as<UrlJson>('POST', '/file/url', { json: { uris: ['cloudreve://my/b.txt', 'cloudreve://my/a.txt'] } });
      expect(response.code, response.msg).toBe(0);
      const [b, a] = response.data!.urls;
      expect(b!.url.startsWith(`${api.origin}/api/v4/file/content/`)).toBe(true);
      expect(new URL(b!.url).pathname.endsWith('/0/b.txt')).toBe(true);
      expect(new URL(a!.url).pathname.endsWith('/0/a.txt')).toBe(true);
      expect(Date.parse(response.data!.expires)).toBe((Math.floor(now / 1000) + 3600) * 1000);
      expect((await fetchRaw(b!.url)).body.toString()).toBe('b');
      expect((await fetchRaw(a!.url)).body.toString()).toBe('a');
    });

    it('fails a folder with 40077 and a missing file with 40016 inside 40081; skip_error leaves them out', async () => {
      const { principal, as } = await user();
      await write(principal, ['ok.txt'], 'ok');
      await api.t.app.vfs.mkdir(principal, ['folder']);
      const uris = ['cloudreve://my/ok.txt', 'cloudreve://my/folder', 'cloudreve://my/missing.txt'];
      const failed = await unchanged(() => as<UrlJson>('POST', '/file/url', { json: { uris } }));
      expect(failed).toMatchObject({ code: 40081, msg: 'One or more operation failed' });
      expect(failed.aggregated_error!['cloudreve://my/folder']!.code).toBe(40077);
      expect(failed.aggregated_error!['cloudreve://my/missing.txt']!.code).toBe(40016);
      expect(failed.aggregated_error!['cloudreve://my/ok.txt']).toBeUndefined();

      const skipped = await as<UrlJson>('POST', '/file/url', { json: { uris, skip_error: true } });
      expect(skipped.code).toBe(0);
      expect(skipped.data!.urls).toHaveLength(1);
      expect(skipped.data!.expires).toEqual(expect.any(String));
      expect((await fetchRaw(skipped.data!.urls[0]!.url)).body.toString()).toBe('ok');

      // One failing URI is still 40081, with its own message (contract 3.4).
      const one = await as('POST', '/file/url', { json: { uris: ['cloudreve://my/folder'] } });
      expect(one.code).toBe(40081);
      expect(one.msg).toMatch(/folder/);
    });

    it('refuses bad requests with their codes: login, other users, parameters, batch size, archives, entities', async () => {
      const { principal, record, as } = await user();
      await write(principal, ['mine.txt'], 'mine');
      const other = await user();
      await unchanged(async () => {
        const noLogin = await fetchJson('POST', '/file/url', { uris: ['cloudreve://my/mine.txt'] });
        expect(noLogin.code).toBe(401);
        const foreign = await other.as('POST', '/file/url', { json: { uris: [`cloudreve://${encodeId('user', record.id)}@my/mine.txt`] } });
        expect(foreign.code).toBe(40081);
        expect(Object.values(foreign.aggregated_error!)[0]!.code).toBe(40082);
        expect((await as('POST', '/file/url', { json: { uris: [] } })).code).toBe(40001);
        expect((await as('POST', '/file/url', { json: { uris: ['http://my/x'] } })).code).toBe(40001);
        expect((await as('POST', '/file/url', { json: { uris: 'cloudreve://my/mine.txt' } })).code).toBe(40001);
        expect((await as('POST', '/file/url', { json: { uris: ['cloudreve://my/mine.txt'], download: 'yes' } })).code).toBe(40001);
        expect((await as('POST', '/file/url', { json: { uris: ['cloudreve://my/mine.txt'], archive: true } })).code).toBe(403);
        const many = Array.from({ length: 1001 }, (_, i) => `cloudreve://my/f${i}`);
        expect((await as('POST', '/file/url', { json: { uris: many } })).code).toBe(40074);
        const entity = await as('POST', '/file/url', { json: { uris: ['cloudreve://my/mine.txt'], entity: 'abc' } });
        expect(entity.code).toBe(40081);
        expect(Object.values(entity.aggregated_error!)[0]!.code).toBe(40077);
      });
    });

    it('answers HTTP 302 to the link itself with redirect and one URI', async () => {
      const { principal, token } = await user();
      await write(principal, ['r.txt'], 'redirected');
      // A 302 has no JSON body, so look at it raw.
      const raw = await rawCall(api, 'POST', '/file/url', { uris: ['cloudreve://my/r.txt'], redirect: true }, token);
      expect(raw.status).toBe(302);
      expect((await fetchRaw(raw.headers.location!)).body.toString()).toBe('redirected');
      // With several URIs the answer stays JSON.
      const two = await rawCall(
        api,
        'POST',
        '/file/url',
        { uris: ['cloudreve://my/r.txt', 'cloudreve://my/r.txt'], redirect: true },
        token,
      );
      expect(two.status).toBe(200);
      expect((JSON.parse(two.body.toString()) as { data: UrlJson }).data.urls).toHaveLength(2);
    });

    it('builds links from the configured publicUrl, and ignores X-Forwarded-Host from an untrusted peer', async () => {
      const { token, uri } = await linked();
      const spoofed = await rawCall(api, 'POST', '/file/url', { uris: [uri] }, token, {
        'X-Forwarded-Host': 'evil.example',
        'X-Forwarded-Proto': 'https',
      });
      const url = (JSON.parse(spoofed.body.toString()) as { data: UrlJson }).data.urls[0]!.url;
      expect(url.startsWith(`${api.origin}/api/v4/`)).toBe(true);

      const behind = await startApiServer(dialect, { config: { publicUrl: 'https://files.example.org/cloud/' } });
      try {
        const u = await apiUser(behind);
        await writeFile(behind, u.principal, ['p.txt'], 'public');
        const response = await u.as<UrlJson>('POST', '/file/url', { json: { uris: ['cloudreve://my/p.txt'] } });
        const link = response.data!.urls[0]!.url;
        expect(link.startsWith('https://files.example.org/cloud/api/v4/file/content/')).toBe(true);
        // The proxy strips its prefix: the link still verifies on this server.
        const local = link.replace('https://files.example.org/cloud', behind.origin);
        expect((await fetchRaw(local)).body.toString()).toBe('public');
      } finally {
        await behind.close();
      }
    });
  });

  describe('GET|HEAD /file/content (contract 9.3, checklist 17)', () => {
    it('serves the whole file without a token, with the download headers', async () => {
      const { url } = await linked('fox.txt');
      const got = await fetchRaw(url);
      expect(got.status).toBe(200);
      expect(got.body.toString()).toBe(CONTENT);
      expect(got.headers['content-length']).toBe(String(CONTENT.length));
      expect(got.headers['accept-ranges']).toBe('bytes');
      expect(got.headers.etag).toMatch(/^"[^"]+"$/);
      expect(got.headers['content-type']).toMatch(/^text\/plain/);
      expect(got.headers['content-disposition']).toBe(`attachment; filename="fox.txt"; filename*=UTF-8''fox.txt`);
      expect(got.headers['x-content-type-options']).toBe('nosniff');
      expect(got.headers['content-security-policy']).toMatch(/sandbox/);
      expect(got.headers['access-control-allow-origin']).toBe('*');
      expect(got.headers['last-modified']).toEqual(expect.any(String));
    });

    it('serves one byte range as 206, a range past the end as 416, and several ranges as the whole file', async () => {
      const { url } = await linked('range.txt');
      const first = await fetchRaw(url, { headers: { Range: 'bytes=0-9' } });
      expect(first.status).toBe(206);
      expect(first.body.toString()).toBe(CONTENT.slice(0, 10));
      expect(first.headers['content-range']).toBe(`bytes 0-9/${CONTENT.length}`);
      expect(first.headers['content-length']).toBe('10');
      const tail = await fetchRaw(url, { headers: { Range: 'bytes=-5' } });
      expect(tail.status).toBe(206);
      expect(tail.body.toString()).toBe(CONTENT.slice(-5));
      const open = await fetchRaw(url, { headers: { Range: 'bytes=40-' } });
      expect(open.body.toString()).toBe(CONTENT.slice(40));
      const past = await fetchRaw(url, { headers: { Range: `bytes=${CONTENT.length}-` } });
      expect(past.status).toBe(416);
      expect(past.headers['content-range']).toBe(`bytes */${CONTENT.length}`);
      const several = await fetchRaw(url, { headers: { Range: 'bytes=0-1,5-6' } });
      expect(several.status).toBe(200);
      expect(several.body.toString()).toBe(CONTENT);
      const malformed = await fetchRaw(url, { headers: { Range: 'bytes=9-1' } });
      expect(malformed.status).toBe(200);
      expect(malformed.body.toString()).toBe(CONTENT);
    });

    it('honours a range only while If-Range still matches (RFC 7233 3.2)', async () => {
      const { url } = await linked('if-range.txt');
      const etag = (await fetchRaw(url, { method: 'HEAD' })).headers.etag!;
      const same = await fetchRaw(url, { headers: { Range: 'bytes=4-8', 'If-Range': etag } });
      expect(same.status).toBe(206);
      expect(same.body.toString()).toBe(CONTENT.slice(4, 9));
      const other = await fetchRaw(url, { headers: { Range: 'bytes=4-8', 'If-Range': '"something-else"' } });
      expect(other.status).toBe(200);
      expect(other.body.toString()).toBe(CONTENT);
      const weak = await fetchRaw(url, { headers: { Range: 'bytes=4-8', 'If-Range': `W/${etag}` } });
      expect(weak.status).toBe(200);
    });

    it('answers HEAD with the headers of GET and no body', async () => {
      const { url } = await linked('head.txt');
      const head = await fetchRaw(url, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.body.length).toBe(0);
      expect(head.headers['content-length']).toBe(String(CONTENT.length));
      expect(head.headers['content-disposition']).toMatch(/^attachment/);
      const ranged = await fetchRaw(url, { method: 'HEAD', headers: { Range: 'bytes=1-2' } });
      expect(ranged.status).toBe(206);
      expect(ranged.headers['content-length']).toBe('2');
      expect(ranged.body.length).toBe(0);
    });

    it('serves inline only types safe to show, and only without download; an empty file as 0 bytes', async () => {
      const image = await linked('photo.png', 'not really a png', {});
      expect((await fetchRaw(image.url)).headers['content-disposition']).toMatch(/^inline; filename="photo.png"/);
      const page = await linked('page.html', '<script>alert(1)</script>', {});
      const served = await fetchRaw(page.url);
      expect(served.headers['content-disposition']).toMatch(/^attachment/);
      expect(served.headers['content-security-policy']).toMatch(/sandbox/);
      const empty = await linked('empty.bin', '');
      const got = await fetchRaw(empty.url);
      expect(got.status).toBe(200);
      expect(got.body.length).toBe(0);
      expect(got.headers['content-length']).toBe('0');
    });

    it('escapes names in the link and in Content-Disposition', async () => {
      const name = 'Résumé 2025 #1 (final)%.txt';
      const { url } = await linked(name);
      expect(new URL(url).pathname.endsWith(`/0/${encodeURIComponent(name)}`)).toBe(true);
      const got = await fetchRaw(url);
      expect(got.body.toString()).toBe(CONTENT);
      expect(got.headers['content-disposition']).toBe(
        `attachment; filename="R_sum_ 2025 #1 (final)_.txt"; filename*=UTF-8''R%C3%A9sum%C3%A9%202025%20%231%20%28final%29%25.txt`,
      );
    });

    it('refuses a changed link with 403 and 40071, whatever part was changed', async () => {
      const { url } = await linked('signed.txt');
      const link = new URL(url);
      const sign = link.searchParams.get('sign')!;
      const variants: string[] = [];
      const withSign = (value: string | null) => {
        const copy = new URL(url);
        if (value === null) copy.searchParams.delete('sign');
        else copy.searchParams.set('sign', value);
        return copy.toString();
      };
      variants.push(withSign(null), withSign(''), withSign('garbage'), withSign(`${sign.slice(0, -1)}${sign.endsWith('A') ? 'B' : 'A'}`));
      // Another file id, root, user or expiry in the signature.
      const parts = sign.split('.');
      for (let i = 0; i < 4; i++) {
        const changed = [...parts];
        changed[i] = i === 3 ? String(Number(parts[3]) + 3600) : parts[(i + 1) % 3]!;
        variants.push(withSign(changed.join('.')));
      }
      variants.push(url.replace('/0/signed.txt', '/0/other.txt'));
      variants.push(url.replace('/0/signed.txt', '/1024/signed.txt'));
      variants.push(url.replace('download=true&', ''));
      variants.push(url.replace(/\/file\/content\/[^/]+\//, '/file/content/0/'));
      for (const variant of variants) {
        const got = await fetchRaw(variant);
        expect(got.status, variant).toBe(403);
        expect(envelopeOf(got), variant).toMatchObject({ code: 40071 });
        expect(got.headers['content-disposition']).toBeUndefined();
      }
      expect((await fetchRaw(url)).status).toBe(200);
    });

    it('refuses an expired link with 403 and 40005', async () => {
      const { url } = await linked('soon.txt');
      const before = now;
      try {
        now += 3599_000;
        expect((await fetchRaw(url)).status).toBe(200);
        now += 2_000;
        const got = await fetchRaw(url);
        expect(got.status).toBe(403);
        expect(envelopeOf(got)).toMatchObject({ code: 40005 });
      } finally {
        now = before;
      }
    });

    it('serves the version it names while it is kept, 404 once that version or the file is gone, and follows a rename', async () => {
      const { principal, url, as } = await linked('changing.txt');
      await api.t.app.vfs.move(principal, ['changing.txt'], ['renamed.txt']);
      expect((await fetchRaw(url)).body.toString()).toBe(CONTENT);
      await write(principal, ['renamed.txt'], 'new content');
      // The overwritten content is kept as a version (issue 12): the link names it, so it still serves it.
      expect((await fetchRaw(url)).body.toString()).toBe(CONTENT);
      const { versions } = await api.t.app.vfs.history.versions(principal, ['renamed.txt']);
      await api.t.app.vfs.history.deleteVersion(principal, ['renamed.txt'], versions.find((v) => !v.current)!.id);
      const stale = await fetchRaw(url);
      expect(stale.status).toBe(404);
      expect(envelopeOf(stale).code).toBe(40016);
      expect(envelopeOf(stale).msg).toMatch(/changed or replaced/);
      const fresh = await as<UrlJson>('POST', '/file/url', { json: { uris: ['cloudreve://my/renamed.txt'] } });
      const current = fresh.data!.urls[0]!.url;
      expect((await fetchRaw(current)).body.toString()).toBe('new content');
      await api.t.app.vfs.delete(principal, ['renamed.txt']);
      const gone = await fetchRaw(current);
      expect(gone.status).toBe(404);
      expect(envelopeOf(gone).code).toBe(40016);
    });

    it("stops serving when the owner's account is disabled", async () => {
      const { record, url } = await linked('disabled.txt');
      await api.t.app.users.setStatus(record.id, 'disabled');
      const got = await fetchRaw(url);
      expect(got.status).toBe(403);
      expect(envelopeOf(got).code).toBe(403);
    });

    it('serves a link made through a share only while the file stays in the shared folder; each link counts as a download', async () => {
      const { record, principal } = await user();
      await api.t.app.vfs.mkdir(principal, ['shared']);
      await write(principal, ['shared', 'in.txt'], 'shared content');
      const share = await api.t.app.shares.create(record, principal, ['shared'], { downloads: 2 });
      const uri = `cloudreve://${share.key}@share/in.txt`;
      // Anyone with the share link, signed in or not (contract 17).
      const first = await fetchJson('POST', '/file/url', { uris: [uri] });
      expect(first.code, first.msg).toBe(0);
      const link = (first.data as UrlJson).urls[0]!.url;
      expect((await fetchRaw(link)).body.toString()).toBe('shared content');
      expect((await fetchJson('POST', '/file/url', { uris: [uri] })).code).toBe(0);
      const third = await fetchJson('POST', '/file/url', { uris: [uri] });
      expect(third.code).toBe(40081);
      // Moved out of the shared folder: the link made through the share no longer reaches it.
      await api.t.app.vfs.move(principal, ['shared', 'in.txt'], ['out.txt']);
      const moved = await fetchRaw(link);
      expect(moved.status).toBe(404);
      expect(envelopeOf(moved).code).toBe(40016);
    });

    it('stops serving a link made through a share once the share is deleted, edited or expired; serves it again and again until then', async () => {
      const { principal, as } = await user();
      await api.t.app.vfs.mkdir(principal, ['shared']);
      await write(principal, ['shared', 'in.txt'], 'shared content');
      const linkTo = async (key: string, password = '') => {
        const answer = await fetchJson('POST', '/file/url', { uris: [`cloudreve://${key}${password && `:${password}`}@share/in.txt`] });
        expect(answer.code, answer.msg).toBe(0);
        return (answer.data as UrlJson).urls[0]!.url;
      };
      const gone = async (url: string) => {
        const got = await fetchRaw(url);
        expect(got.status, url).toBe(404);
        expect(envelopeOf(got).code).toBe(40016);
        expect(got.body.toString()).not.toContain('shared content');
      };

      const deleted = await shareOver(as, { uri: 'cloudreve://my/shared' });
      const edited = await shareOver(as, { uri: 'cloudreve://my/shared', password: 'before1' });
      const expiring = await shareOver(as, { uri: 'cloudreve://my/shared', expire: 600 });
      const untouched = await shareOver(as, { uri: 'cloudreve://my/shared' });
      const urls = {
        deleted: await linkTo(deleted.key),
        edited: await linkTo(edited.key, 'before1'),
        expiring: await linkTo(expiring.key),
        untouched: await linkTo(untouched.key),
      };
      for (const url of Object.values(urls)) {
        for (let i = 0; i < 2; i++) expect((await fetchRaw(url)).body.toString()).toBe('shared content');
        expect((await fetchRaw(url, { headers: { Range: 'bytes=7-' } })).body.toString()).toBe('content');
      }

      expect((await as('DELETE', `/share/${deleted.key}`)).code).toBe(0);
      await gone(urls.deleted);
      // Any edit (here a new password) ends the links made before it; a new one works.
      expect((await as('POST', `/share/${edited.key}`, { json: { uri: 'cloudreve://my/shared', password: 'after22' } })).code).toBe(0);
      await gone(urls.edited);
      expect((await fetchRaw(await linkTo(edited.key, 'after22'))).body.toString()).toBe('shared content');
      const before = now;
      try {
        now += 601_000; // the share has expired; the URL itself would still be valid for 50 minutes
        await gone(urls.expiring);
        await gone(urls.expiring); // HEAD and GET alike
        expect((await fetchRaw(urls.expiring, { method: 'HEAD' })).status).toBe(404);
      } finally {
        now = before;
      }
      expect((await fetchRaw(urls.untouched)).body.toString()).toBe('shared content');
      // The share and its revision are signed: dropping them, or naming the edited share's new
      // revision, is a changed link (40071), not a way around the check.
      const unshared = urls.edited.replace(/(sign=(?:[^.]+\.){4})[^.]+\.[^.]+\./, '$1');
      expect(unshared).not.toBe(urls.edited);
      expect(envelopeOf(await fetchRaw(unshared)).code).toBe(40071);
      const revised = urls.edited.replace(
        /(sign=(?:[^.]+\.){5})(\d+)\./,
        (_all, head: string, revision: string) => `${head}${Number(revision) + 1}.`,
      );
      expect(revised).not.toBe(urls.edited);
      expect(envelopeOf(await fetchRaw(revised)).code).toBe(40071);
    });

    it('counts the downloads of one request all together: a request that fails counts none (contract 9.1)', async () => {
      const { principal, as } = await user();
      await api.t.app.vfs.mkdir(principal, ['three']);
      for (const name of ['a.txt', 'b.txt', 'c.txt']) await write(principal, ['three', name], name);
      const limited = await shareOver(as, { uri: 'cloudreve://my/three', downloads: 2 });
      const uri = (name: string) => `cloudreve://${limited.key}@share/${name}`;
      /** Downloads left, as the owner's list shows them (the info page of a used-up share is 404). */
      const remaining = async () => {
        const mine = await as<{ shares: Array<{ id: string; remain_downloads?: number }> }>('GET', '/share', { query: { page_size: 10 } });
        return mine.data!.shares.find((s) => s.id === limited.key)!.remain_downloads;
      };
      const shareRows = () => api.t.app.database.db.selectFrom('shares').selectAll().orderBy('id').execute();

      await unchangedBy(shareRows, async () => {
        // Three files from a share with two downloads left: none is counted.
        const three = await fetchJson('POST', '/file/url', { uris: [uri('a.txt'), uri('b.txt'), uri('c.txt')] });
        expect(three.code).toBe(40081);
        // One missing file fails the request: the other is not counted either.
        const missing = await fetchJson('POST', '/file/url', { uris: [uri('a.txt'), uri('nope.txt')] });
        expect(missing.code).toBe(40081);
      });
      expect(await remaining()).toBe(2);

      // skip_error: a share that cannot serve all its files serves none of them, and is not
      // counted; the files of other shares are served and counted.
      const one = await shareOver(as, { uri: 'cloudreve://my/three', downloads: 1 });
      const free = await shareOver(as, { uri: 'cloudreve://my/three' });
      const skipping = await fetchJson('POST', '/file/url', {
        uris: [`cloudreve://${one.key}@share/a.txt`, `cloudreve://${free.key}@share/b.txt`, `cloudreve://${one.key}@share/c.txt`],
        skip_error: true,
      });
      expect(skipping.code, skipping.msg).toBe(0);
      const served = (skipping.data as UrlJson).urls;
      expect(served).toHaveLength(1);
      expect((await fetchRaw(served[0]!.url)).body.toString()).toBe('b.txt');
      expect((await as<{ remain_downloads?: number }>('GET', `/share/info/${one.key}`)).data!.remain_downloads).toBe(1);
      expect((await as<{ downloaded?: number }>('GET', `/share/info/${free.key}`)).data!.downloaded).toBe(1);

      // Two files, two downloads left: both served, both counted.
      const two = await fetchJson('POST', '/file/url', { uris: [uri('a.txt'), uri('c.txt')] });
      expect(two.code, two.msg).toBe(0);
      expect(await Promise.all((two.data as UrlJson).urls.map(async ({ url }) => (await fetchRaw(url)).body.toString()))).toEqual([
        'a.txt',
        'c.txt',
      ]);
      expect(await remaining()).toBe(0);
    });

    it('streams a large file and a range deep inside it', async () => {
      const big = Buffer.alloc(3 * 1024 * 1024 + 17);
      for (let i = 0; i < big.length; i++) big[i] = (i * 7919) % 251;
      const u = await user();
      await api.t.app.vfs.write(u.principal, ['big.bin'], Readable.from([big]));
      const response = await u.as<UrlJson>('POST', '/file/url', { json: { uris: ['cloudreve://my/big.bin'] } });
      const url = response.data!.urls[0]!.url;
      expect((await fetchRaw(url)).body.equals(big)).toBe(true);
      const start = 2 * 1024 * 1024 + 3;
      const part = await fetchRaw(url, { headers: { Range: `bytes=${start}-${start + 99_999}` } });
      expect(part.status).toBe(206);
      expect(part.body.equals(big.subarray(start, start + 100_000))).toBe(true);
    });
  });

  describe('GET /file/thumb (contract 10)', () => {
    it('answers 40077 for files and folders (no thumbnails yet), 40016 for missing files, 401 without login', async () => {
      const { principal, as } = await user();
      await write(principal, ['pic.jpg'], 'jpeg');
      await api.t.app.vfs.mkdir(principal, ['dir']);
      expect(await as('GET', '/file/thumb', { query: { uri: 'cloudreve://my/pic.jpg' } })).toMatchObject({ code: 40077 });
      expect(await as('GET', '/file/thumb', { query: { uri: 'cloudreve://my/dir' } })).toMatchObject({ code: 40077 });
      expect(await as('GET', '/file/thumb', { query: { uri: 'cloudreve://my/nope.jpg' } })).toMatchObject({ code: 40016 });
      expect(await as('GET', '/file/thumb', {})).toMatchObject({ code: 40001 });
      expect((await fetchJson('GET', '/file/thumb?uri=cloudreve%3A%2F%2Fmy%2Fpic.jpg')).code).toBe(401);
    });
  });

  /** Shares `body.uri` over HTTP as the user; the link's key. */
  async function shareOver(
    as: (method: string, path: string, options?: CallOptions) => Promise<{ code: number; data?: unknown }>,
    body: object,
  ) {
    const created = await as('PUT', '/share', { json: body });
    expect(created.code).toBe(0);
    return { key: /\/s\/([0-9A-Za-z]+)/.exec(created.data as string)![1]! };
  }

  /** An API call with no token, read as JSON. */
  async function fetchJson(method: string, path: string, json?: unknown) {
    const raw = await rawCall(api, method, path, json);
    return JSON.parse(raw.body.toString()) as { code: number; msg: string; data?: unknown };
  }
});

async function rawCall(api: ApiServer, method: string, path: string, json?: unknown, token?: string, headers: Record<string, string> = {}) {
  const body = json === undefined ? undefined : JSON.stringify(json);
  const all: Record<string, string> = { ...headers };
  if (body !== undefined) {
    all['Content-Type'] = 'application/json';
    all['Content-Length'] = String(Buffer.byteLength(body));
  }
  if (token) all.Authorization = `Bearer ${token}`;
  const target = new URL(`${api.origin}/api/v4${path}`);
  return new Promise<Fetched>((resolve, reject) => {
    const request = http.request(
      { host: target.hostname, port: target.port, path: target.pathname + target.search, method, headers: all, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
