// Issue 11, item 4, over real HTTP on both databases against a real S3 server (s3rver):
// a policy with `download: redirect` hands out presigned URLs of the store (POST /file/url,
// its 302, and WebDAV GETs of accounts with redirect downloads); small inline blobs, local
// files and proxy policies keep this server's signed /file/content links; every other WebDAV
// account is streamed. The clients are fetch (undici), which follows redirects.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { apiUser, call, type ApiServer } from '../support/api-server.js';
import { DIALECTS } from '../support/databases.js';
import { S3_GROUP, useS3ApiServer, type S3ApiServer } from '../support/s3-policy.js';

interface UrlJson {
  urls: Array<{ url: string }>;
  expires: string;
}

/** Larger than the inline threshold, so the bytes live in the store. */
const BIG = randomBytes(200 * 1024);

async function userWithFile(api: S3ApiServer, group: string, name: string, content: Buffer) {
  const u = await apiUser(api, group);
  const { Readable } = await import('node:stream');
  await api.app.vfs.write(u.principal, [name], Readable.from([content]));
  return u;
}

async function urlOf(u: Awaited<ReturnType<typeof apiUser>>, name: string, body: Record<string, unknown> = { download: true }) {
  const response = await u.as<UrlJson>('POST', '/file/url', { json: { uris: [`cloudreve://my/${name}`], ...body } });
  expect(response.code, response.msg).toBe(0);
  return response;
}

async function davAccount(api: ApiServer, token: string, redirect: boolean): Promise<string> {
  const created = await call<{ password: string }>(api, 'PUT', '/devices/dav', {
    token,
    json: { uri: 'cloudreve://my', name: redirect ? 'redirecting' : 'streaming', redirect_downloads: redirect },
  });
  expect(created.code, created.msg).toBe(0);
  return created.data!.password;
}

describe.each(DIALECTS)('downloads per policy (%s)', (dialect) => {
  describe('a policy with redirect downloads', () => {
    const api = useS3ApiServer(dialect, { download: 'redirect' });

    it('answers /file/url with a presigned URL of the store, valid at most the link TTL, that serves the bytes as an attachment', async () => {
      const u = await userWithFile(api, S3_GROUP, 'big.bin', BIG);
      const before = Date.now();
      const response = await urlOf(u, 'big.bin');
      const url = new URL(response.data!.urls[0]!.url);
      expect(url.origin).toBe(api.s3.endpoint);
      expect(Number(url.searchParams.get('X-Amz-Expires'))).toBeLessThanOrEqual(3600);
      expect(Date.parse(response.data!.expires)).toBeLessThanOrEqual(before + 3600_000 + 1000);
      const fetched = await fetch(url);
      expect(fetched.status).toBe(200);
      expect(fetched.headers.get('content-disposition')).toMatch(/^attachment/);
      expect(Buffer.from(await fetched.arrayBuffer()).equals(BIG)).toBe(true);
      // The store honours ranges, as this server does.
      const part = await fetch(url, { headers: { Range: 'bytes=10-19' } });
      expect(part.status).toBe(206);
      expect(Buffer.from(await part.arrayBuffer()).equals(BIG.subarray(10, 20))).toBe(true);
    });

    it('answers redirect: true with 302 to the store', async () => {
      const u = await userWithFile(api, S3_GROUP, 'moved.txt', BIG);
      const response = await fetch(`${api.origin}/api/v4/file/url`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${u.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ uris: ['cloudreve://my/moved.txt'], redirect: true }),
        redirect: 'manual',
      });
      expect(response.status).toBe(302);
      const location = new URL(response.headers.get('location')!);
      expect(location.origin).toBe(api.s3.endpoint);
      // A preview (no `download`) of a type safe to show in place.
      expect(location.searchParams.get('response-content-disposition')).toMatch(/^inline/);
      const fetched = await fetch(location);
      expect(fetched.headers.get('content-type')).toMatch(/^text\/plain/);
    });

    it('gives an anonymous visitor of a share the store URL too, and counts the download', async () => {
      const u = await apiUser(api, S3_GROUP);
      await api.app.vfs.mkdir(u.principal, ['Shared']);
      const { Readable } = await import('node:stream');
      await api.app.vfs.write(u.principal, ['Shared', 'big.bin'], Readable.from([BIG]));
      const created = await u.as<string>('PUT', '/share', { json: { uri: 'cloudreve://my/Shared', downloads: 1 } });
      expect(created.code, created.msg).toBe(0);
      const id = /\/s\/([0-9A-Za-z]+)$/.exec(created.data!)![1]!;
      const uri = `cloudreve://${id}@share/big.bin`;
      const first = await call<UrlJson>(api, 'POST', '/file/url', { json: { uris: [uri] } });
      expect(first.code, first.msg).toBe(0);
      const url = new URL(first.data!.urls[0]!.url);
      expect(url.origin).toBe(api.s3.endpoint);
      expect(Buffer.from(await (await fetch(url)).arrayBuffer()).equals(BIG)).toBe(true);
      // The only download the share allowed was counted.
      expect((await call(api, 'POST', '/file/url', { json: { uris: [uri] } })).code).not.toBe(0);
    });

    it('keeps the signed /file/content link for small files kept in the database and for files on the local policy', async () => {
      const inline = await userWithFile(api, S3_GROUP, 'small.txt', Buffer.from('tiny'));
      const small = new URL((await urlOf(inline, 'small.txt')).data!.urls[0]!.url);
      expect(small.origin).toBe(api.origin);
      expect(small.pathname).toMatch(/^\/api\/v4\/file\/content\//);
      expect(await (await fetch(small)).text()).toBe('tiny');

      const local = await userWithFile(api, 'User', 'local.bin', BIG);
      const link = new URL((await urlOf(local, 'local.bin')).data!.urls[0]!.url);
      expect(link.origin).toBe(api.origin);
      expect(Buffer.from(await (await fetch(link)).arrayBuffer()).equals(BIG)).toBe(true);
    });

    it('redirects WebDAV GETs of an account with redirect downloads to the store; a default account is streamed', async () => {
      const u = await userWithFile(api, S3_GROUP, 'dav.bin', BIG);
      const basic = (password: string) => `Basic ${Buffer.from(`${u.record.email}:${password}`).toString('base64')}`;
      const redirecting = basic(await davAccount(api, u.token, true));
      const streaming = basic(await davAccount(api, u.token, false));

      const manual = await fetch(`${api.origin}/dav/dav.bin`, { headers: { Authorization: redirecting }, redirect: 'manual' });
      expect(manual.status).toBe(302);
      expect(new URL(manual.headers.get('location')!).origin).toBe(api.s3.endpoint);
      expect(manual.headers.get('cache-control')).toBe('no-store');

      // fetch follows the redirect and drops Authorization on the way to another origin (the URL is the credential).
      const followed = await fetch(`${api.origin}/dav/dav.bin`, { headers: { Authorization: redirecting } });
      expect(followed.status).toBe(200);
      expect(followed.redirected).toBe(true);
      expect(new URL(followed.url).origin).toBe(api.s3.endpoint);
      expect(Buffer.from(await followed.arrayBuffer()).equals(BIG)).toBe(true);
      const ranged = await fetch(`${api.origin}/dav/dav.bin`, { headers: { Authorization: redirecting, Range: 'bytes=100-199' } });
      expect(ranged.status).toBe(206);
      expect(Buffer.from(await ranged.arrayBuffer()).equals(BIG.subarray(100, 200))).toBe(true);
      // HEAD and conditional requests are answered here.
      const head = await fetch(`${api.origin}/dav/dav.bin`, {
        method: 'HEAD',
        headers: { Authorization: redirecting },
        redirect: 'manual',
      });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-length')).toBe(String(BIG.length));
      const etag = head.headers.get('etag')!;
      const cached = await fetch(`${api.origin}/dav/dav.bin`, {
        headers: { Authorization: redirecting, 'If-None-Match': etag },
        redirect: 'manual',
      });
      expect(cached.status).toBe(304);

      const streamed = await fetch(`${api.origin}/dav/dav.bin`, { headers: { Authorization: streaming } });
      expect(streamed.status).toBe(200);
      expect(streamed.redirected).toBe(false);
      expect(Buffer.from(await streamed.arrayBuffer()).equals(BIG)).toBe(true);
    });

    it('lets an account switch redirect downloads on and off, and shows the flag', async () => {
      const u = await userWithFile(api, S3_GROUP, 'flag.bin', BIG);
      const created = await u.as<{ id: string; redirect_downloads: boolean }>('PUT', '/devices/dav', {
        json: { uri: 'cloudreve://my', name: 'phone' },
      });
      expect(created.data!.redirect_downloads).toBe(false);
      const changed = await u.as<{ redirect_downloads: boolean }>('PATCH', `/devices/dav/${created.data!.id}`, {
        json: { redirect_downloads: true },
      });
      expect(changed.data!.redirect_downloads).toBe(true);
      const listed = await u.as<{ accounts: Array<{ redirect_downloads: boolean }> }>('GET', '/devices/dav', { query: { page_size: 10 } });
      expect(listed.data!.accounts[0]!.redirect_downloads).toBe(true);
    });
  });

  describe('a policy with proxied downloads', () => {
    const api = useS3ApiServer(dialect, { download: 'proxy' });

    it('streams through this server, for the API and every WebDAV account', async () => {
      const u = await userWithFile(api, S3_GROUP, 'proxied.bin', BIG);
      const link = new URL((await urlOf(u, 'proxied.bin')).data!.urls[0]!.url);
      expect(link.origin).toBe(api.origin);
      expect(Buffer.from(await (await fetch(link)).arrayBuffer()).equals(BIG)).toBe(true);
      const password = await davAccount(api, u.token, true);
      const auth = `Basic ${Buffer.from(`${u.record.email}:${password}`).toString('base64')}`;
      const dav = await fetch(`${api.origin}/dav/proxied.bin`, { headers: { Authorization: auth }, redirect: 'manual' });
      expect(dav.status).toBe(200);
      expect(Buffer.from(await dav.arrayBuffer()).equals(BIG)).toBe(true);
    });
  });
});
