import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { startDavServer, type DavServer } from '../support/dav-server.js';

/** A raw request: fetch would normalise the path before sending it. */
function raw(dav: DavServer, method: string, path: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port: new URL(dav.origin).port, method, path }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('URLs the router cannot decode', () => {
  let dav: DavServer;
  beforeAll(async () => {
    dav = await startDavServer('sqlite');
  });
  afterAll(() => dav.close());

  it('still get the WebDAV OPTIONS answer, the same as every other path', async () => {
    const bad = await raw(dav, 'OPTIONS', '/dav/%C0%AE');
    const good = await raw(dav, 'OPTIONS', '/dav/anything');
    expect(bad.status).toBe(200);
    expect(bad.headers.dav).toBe('1, 2');
    expect(bad.headers.allow).toBe(good.headers.allow);
  });

  it('get a plain 400 under /dav and the API envelope under /api', async () => {
    const dav400 = await raw(dav, 'GET', '/dav/%C0%AE');
    expect(dav400.status).toBe(400);
    expect(dav400.body).toMatch(/^400 Bad Request/);
    const api = await raw(dav, 'GET', '/api/v4/%C0%AE');
    expect(api.status).toBe(200);
    expect(JSON.parse(api.body)).toMatchObject({ code: 40001 });
  });
});
