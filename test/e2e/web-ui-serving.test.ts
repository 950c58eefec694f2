// src/http/web.ts on its own: what `/` answers before the UI is built, and that a request
// can reach only the files of the build (no path out of it, no index.html as a script).
import Fastify, { type FastifyInstance } from 'fastify';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOT_BUILT_MESSAGE, registerWeb } from '../../src/http/web.js';
import { tempDir } from '../support/databases.js';

async function serve(root: string): Promise<FastifyInstance> {
  const server = Fastify();
  await registerWeb(server, { root });
  await server.ready();
  return server;
}

describe('web UI serving without a build', () => {
  const dir = tempDir('cumulus-web-');
  let server: FastifyInstance;
  beforeAll(async () => {
    server = await serve(path.join(dir.path, 'missing'));
  });
  afterAll(async () => {
    await server.close();
    dir.remove();
  });

  it.each(['/', '/home?path=/x', '/s/abc'])('%s says how to build the UI', async (url) => {
    const response = await server.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(503);
    expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(response.body).toBe(NOT_BUILT_MESSAGE);
    expect(response.body).toContain('npm run build');
  });
});

describe('web UI serving from a build', () => {
  const dir = tempDir('cumulus-web-');
  let server: FastifyInstance;
  beforeAll(async () => {
    mkdirSync(path.join(dir.path, 'assets'));
    writeFileSync(path.join(dir.path, 'index.html'), '<meta property="csp-nonce" nonce="__CSP_NONCE__"><div id="root"></div>');
    writeFileSync(path.join(dir.path, 'assets', 'app-1a2b.js'), 'console.log(1)');
    writeFileSync(path.join(dir.path, 'assets', 'app-1a2b.js.br'), 'brotli bytes');
    writeFileSync(path.join(dir.path, 'assets', 'app-1a2b.js.gz'), 'gzip bytes');
    writeFileSync(path.join(dir.path, 'favicon.svg'), '<svg/>');
    writeFileSync(path.join(dir.path, '..', 'secret.txt'), 'outside');
    server = await serve(dir.path);
  });
  afterAll(async () => {
    await server.close();
    dir.remove();
  });

  it('answers client routes with index.html, a fresh nonce and a strict CSP', async () => {
    const first = await server.inject({ method: 'GET', url: '/shares' });
    const second = await server.inject({ method: 'GET', url: '/shares' });
    expect(first.statusCode).toBe(200);
    const nonce = /nonce="([^"]+)"/.exec(first.body)![1]!;
    expect(nonce).not.toBe(/nonce="([^"]+)"/.exec(second.body)![1]);
    const csp = first.headers['content-security-policy'] as string;
    expect(csp).toContain(`script-src 'self' 'nonce-${nonce}'`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(first.headers['referrer-policy']).toBe('no-referrer');
    expect((await server.inject({ method: 'HEAD', url: '/' })).statusCode).toBe(200);
  });

  it('serves build files, and nothing else, never index.html for a missing file', async () => {
    const js = await server.inject({ method: 'GET', url: '/assets/app-1a2b.js' });
    expect([js.statusCode, js.body, js.headers['cache-control']]).toEqual([200, 'console.log(1)', 'public, max-age=31536000, immutable']);
    expect((await server.inject({ method: 'GET', url: '/favicon.svg' })).headers['content-type']).toBe('image/svg+xml');
    for (const url of [
      '/assets/missing.js',
      '/assets/..%2f..%2fsecret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/assets/.hidden',
      '/missing.png',
    ]) {
      const response = await server.inject({ method: 'GET', url });
      expect([url, response.statusCode]).toEqual([url, 404]);
      expect(response.body).not.toContain('outside');
    }
  });

  it('sends the precompressed copy the browser accepts, with Vary', async () => {
    for (const [accept, body, encoding] of [
      ['gzip, deflate, br, zstd', 'brotli bytes', 'br'],
      ['gzip', 'gzip bytes', 'gzip'],
      ['br;q=0, gzip;q=0.5', 'gzip bytes', 'gzip'],
      ['identity', 'console.log(1)', undefined],
      ['', 'console.log(1)', undefined],
    ] as const) {
      const response = await server.inject({ method: 'GET', url: '/assets/app-1a2b.js', headers: { 'accept-encoding': accept } });
      expect([accept, response.body, response.headers['content-encoding']]).toEqual([accept, body, encoding]);
      expect(response.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(response.headers.vary).toBe('Accept-Encoding');
      expect(response.headers['content-length']).toBe(String(Buffer.byteLength(body)));
    }
  });

  it('never answers /api or /dav paths, nor other methods, with the app', async () => {
    for (const [method, url] of [
      ['GET', '/api/v4/nothing'],
      ['GET', '/api'],
      ['GET', '/dav/x'],
      ['POST', '/home'],
      ['PUT', '/'],
    ] as const) {
      const response = await server.inject({ method, url });
      expect([method, url, response.statusCode]).toEqual([method, url, 404]);
    }
  });
});
