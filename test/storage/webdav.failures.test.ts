import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { UnavailableError, UpstreamError } from '../../src/core/index.js';
import { createBackend, WebDavBackend } from '../../src/storage/index.js';
import { readAll } from '../support/app.js';
import { freePort } from '../support/cli.js';
import { startRcloneDav, type RemoteDav } from '../support/webdav-remotes.js';

/** A plain HTTP server whose every answer `handle` decides: the misbehaving remote that no real server plays. */
async function misbehaving(handle: http.RequestListener) {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const settings = (url: string, extra: Record<string, string> = {}) => ({ download: 'proxy' as const, url, root: '/', ...extra });

describe('webdav backend against a failing or hostile remote', () => {
  let rclone: RemoteDav;
  beforeAll(async () => {
    rclone = await startRcloneDav('/probe-root');
  });
  afterAll(() => rclone.close());

  it('probes a real server, and removes old temporaries only', async () => {
    const backend = new WebDavBackend(rclone.settings);
    await backend.probe();
    const left = [];
    for await (const object of backend.list()) left.push(object.key);
    expect(left).toEqual([]);
    expect(await backend.removeTemporaries(Date.now() - 3600_000)).toBe(0);
    await backend.close();
  });

  it('is what createBackend builds for a webdav policy', async () => {
    const built = createBackend('webdav', rclone.settings, { dataDir: '/nonexistent' });
    expect(built).toBeInstanceOf(WebDavBackend);
    await (built as WebDavBackend).close();
  });

  it('reports refused credentials as a failing upstream, without the password', async () => {
    const backend = new WebDavBackend({ ...rclone.settings, password: 'wrong-password-xyz' });
    const failure = await backend.probe().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UpstreamError);
    expect((failure as Error).message).toMatch(
      /^Probe of the WebDAV server 127\.0\.0\.1:\d+\/probe-root\/ failed: could not write a probe object: .*refused the configured credentials.*\(HTTP 401\)$/,
    );
    expect((failure as Error).message).not.toMatch(/wrong-password-xyz|rclone secret/);
    await backend.close();
  });

  it('reports an unreachable server as unavailable', async () => {
    const port = await freePort();
    const backend = new WebDavBackend(settings(`http://127.0.0.1:${port}/`, { username: 'u', password: 'secret-pw' }));
    const failure = await backend.stat('ab/cd/x').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UnavailableError);
    expect((failure as Error).message).toBe(
      `The WebDAV server 127.0.0.1:${port}/ cannot be reached while looking up an object (ECONNREFUSED)`,
    );
    // The storage key is for the log, not the message.
    expect((failure as UnavailableError).logged).toEqual({ key: 'ab/cd/x' });
    await backend.close();
  });

  it('follows no redirect, to another host or its own', async () => {
    const elsewhere = await misbehaving((_req, res) => res.end('should never be asked'));
    const redirecting = await misbehaving((req, res) => {
      res.writeHead(307, { location: `${elsewhere.url}${req.url!.slice(1)}` }).end();
    });
    const backend = new WebDavBackend(settings(redirecting.url, { username: 'u', password: 'secret-pw' }));
    for (const attempt of [
      () => backend.get('ab/cd/x'),
      () => backend.put('ab/cd/x', Readable.from([Buffer.from('body')])),
      () => backend.stat('ab/cd/x'),
    ]) {
      const failure = await attempt().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(UpstreamError);
      expect((failure as Error).message).toContain('redirects from a storage server are not followed');
    }
    expect(elsewhere.requests).toEqual([]);
    await backend.close();
    await redirecting.close();
    await elsewhere.close();
  });

  it('fails a body that stalls mid-transfer instead of hanging', async () => {
    const stalling = await misbehaving((_req, res) => {
      res.writeHead(200, { 'content-length': '1000000' });
      res.write(Buffer.alloc(1000)); // and nothing more
    });
    const backend = new WebDavBackend(settings(stalling.url), { timeouts: { connectMs: 5_000, headersMs: 5_000, idleMs: 500 } });
    const body = await backend.get('ab/cd/x');
    const failure = await readAll(body).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UnavailableError);
    expect((failure as Error).message).toContain('stalled');
    await backend.close();
    await stalling.close();
  });
});
