import { afterAll, describe, expect, it } from 'vitest';
import { request as httpRequest } from 'node:http';
import { freePort, spawnCumulus } from '../support/cli.js';
import { tempDir } from '../support/databases.js';

// DESIGN.md, security decisions: secrets (passwords, tokens, signed URLs, share passwords)
// never reach a log. A real `cumulus serve` (the spawned CLI, its log on a pipe) is used on
// every surface at `info` and then `debug`; the log is then searched for every secret it saw.

const ADMIN = 'admin@cumulus.local';
const ADMIN_PASSWORD = 'Adm1n-pw-7c1f0e55';
const WRONG_PASSWORD = 'Wr0ng-pw-b81d3a09';
const SHARE_PASSWORD = 'q7v2k9x4';
const WRONG_SHARE_PASSWORD = 'z3m8p1w6';
const COOKIE = 'cookie-value-5a1e93d7';

interface Answer {
  readonly status: number;
  readonly text: string;
}

describe('logs of a running server', () => {
  const dirs: Array<ReturnType<typeof tempDir>> = [];
  afterAll(() => dirs.forEach((dir) => dir.remove()));

  for (const level of ['info', 'debug'] as const) {
    it(`hold no password, token, signed URL, share password or cookie at level ${level}`, { timeout: 240_000 }, async () => {
      const dir = tempDir();
      dirs.push(dir);
      const port = await freePort();
      const origin = `http://127.0.0.1:${port}`;
      const child = spawnCumulus(['serve', '--data', dir.path, '--listen', `127.0.0.1:${port}`], {
        CUMULUS_LOG_LEVEL: level,
        CUMULUS_ADMIN_PASSWORD: ADMIN_PASSWORD,
      });
      let log = '';
      child.stdout.on('data', (data: Buffer) => (log += data.toString()));
      child.stderr.on('data', (data: Buffer) => (log += data.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

      const send = (method: string, path: string, options: { headers?: Record<string, string>; body?: string | Buffer } = {}) =>
        new Promise<Answer>((resolve, reject) => {
          const req = httpRequest(`${origin}${path}`, { method, headers: { Cookie: `session=${COOKIE}`, ...options.headers } }, (res) => {
            let text = '';
            res.on('data', (chunk: Buffer) => (text += chunk.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          });
          req.on('error', reject);
          req.end(options.body);
        });
      const api = async <T>(method: string, path: string, json?: unknown, token?: string) => {
        const headers: Record<string, string> = { 'Content-Type': 'application/json' };
        if (token) headers.Authorization = `Bearer ${token}`;
        const answer = await send(method, `/api/v4${path}`, { headers, body: json === undefined ? undefined : JSON.stringify(json) });
        return JSON.parse(answer.text) as { code: number; msg: string; data: T };
      };

      let up = false;
      // Two minutes at most, as serveCumulus allows: a tsx start on a loaded machine can take most of one.
      for (let attempt = 0; attempt < 1200 && !up; attempt++) {
        up = await send('GET', '/api/v4/site/ping').then(
          () => true,
          () => false,
        );
        if (!up) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(up, log).toBe(true);

      // API: a failed and a good sign-in, a refresh, a refresh with a spent token.
      await api('POST', '/session/token', { email: ADMIN, password: WRONG_PASSWORD });
      const login = await api<{ token: { access_token: string; refresh_token: string } }>('POST', '/session/token', {
        email: ADMIN,
        password: ADMIN_PASSWORD,
      });
      expect(login.code, login.msg).toBe(0);
      const refreshed = await api<{ access_token: string; refresh_token: string }>('POST', '/session/token/refresh', {
        refresh_token: login.data.token.refresh_token,
      });
      expect(refreshed.code, refreshed.msg).toBe(0);
      const token = refreshed.data.access_token;
      await api('POST', '/session/token/refresh', { refresh_token: `${login.data.token.refresh_token}x` });
      await api('GET', '/user/me', undefined, `${token}x`);

      // WebDAV with a device password, and with a wrong one.
      const device = await api<{ password: string }>('PUT', '/devices/dav', { uri: 'cloudreve://my/dav', name: 'laptop' }, token);
      expect(device.code, device.msg).toBe(0);
      const davPassword = device.data.password;
      const basic = (password: string) => `Basic ${Buffer.from(`${ADMIN}:${password}`).toString('base64')}`;
      expect((await send('PUT', '/dav/hello.txt', { headers: { Authorization: basic(davPassword) }, body: 'hello' })).status).toBe(201);
      expect((await send('PROPFIND', '/dav/', { headers: { Authorization: basic(davPassword), Depth: '1' } })).status).toBe(207);
      expect((await send('GET', '/dav/hello.txt', { headers: { Authorization: basic(WRONG_PASSWORD) } })).status).toBe(401);

      // A REST upload (larger than the inline limit), then its signed download URL, used and tampered with.
      const size = 100_000;
      const upload = await api<{ session_id: string }>('PUT', '/file/upload', { uri: 'cloudreve://my/big.bin', size }, token);
      expect(upload.code, upload.msg).toBe(0);
      const chunk = await send('POST', `/api/v4/file/upload/${upload.data.session_id}/0`, {
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/octet-stream' },
        body: Buffer.alloc(size, 7),
      });
      expect(JSON.parse(chunk.text)).toMatchObject({ code: 0 });
      const urls = await api<{ urls: Array<{ url: string }> }>('POST', '/file/url', { uris: ['cloudreve://my/big.bin'] }, token);
      expect(urls.code, urls.msg).toBe(0);
      const signed = new URL(urls.data.urls[0]!.url);
      const sign = signed.searchParams.get('sign')!;
      const mac = sign.split('.').at(-1)!;
      expect((await send('GET', `${signed.pathname}${signed.search}`)).status).toBe(200);
      await send('GET', `${signed.pathname}${signed.search.replace(mac, `${mac.slice(0, -2)}AA`)}`);

      // A share with a password: its link, its info, its files through a cloudreve:// URI and the /s/ page.
      const share = await api<string>('PUT', '/share', { uri: 'cloudreve://my/dav', password: SHARE_PASSWORD }, token);
      expect(share.code, share.msg).toBe(0);
      const key = /\/s\/([^/]+)\//.exec(share.data)![1]!;
      await api('GET', `/share/info/${key}?password=${SHARE_PASSWORD}`);
      await api('GET', `/share/info/${key}?password=${WRONG_SHARE_PASSWORD}`);
      const shareUri = (password: string) => encodeURIComponent(`cloudreve://${key}:${password}@share`);
      expect((await api('GET', `/file?uri=${shareUri(SHARE_PASSWORD)}&page_size=50`)).code).toBe(0);
      await api('GET', `/file?uri=${shareUri(WRONG_SHARE_PASSWORD)}&page_size=50`);
      await api('POST', '/file/url', { uris: [`cloudreve://${key}:${SHARE_PASSWORD}@share/hello.txt`] });
      await api('POST', '/file/url', { uris: [`cloudreve://${key}:${WRONG_SHARE_PASSWORD}@share/missing.txt`] });
      await send('GET', `/s/${key}/${SHARE_PASSWORD}`);
      // The web UI and one of its assets (built or not).
      await send('GET', '/');
      await send('GET', '/assets/index.js');
      // Hostile input: an undecodable URL carrying a secret in its query.
      await send('GET', `/dav/%C0%AE?sign=${mac}`);

      child.kill('SIGTERM');
      expect(await exited).toBe(0);

      const secrets = {
        'admin password': ADMIN_PASSWORD,
        'wrong password': WRONG_PASSWORD,
        'first access token': login.data.token.access_token,
        'first refresh token': login.data.token.refresh_token,
        'access token': token,
        'refresh token': refreshed.data.refresh_token,
        'WebDAV password': davPassword,
        'Basic credentials': Buffer.from(`${ADMIN}:${davPassword}`).toString('base64'),
        'signed URL signature': mac,
        'share password': SHARE_PASSWORD,
        'wrong share password': WRONG_SHARE_PASSWORD,
        cookie: COOKIE,
      };
      const found = Object.entries(secrets)
        .filter(([, secret]) => log.includes(secret))
        .flatMap(([name, secret]) =>
          log
            .split('\n')
            .filter((line) => line.includes(secret))
            .map((line) => `${name}: ${line}`),
        );
      expect(found).toEqual([]);

      // The request log is still there: method, path and status of each request.
      const lines = log
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { req?: { method: string; url: string }; res?: { statusCode: number }; responseTime?: number });
      expect(lines.some((line) => line.req?.method === 'PROPFIND' && line.req.url === '/dav/')).toBe(true);
      expect(lines.some((line) => line.req?.url.startsWith(signed.pathname))).toBe(true);
      expect(lines.some((line) => line.res?.statusCode === 207 && typeof line.responseTime === 'number')).toBe(true);
    });
  }
});
