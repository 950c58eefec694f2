// Over real HTTP: request headers a client can get wrong (Depth, If, Timeout, Range, If-Range
// and the RFC 7232 preconditions) and uploads that go wrong (a client that disconnects, a body
// shorter than announced, a quota, a checksum, Content-Range), each checked for its precise
// status and for leaving nothing half-done (DESIGN.md "Errors and bad input", decision 2).
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { davFetch, startDavServer, type DavServer } from '../support/dav-server.js';
import { storageState, storageUsed, snapshot, unchanged } from '../support/inspect.js';

async function put(dav: DavServer, path: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<Response> {
  const response = await davFetch(dav, path, { method: 'PUT', body, headers });
  expect([201, 204]).toContain(response.status);
  return response;
}

async function bytesOf(dav: DavServer, path: string): Promise<Buffer | null> {
  const response = await davFetch(dav, path);
  if (response.status === 404) return null;
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

async function etagOf(dav: DavServer, path: string): Promise<string> {
  const response = await davFetch(dav, path, { method: 'HEAD' });
  expect(response.status).toBe(200);
  return response.headers.get('etag')!;
}

/** Waits until `check` holds (a minute at most: a loaded machine), then asserts it once more for a readable failure. */
async function eventually(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await sleep(25);
  }
  expect(await check()).toBe(true);
}

function basic(dav: DavServer, credentials = { email: dav.email, password: dav.password }): string {
  return `Basic ${Buffer.from(`${credentials.email}:${credentials.password}`).toString('base64')}`;
}

/** Parses a multipart/byteranges body into its parts (RFC 7233 appendix A). */
function byteranges(contentType: string, body: Buffer): Array<{ range: string; type: string | undefined; data: string }> {
  const boundary = /boundary=("?)([^";]+)\1/.exec(contentType)?.[2];
  expect(boundary).toBeDefined();
  const text = body.toString('latin1');
  const pieces = text.split(`--${boundary}`);
  expect(pieces.at(-1)?.startsWith('--')).toBe(true); // the closing delimiter
  return pieces.slice(1, -1).map((piece) => {
    const withoutLeadingCrlf = piece.replace(/^\r\n/, '');
    const split = withoutLeadingCrlf.indexOf('\r\n\r\n');
    const head = withoutLeadingCrlf.slice(0, split);
    const data = withoutLeadingCrlf.slice(split + 4).replace(/\r\n$/, '');
    const headers = new Map(
      head.split('\r\n').map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()] as const),
    );
    return { range: headers.get('content-range') ?? '', type: headers.get('content-type'), data };
  });
}

const LOCKINFO =
  '<?xml version="1.0" encoding="utf-8"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>tests</D:owner></D:lockinfo>';

describe('WebDAV over HTTP: request headers (sqlite)', () => {
  let dav: DavServer;
  let infinite: DavServer;
  const CONTENT = '0123456789abcdefghijklmnopqrstuvwxyz'; // 36 bytes

  beforeAll(async () => {
    dav = await startDavServer('sqlite');
    infinite = await startDavServer('sqlite', { config: { webdav: { allowInfinityPropfind: true } } });
    for (const server of [dav, infinite]) {
      await put(server, '/dav/file.txt', CONTENT);
      expect((await davFetch(server, '/dav/dir', { method: 'MKCOL' })).status).toBe(201);
      expect((await davFetch(server, '/dav/dir/sub', { method: 'MKCOL' })).status).toBe(201);
      await put(server, '/dav/dir/sub/deep.txt', 'deep');
    }
  });
  afterAll(async () => {
    await dav?.close();
    await infinite?.close();
  });

  describe('Depth', () => {
    it.each(['2', 'abc', '', '1,1', 'infinity1', '-1', '0 1'])('PROPFIND with Depth: %j is 400', async (depth) => {
      const response = await davFetch(dav, '/dav/dir/', { method: 'PROPFIND', headers: { Depth: depth } });
      expect(response.status).toBe(400);
    });

    it.each<[string, string, string]>([
      ['LOCK', '/dav/dir/', '1'],
      ['LOCK', '/dav/dir/', 'abc'],
      ['DELETE', '/dav/dir/', '0'],
      ['DELETE', '/dav/dir/', '2'],
      ['COPY', '/dav/dir/', 'abc'],
    ])('%s %s with Depth: %s is 400 and changes nothing', async (method, path, depth) => {
      const response = await unchanged(dav, () =>
        davFetch(dav, path, {
          method,
          headers: { Depth: depth, Destination: '/dav/elsewhere/' },
          ...(method === 'LOCK' && { body: LOCKINFO }),
        }),
      );
      expect(response.status).toBe(400);
    });

    it.each<[Record<string, string>]>([[{ Depth: 'infinity' }], [{ Depth: 'Infinity' }], [{}]])(
      'PROPFIND with %j is 403 with a propfind-finite-depth DAV:error body',
      async (headers) => {
        const response = await davFetch(dav, '/dav/', { method: 'PROPFIND', headers });
        expect(response.status).toBe(403);
        expect(response.headers.get('content-type')).toMatch(/^(application|text)\/xml/);
        const body = await response.text();
        expect(body).toMatch(/<([A-Za-z]+:)?error[^>]*xmlns(:[A-Za-z]+)?="DAV:"/);
        expect(body).toMatch(/<([A-Za-z]+:)?propfind-finite-depth\b/);
        expect(body).not.toContain('deep.txt');
      },
    );

    it('PROPFIND Depth: infinity is allowed when webdav.allowInfinityPropfind is true', async () => {
      const response = await davFetch(infinite, '/dav/', { method: 'PROPFIND', headers: { Depth: 'infinity' } });
      expect(response.status).toBe(207);
      const body = await response.text();
      expect(body).toContain('/dav/dir/sub/deep.txt');
      expect(body).toContain('/dav/file.txt');
    });
  });

  describe('If', () => {
    it.each([
      'garbage',
      '(<opaquelocktoken:x>',
      '<http://example/dav/file.txt>',
      '()',
      '(Not)',
      '([unquoted])',
      '(<a> <b>) junk',
      '<http://example/a> <http://example/b> (<c>)',
    ])('PUT with If: %j is 400 and changes nothing', async (value) => {
      const response = await unchanged(dav, () =>
        davFetch(dav, '/dav/file.txt', { method: 'PUT', body: 'changed', headers: { If: value } }),
      );
      expect(response.status).toBe(400);
      expect((await bytesOf(dav, '/dav/file.txt'))?.toString()).toBe(CONTENT);
    });

    it.each(['DELETE', 'MOVE', 'PROPPATCH', 'MKCOL'])('%s with a malformed If header is 400 and changes nothing', async (method) => {
      const path = method === 'MKCOL' ? '/dav/newdir' : '/dav/file.txt';
      const response = await unchanged(dav, () =>
        davFetch(dav, path, {
          method,
          headers: { If: '(garbage', Destination: '/dav/moved.txt' },
          ...(method === 'PROPPATCH' && {
            body: '<D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z"><D:set><D:prop><Z:p>v</Z:p></D:prop></D:set></D:propertyupdate>',
          }),
        }),
      );
      expect(response.status).toBe(400);
    });
  });

  describe('Timeout', () => {
    it.each<[string, number]>([
      ['bogus', 3600],
      ['Second-abc', 3600],
      ['Second--5', 3600],
      ['Second-0', 3600],
      ['Second-', 3600],
      ['', 3600],
      // Capped by webdav.maxLockSeconds (3600 by default).
      ['Infinite', 3600],
      ['Second-99999999999', 3600],
      ['Second-7200', 3600],
      ['bogus, Second-120', 120],
    ])('LOCK with Timeout: %j grants %i seconds', async (timeout, seconds) => {
      const response = await davFetch(dav, '/dav/file.txt', { method: 'LOCK', body: LOCKINFO, headers: { Timeout: timeout, Depth: '0' } });
      expect(response.status).toBe(200);
      const token = response.headers.get('lock-token');
      expect(token).toMatch(/^<.+>$/);
      const body = await response.text();
      const granted = Number(/<D:timeout>Second-(\d+)<\/D:timeout>/.exec(body)?.[1]);
      expect(granted).toBe(seconds);
      expect((await davFetch(dav, '/dav/file.txt', { method: 'UNLOCK', headers: { 'Lock-Token': token! } })).status).toBe(204);
    });

    it('LOCK answers the timeout it granted, by the server clock that granted it', async () => {
      // A server clock an hour off the machine's: reading another clock to answer would say 4200.
      const skewed = await startDavServer('sqlite', { clock: () => Date.now() + 3600_000 });
      try {
        await put(skewed, '/dav/file.txt', CONTENT);
        const response = await davFetch(skewed, '/dav/file.txt', {
          method: 'LOCK',
          body: LOCKINFO,
          headers: { Timeout: 'Second-600', Depth: '0' },
        });
        expect(response.status).toBe(200);
        expect(await response.text()).toContain('<D:timeout>Second-600</D:timeout>');
      } finally {
        await skewed.close();
      }
    });
  });

  describe('Range', () => {
    it.each(['bytes=abc', 'bytes=5-2', 'items=0-1', 'bytes=', 'bytes=0-1,x', 'bytes 0-1', 'bytes=--1'])(
      'Range: %j is ignored: 200 with the whole file',
      async (range) => {
        const response = await davFetch(dav, '/dav/file.txt', { headers: { Range: range } });
        expect(response.status).toBe(200);
        expect(response.headers.get('content-range')).toBeNull();
        expect(response.headers.get('content-length')).toBe(String(CONTENT.length));
        expect(await response.text()).toBe(CONTENT);
      },
    );

    it.each(['bytes=1000-', 'bytes=36-40', 'bytes=1000-2000,3000-4000', 'bytes=-0'])(
      'Range: %s is 416 with Content-Range: bytes */36',
      async (range) => {
        for (const method of ['GET', 'HEAD']) {
          const response = await davFetch(dav, '/dav/file.txt', { method, headers: { Range: range } });
          expect(response.status).toBe(416);
          expect(response.headers.get('content-range')).toBe(`bytes */${CONTENT.length}`);
          await response.arrayBuffer();
        }
      },
    );

    it('a single range is 206 with Content-Range', async () => {
      const response = await davFetch(dav, '/dav/file.txt', { headers: { Range: 'bytes=10-15' } });
      expect(response.status).toBe(206);
      expect(response.headers.get('content-range')).toBe('bytes 10-15/36');
      expect(await response.text()).toBe('abcdef');
      const suffix = await davFetch(dav, '/dav/file.txt', { headers: { Range: 'bytes=-3' } });
      expect(suffix.status).toBe(206);
      expect(await suffix.text()).toBe('xyz');
    });

    it('several ranges are 206 multipart/byteranges with one correct part each', async () => {
      const response = await davFetch(dav, '/dav/file.txt', { headers: { Range: 'bytes=0-1,4-5,-2' } });
      expect(response.status).toBe(206);
      const type = response.headers.get('content-type') ?? '';
      expect(type).toMatch(/^multipart\/byteranges;\s*boundary=/);
      expect(response.headers.get('content-range')).toBeNull();
      const body = Buffer.from(await response.arrayBuffer());
      expect(response.headers.get('content-length')).toBe(String(body.length));
      const parts = byteranges(type, body);
      expect(parts.map((p) => [p.range, p.data])).toEqual([
        ['bytes 0-1/36', '01'],
        ['bytes 4-5/36', '45'],
        ['bytes 34-35/36', 'yz'],
      ]);
      for (const part of parts) expect(part.type).toMatch(/^text\/plain/);
    });

    it('overlapping and adjacent ranges are merged', async () => {
      const response = await davFetch(dav, '/dav/file.txt', { headers: { Range: 'bytes=0-3,2-5,6-7,20-21' } });
      expect(response.status).toBe(206);
      const parts = byteranges(response.headers.get('content-type') ?? '', Buffer.from(await response.arrayBuffer()));
      expect(parts.map((p) => [p.range, p.data])).toEqual([
        ['bytes 0-7/36', '01234567'],
        ['bytes 20-21/36', 'kl'],
      ]);
    });

    it('16 ranges are served as 16 parts; 17 ranges get the whole file (200)', async () => {
      const ranges = (n: number) => `bytes=${Array.from({ length: n }, (_, i) => `${2 * i}-${2 * i}`).join(',')}`;
      const sixteen = await davFetch(dav, '/dav/file.txt', { headers: { Range: ranges(16) } });
      expect(sixteen.status).toBe(206);
      const parts = byteranges(sixteen.headers.get('content-type') ?? '', Buffer.from(await sixteen.arrayBuffer()));
      expect(parts.map((p) => p.data).join('')).toBe('02468acegikmoqsu');
      const seventeen = await davFetch(dav, '/dav/file.txt', { headers: { Range: ranges(17) } });
      expect(seventeen.status).toBe(200);
      expect(await seventeen.text()).toBe(CONTENT);
    });

    it('If-Range with a stale etag serves the whole file (200); with the current one the range (206)', async () => {
      const etag = await etagOf(dav, '/dav/file.txt');
      const stale = await davFetch(dav, '/dav/file.txt', { headers: { Range: 'bytes=0-1', 'If-Range': '"stale-etag"' } });
      expect(stale.status).toBe(200);
      expect(await stale.text()).toBe(CONTENT);
      const weak = await davFetch(dav, '/dav/file.txt', { headers: { Range: 'bytes=0-1', 'If-Range': `W/${etag}` } });
      expect(weak.status).toBe(200);
      await weak.arrayBuffer();
      const current = await davFetch(dav, '/dav/file.txt', { headers: { Range: 'bytes=0-1', 'If-Range': etag } });
      expect(current.status).toBe(206);
      expect(await current.text()).toBe('01');
    });

    it('If-Range with a date: the Last-Modified gives the range, an older date the whole file', async () => {
      const head = await davFetch(dav, '/dav/file.txt', { method: 'HEAD' });
      const lastModified = head.headers.get('last-modified')!;
      const exact = await davFetch(dav, '/dav/file.txt', { headers: { Range: 'bytes=0-1', 'If-Range': lastModified } });
      expect(exact.status).toBe(206);
      await exact.arrayBuffer();
      const older = new Date(Date.parse(lastModified) - 3600_000).toUTCString();
      const old = await davFetch(dav, '/dav/file.txt', { headers: { Range: 'bytes=0-1', 'If-Range': older } });
      expect(old.status).toBe(200);
      expect(await old.text()).toBe(CONTENT);
    });
  });

  describe('RFC 7232 preconditions', () => {
    it('If-None-Match with the current etag on GET and HEAD is 304 with no body', async () => {
      const etag = await etagOf(dav, '/dav/file.txt');
      for (const value of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
        for (const method of ['GET', 'HEAD']) {
          const response = await davFetch(dav, '/dav/file.txt', { method, headers: { 'If-None-Match': value } });
          expect(response.status).toBe(304);
          expect(response.headers.get('etag')).toBe(etag);
          expect((await response.arrayBuffer()).byteLength).toBe(0);
        }
      }
      const stale = await davFetch(dav, '/dav/file.txt', { headers: { 'If-None-Match': '"stale"' } });
      expect(stale.status).toBe(200);
      expect(await stale.text()).toBe(CONTENT);
    });

    it('If-Match with a stale etag on PUT is 412 and the content stays', async () => {
      const response = await unchanged(dav, () =>
        davFetch(dav, '/dav/file.txt', { method: 'PUT', body: 'overwritten', headers: { 'If-Match': '"stale"' } }),
      );
      expect(response.status).toBe(412);
      expect((await bytesOf(dav, '/dav/file.txt'))?.toString()).toBe(CONTENT);
    });

    it('If-Match: * on PUT to a missing file is 412 and creates nothing', async () => {
      const response = await unchanged(dav, () =>
        davFetch(dav, '/dav/nothing.txt', { method: 'PUT', body: 'x', headers: { 'If-Match': '*' } }),
      );
      expect(response.status).toBe(412);
      expect(await bytesOf(dav, '/dav/nothing.txt')).toBeNull();
    });

    it('If-None-Match: * on PUT over an existing file is 412 and the content stays', async () => {
      const response = await unchanged(dav, () =>
        davFetch(dav, '/dav/file.txt', { method: 'PUT', body: 'overwritten', headers: { 'If-None-Match': '*' } }),
      );
      expect(response.status).toBe(412);
    });

    it.each(['DELETE', 'MOVE', 'COPY', 'PROPPATCH', 'LOCK'])(
      'If-Match with a stale etag on %s is 412 and changes nothing',
      async (method) => {
        // A file of its own, so that a request wrongly carried out does not disturb other tests.
        const path = `/dav/pre-${method.toLowerCase()}.txt`;
        await put(dav, path, 'precondition');
        const body =
          method === 'PROPPATCH'
            ? '<D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z"><D:set><D:prop><Z:p>v</Z:p></D:prop></D:set></D:propertyupdate>'
            : method === 'LOCK'
              ? LOCKINFO
              : undefined;
        const response = await unchanged(dav, () =>
          davFetch(dav, path, {
            method,
            body,
            headers: { 'If-Match': '"stale"', Depth: '0', Destination: `/dav/pre-${method.toLowerCase()}-target.txt` },
          }),
        );
        expect(response.status).toBe(412);
      },
    );

    it('If-Match with the current etag on PUT succeeds', async () => {
      await put(dav, '/dav/matched.txt', 'one');
      const etag = await etagOf(dav, '/dav/matched.txt');
      const response = await davFetch(dav, '/dav/matched.txt', { method: 'PUT', body: 'two', headers: { 'If-Match': etag } });
      expect(response.status).toBe(204);
      expect((await bytesOf(dav, '/dav/matched.txt'))?.toString()).toBe('two');
    });

    it('If-Modified-Since: 304 at or after Last-Modified, 200 before, ignored when invalid', async () => {
      const lastModified = (await davFetch(dav, '/dav/file.txt', { method: 'HEAD' })).headers.get('last-modified')!;
      const at = await davFetch(dav, '/dav/file.txt', { headers: { 'If-Modified-Since': lastModified } });
      expect(at.status).toBe(304);
      const later = await davFetch(dav, '/dav/file.txt', {
        headers: { 'If-Modified-Since': new Date(Date.parse(lastModified) + 86_400_000).toUTCString() },
      });
      expect(later.status).toBe(304);
      const before = await davFetch(dav, '/dav/file.txt', {
        headers: { 'If-Modified-Since': new Date(Date.parse(lastModified) - 86_400_000).toUTCString() },
      });
      expect(before.status).toBe(200);
      expect(await before.text()).toBe(CONTENT);
      const invalid = await davFetch(dav, '/dav/file.txt', { headers: { 'If-Modified-Since': 'yesterday' } });
      expect(invalid.status).toBe(200);
      await invalid.arrayBuffer();
      // If-None-Match takes precedence (RFC 7232 6): a stale etag means 200 whatever the date.
      const both = await davFetch(dav, '/dav/file.txt', { headers: { 'If-Modified-Since': lastModified, 'If-None-Match': '"stale"' } });
      expect(both.status).toBe(200);
      await both.arrayBuffer();
    });

    it('If-Unmodified-Since before Last-Modified is 412 on GET, PUT and DELETE and changes nothing', async () => {
      const lastModified = (await davFetch(dav, '/dav/file.txt', { method: 'HEAD' })).headers.get('last-modified')!;
      const earlier = new Date(Date.parse(lastModified) - 86_400_000).toUTCString();
      const get = await davFetch(dav, '/dav/file.txt', { headers: { 'If-Unmodified-Since': earlier } });
      expect(get.status).toBe(412);
      const putResponse = await unchanged(dav, () =>
        davFetch(dav, '/dav/file.txt', { method: 'PUT', body: 'overwritten', headers: { 'If-Unmodified-Since': earlier } }),
      );
      expect(putResponse.status).toBe(412);
      const deleted = await unchanged(dav, () =>
        davFetch(dav, '/dav/file.txt', { method: 'DELETE', headers: { 'If-Unmodified-Since': earlier } }),
      );
      expect(deleted.status).toBe(412);
      const fine = await davFetch(dav, '/dav/file.txt', { headers: { 'If-Unmodified-Since': lastModified } });
      expect(fine.status).toBe(200);
      expect(await fine.text()).toBe(CONTENT);
    });
  });
});

describe('WebDAV over HTTP: uploads that go wrong (sqlite)', () => {
  let dav: DavServer;
  let port: number;
  const original = randomBytes(64 * 1024);

  beforeAll(async () => {
    dav = await startDavServer('sqlite');
    port = Number(new URL(dav.origin).port);
    await put(dav, '/dav/big.bin', original);
  });
  afterAll(async () => {
    await dav?.close();
  });

  async function pendingIds(): Promise<string[]> {
    const rows = await dav.t.app.database.db.selectFrom('blobs').select('id').where('state', '=', 'pending').execute();
    return rows.map((row) => row.id);
  }

  /** Starts a PUT announcing `announced` bytes, sends `sent` of them, and tears the connection down once the server is storing it. */
  async function abandonUpload(path: string, announced: number, sent: number): Promise<void> {
    const known = new Set(await pendingIds());
    const request = http.request({
      host: '127.0.0.1',
      port,
      path,
      method: 'PUT',
      agent: false,
      headers: { Authorization: basic(dav), 'Content-Length': String(announced) },
    });
    const settled = new Promise<void>((resolve) => {
      request.on('error', () => resolve());
      request.on('close', () => resolve());
      request.on('response', (response) => {
        response.resume();
        response.on('end', () => resolve());
      });
    });
    try {
      request.write(randomBytes(sent));
      // The server has begun storing the body once a new pending blob exists.
      await eventually(async () => (await pendingIds()).some((id) => !known.has(id)));
    } finally {
      request.destroy();
      await settled;
    }
  }

  it('a client that disconnects mid-upload leaves the old content byte for byte and no pending blob', async () => {
    const before = await storageState(dav.t.app);
    const rows = await snapshot(dav);
    await abandonUpload('/dav/big.bin', 4 * 1024 * 1024, 256 * 1024);
    await eventually(async () => (await storageState(dav.t.app)).pending === 0);
    expect(await storageState(dav.t.app)).toEqual(before);
    expect(await snapshot(dav)).toEqual(rows);
    expect((await bytesOf(dav, '/dav/big.bin'))?.equals(original)).toBe(true);
  });

  it('a disconnected upload of a new file creates nothing', async () => {
    const before = await storageState(dav.t.app);
    await abandonUpload('/dav/new-big.bin', 4 * 1024 * 1024, 128 * 1024);
    await eventually(async () => (await storageState(dav.t.app)).pending === 0);
    expect(await storageState(dav.t.app)).toEqual(before);
    expect(await bytesOf(dav, '/dav/new-big.bin')).toBeNull();
  });

  it('the server keeps serving after several disconnects', async () => {
    for (let i = 0; i < 3; i++) {
      await abandonUpload(`/dav/abandoned-${i}.bin`, 1024 * 1024, 64 * 1024);
      await eventually(async () => (await storageState(dav.t.app)).pending === 0);
    }
    const listing = await davFetch(dav, '/dav/', { method: 'PROPFIND', headers: { Depth: '1' } });
    expect(listing.status).toBe(207);
    expect(await listing.text()).not.toContain('abandoned');
    await put(dav, '/dav/after.txt', 'still here');
    expect((await bytesOf(dav, '/dav/after.txt'))?.toString()).toBe('still here');
    expect((await bytesOf(dav, '/dav/big.bin'))?.equals(original)).toBe(true);
  });

  it('a body shorter than Content-Length (the client half-closes) stores nothing and is not a success', async () => {
    const before = await storageState(dav.t.app);
    const rows = await snapshot(dav);
    const answer = await new Promise<string>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      let received = '';
      socket.on('data', (chunk) => (received += chunk.toString('latin1')));
      socket.on('error', () => resolve(received));
      socket.on('close', () => resolve(received));
      socket.setTimeout(10_000, () => socket.destroy());
      socket.write(
        `PUT /dav/big.bin HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: ${basic(dav)}\r\nContent-Length: 100000\r\n\r\n`,
      );
      socket.write(randomBytes(40_000));
      socket.end();
    });
    if (answer !== '') expect(answer).toMatch(/^HTTP\/1\.1 4\d\d /);
    await eventually(async () => (await storageState(dav.t.app)).pending === 0);
    expect(await storageState(dav.t.app)).toEqual(before);
    expect(await snapshot(dav)).toEqual(rows);
    expect((await bytesOf(dav, '/dav/big.bin'))?.equals(original)).toBe(true);
  });

  it('a chunked body shorter than X-Expected-Entity-Length is 400 and stores nothing', async () => {
    const before = await storageState(dav.t.app);
    const response = await unchanged(dav, async () => {
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(Buffer.from('0123456789'));
          controller.close();
        },
      });
      return davFetch(dav, '/dav/big.bin', {
        method: 'PUT',
        body: stream,
        duplex: 'half',
        headers: { 'X-Expected-Entity-Length': '20' },
      } as RequestInit);
    });
    expect(response.status).toBe(400);
    expect(await storageState(dav.t.app)).toEqual(before);
    expect((await bytesOf(dav, '/dav/big.bin'))?.equals(original)).toBe(true);
  });

  describe('quota', () => {
    let owner: { email: string; password: string };
    let userId: number;

    beforeAll(async () => {
      const { user } = await dav.t.newUser('quota@example.test', { quota: 100 });
      userId = user.id;
      const group = await dav.t.app.users.groupOf(user);
      await dav.t.app.groups.update(group.id, { permissions: { webdav: true } });
      const { password } = await dav.t.app.davAccounts.create({ userId: user.id, name: 'quota device' });
      owner = { email: user.email, password };
    });

    it('a PUT over the quota (announced) is 507 with quota-not-exceeded and stores nothing', async () => {
      const before = await storageState(dav.t.app);
      const response = await unchanged(dav, () =>
        davFetch(dav, '/dav/too-big.bin', { method: 'PUT', body: randomBytes(200), auth: owner }),
      );
      expect(response.status).toBe(507);
      expect(await response.text()).toContain('quota-not-exceeded');
      expect(await storageState(dav.t.app)).toEqual(before);
      expect(await storageUsed(dav.t.app, userId)).toBe(0);
      expect((await davFetch(dav, '/dav/too-big.bin', { auth: owner })).status).toBe(404);
    });

    it('a chunked PUT over the quota (not announced) is 507 and stores nothing', async () => {
      const before = await storageState(dav.t.app);
      const response = await unchanged(dav, async () => {
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            for (let i = 0; i < 4; i++) controller.enqueue(randomBytes(50));
            controller.close();
          },
        });
        return davFetch(dav, '/dav/too-big.bin', { method: 'PUT', body: stream, duplex: 'half', auth: owner } as RequestInit);
      });
      expect(response.status).toBe(507);
      await eventually(async () => (await storageState(dav.t.app)).pending === 0);
      expect(await storageState(dav.t.app)).toEqual(before);
      expect(await storageUsed(dav.t.app, userId)).toBe(0);
    });

    it('an overwrite or a COPY that would exceed the quota is 507 and the old content stays', async () => {
      const first = await davFetch(dav, '/dav/small.bin', { method: 'PUT', body: 'x'.repeat(60), auth: owner });
      expect(first.status).toBe(201);
      expect(await storageUsed(dav.t.app, userId)).toBe(60);
      const bigger = await unchanged(dav, () => davFetch(dav, '/dav/small.bin', { method: 'PUT', body: 'y'.repeat(150), auth: owner }));
      expect(bigger.status).toBe(507);
      const copied = await unchanged(dav, () =>
        davFetch(dav, '/dav/small.bin', { method: 'COPY', headers: { Destination: '/dav/copy.bin' }, auth: owner }),
      );
      expect(copied.status).toBe(507);
      expect(await (await davFetch(dav, '/dav/small.bin', { auth: owner })).text()).toBe('x'.repeat(60));
      expect(await storageUsed(dav.t.app, userId)).toBe(60);
    });
  });

  describe('X-OC-Mtime', () => {
    it('sets the modification time and answers X-OC-MTime: accepted', async () => {
      const response = await davFetch(dav, '/dav/dated.txt', { method: 'PUT', body: 'dated', headers: { 'X-OC-Mtime': '1234567890' } });
      expect(response.status).toBe(201);
      expect(response.headers.get('x-oc-mtime')).toBe('accepted');
      expect(response.headers.get('last-modified')).toBe('Fri, 13 Feb 2009 23:31:30 GMT');
      const head = await davFetch(dav, '/dav/dated.txt', { method: 'HEAD' });
      expect(head.headers.get('last-modified')).toBe('Fri, 13 Feb 2009 23:31:30 GMT');
      const props = await davFetch(dav, '/dav/dated.txt', {
        method: 'PROPFIND',
        headers: { Depth: '0' },
        body: '<D:propfind xmlns:D="DAV:"><D:prop><D:getlastmodified/></D:prop></D:propfind>',
      });
      expect(await props.text()).toContain('Fri, 13 Feb 2009 23:31:30 GMT');
    });

    it('an invalid X-OC-Mtime is 400 and stores nothing', async () => {
      const response = await unchanged(dav, () =>
        davFetch(dav, '/dav/undated.txt', { method: 'PUT', body: 'x', headers: { 'X-OC-Mtime': 'yesterday' } }),
      );
      expect(response.status).toBe(400);
    });
  });

  describe('OC-Checksum', () => {
    it('a SHA1 mismatch is 400 and stores nothing, for a new file and over an existing one', async () => {
      const before = await storageState(dav.t.app);
      const wrong = `SHA1:${createHash('sha1').update('something else').digest('hex')}`;
      const created = await unchanged(dav, () =>
        davFetch(dav, '/dav/checked.txt', { method: 'PUT', body: 'payload', headers: { 'OC-Checksum': wrong } }),
      );
      expect(created.status).toBe(400);
      const replaced = await unchanged(dav, () =>
        davFetch(dav, '/dav/big.bin', { method: 'PUT', body: 'payload', headers: { 'OC-Checksum': wrong } }),
      );
      expect(replaced.status).toBe(400);
      await eventually(async () => (await storageState(dav.t.app)).pending === 0);
      expect(await storageState(dav.t.app)).toEqual(before);
      expect(await bytesOf(dav, '/dav/checked.txt')).toBeNull();
      expect((await bytesOf(dav, '/dav/big.bin'))?.equals(original)).toBe(true);
    });

    it('a matching SHA1 is stored', async () => {
      const right = `SHA1:${createHash('sha1').update('payload').digest('hex')}`;
      const response = await davFetch(dav, '/dav/checked.txt', { method: 'PUT', body: 'payload', headers: { 'OC-Checksum': right } });
      expect(response.status).toBe(201);
      expect((await bytesOf(dav, '/dav/checked.txt'))?.toString()).toBe('payload');
    });
  });

  it.each(['bytes 0-3/10', 'bytes 0-3/*', 'garbage'])('PUT with Content-Range: %s is 400 and changes nothing', async (range) => {
    const response = await unchanged(dav, () =>
      davFetch(dav, '/dav/big.bin', { method: 'PUT', body: 'abcd', headers: { 'Content-Range': range } }),
    );
    expect(response.status).toBe(400);
    const created = await unchanged(dav, () =>
      davFetch(dav, '/dav/ranged.txt', { method: 'PUT', body: 'abcd', headers: { 'Content-Range': range } }),
    );
    expect(created.status).toBe(400);
    expect(await bytesOf(dav, '/dav/ranged.txt')).toBeNull();
  });
});
