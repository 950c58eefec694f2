import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import { apiUser, call } from '../support/api-server.js';
import { davFetch, startDavServer, type DavServer } from '../support/dav-server.js';

// Issue 10 item 7: hostile input gets a 4xx, never a 500 or a hang, and its answer reaches the
// client whole. One real server with short body and header timeouts (1 s), so the stalls
// below are answered without long waits; nothing here asserts how fast anything is.

/** A raw connection: writes `head` (and `body`), then reads until the server closes it. */
function rawExchange(dav: DavServer, head: string, body?: Buffer): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(new URL(dav.origin).port), '127.0.0.1');
    let text = '';
    socket.on('data', (data: Buffer) => (text += data.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve({ text, closed: true }));
    socket.write(head);
    if (body) socket.write(body);
  });
}

const basic = (dav: DavServer) => `Basic ${Buffer.from(`${dav.email}:${dav.password}`).toString('base64')}`;

describe('hostile input', () => {
  let dav: DavServer;
  beforeAll(async () => {
    dav = await startDavServer('sqlite', { config: { http: { bodyTimeoutSeconds: 1, headersTimeoutSeconds: 1 } } });
  });
  afterAll(() => dav.close());

  it('a WebDAV body that stalls is answered 408, the connection closed and nothing stored', async () => {
    const head = `PUT /dav/stalled.bin HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${basic(dav)}\r\nContent-Length: 1000\r\n\r\n`;
    const { text, closed } = await rawExchange(dav, head, Buffer.alloc(10, 1));
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(closed).toBe(true);
    expect((await davFetch(dav, '/dav/stalled.bin', { method: 'HEAD' })).status).toBe(404);
  });

  it('an API chunk that stalls is answered 408 and no chunk is stored', async () => {
    const { as, token } = await apiUser(dav);
    const upload = await as<{ session_id: string }>('PUT', '/file/upload', { json: { uri: 'cloudreve://my/stalled.bin', size: 1000 } });
    const path = `/api/v4/file/upload/${upload.data!.session_id}/0`;
    const head = `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nContent-Length: 1000\r\n\r\n`;
    const { text } = await rawExchange(dav, head, Buffer.alloc(10, 1));
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    const progress = await as<{ chunks: number[] }>('GET', `/file/upload/${upload.data!.session_id}`);
    expect(progress.data).toMatchObject({ completed: false });
    expect(JSON.stringify(progress.data)).not.toMatch(/"received":\[0/);
  });

  it('headers that never finish are answered 408 and the connection closed', async () => {
    const { text, closed } = await rawExchange(dav, 'GET /api/v4/site/ping HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(closed).toBe(true);
  });

  it('a COPY or MOVE with two Destination headers is 400 and changes nothing', async () => {
    expect((await davFetch(dav, '/dav/src.txt', { method: 'PUT', body: 'x' })).status).toBe(201);
    for (const method of ['COPY', 'MOVE']) {
      const head =
        `${method} /dav/src.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${basic(dav)}\r\nConnection: close\r\n` +
        'Destination: /dav/one.txt\r\nDestination: /dav/two.txt\r\n\r\n';
      const { text } = await rawExchange(dav, head);
      expect(text, method).toMatch(/^HTTP\/1\.1 400 /);
      expect(text).toContain('Send the Destination header once');
    }
    for (const name of ['one.txt', 'two.txt', 'one.txt, ']) {
      expect((await davFetch(dav, `/dav/${encodeURIComponent(name)}`, { method: 'HEAD' })).status, name).toBe(404);
    }
    expect((await davFetch(dav, '/dav/src.txt', { method: 'HEAD' })).status).toBe(200);
  });

  it('error bodies never echo a path, name or value from the request', async () => {
    const marker = 'Zq9marker';
    const { as } = await apiUser(dav);
    await davFetch(dav, `/dav/${marker}-file`, { method: 'PUT', body: 'x' });
    const dav404 = await davFetch(dav, `/dav/${marker}-missing/x.txt`);
    const dav409 = await davFetch(dav, `/dav/${marker}-missing/new`, { method: 'MKCOL' });
    const under = await davFetch(dav, `/dav/${marker}-file/child`, { method: 'PUT', body: 'y' });
    const depth = await davFetch(dav, '/dav/', { method: 'PROPFIND', headers: { Depth: marker } });
    const overwrite = await davFetch(dav, `/dav/${marker}-file`, { method: 'COPY', headers: { Destination: '/dav/b', Overwrite: marker } });
    const badUrl = await davFetch(dav, `/dav/%C0%AE${marker}`);
    const answers: Array<[string, number, string]> = [];
    for (const [name, response] of Object.entries({ dav404, dav409, under, depth, overwrite, badUrl })) {
      answers.push([name, response.status, await response.text()]);
    }
    const api: Record<string, { code: number; msg: string }> = {
      list: await as('GET', '/file', { query: { uri: `cloudreve://my/${marker}-missing`, page_size: 50 } }),
      create: await as('PUT', '/file/create', { json: { uri: `cloudreve://my/${marker}-file`, type: 'folder' } }),
      uri: await as('GET', '/file', { query: { uri: `${marker}://my/x`, page_size: 50 } }),
      fs: await as('GET', '/file', { query: { uri: `cloudreve://${marker}/x`, page_size: 50 } }),
      share: await as('GET', `/share/info/${marker}-x`),
      endpoint: await as('GET', `/${marker}`),
      json: await as('POST', '/file/url', { body: `{"uris": [${marker}`, headers: { 'Content-Type': 'application/json' } }),
      chunk: await as('POST', `/file/upload/x/${marker}`, { body: 'x' }),
      device: await as('PUT', '/devices/dav', { json: { uri: `cloudreve://my/${marker}`, name: marker } }).then(() =>
        as('PUT', '/devices/dav', { json: { uri: `cloudreve://my/${marker}`, name: marker } }),
      ),
    };
    for (const [name, status, text] of answers) {
      expect(status, name).toBeGreaterThanOrEqual(400);
      expect(status, name).toBeLessThan(500);
      expect(text, name).not.toContain(marker);
    }
    for (const [name, answer] of Object.entries(api)) {
      expect(answer.code, name).not.toBe(0);
      expect(answer.msg, name).not.toContain(marker);
    }
  });

  it('a refused REST chunk one byte short of 25 MiB gets its 40013 answer whole, every time', { timeout: 300_000 }, async () => {
    const { as, token } = await apiUser(dav);
    const chunkSize = 25 * 1024 * 1024;
    const body = Buffer.alloc(chunkSize - 1, 7);
    for (let run = 0; run < 10; run++) {
      const upload = await as<{ session_id: string }>('PUT', '/file/upload', {
        json: { uri: `cloudreve://my/short-${run}.bin`, size: chunkSize + 10 },
      });
      const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const request = http.request(
          `${dav.origin}/api/v4/file/upload/${upload.data!.session_id}/0`,
          { method: 'POST', agent: false, headers: { Authorization: `Bearer ${token}`, 'Content-Length': String(body.length) } },
          (response) => {
            let text = '';
            response.on('data', (data: Buffer) => (text += data.toString()));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
            response.on('error', reject);
          },
        );
        request.on('error', reject);
        request.end(body);
      });
      expect(answer.status, `run ${run}`).toBe(200);
      expect(JSON.parse(answer.text), `run ${run}`).toMatchObject({ code: 40013 });
    }
    // The server keeps serving.
    expect((await call(dav, 'GET', '/site/ping')).code).toBe(0);
  });
});
