// Over real HTTP: paths a client may not name (DESIGN.md "Security decisions": decoded once,
// NFC, every name validated, dot segments refused), the jail of an account's root, the
// Destination header (RFC 4918 10.3, 9.8.5, 9.9.4), XML bodies (RFC 4918 20.6 and DESIGN.md:
// no DTDs, no entity expansion, limits on size, depth and namespaces) and what every method
// answers whatever the client sends (405 with Allow, OPTIONS without authentication, 401 with
// a challenge, folder listings that escape names, served files that cannot run as script).
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { davFetch, startDavServer, type DavServer } from '../support/dav-server.js';
import { unchanged } from '../support/inspect.js';

type Credentials = { email: string; password: string } | null;

interface RawResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  readonly text: string;
}

interface RawOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  readonly auth?: Credentials;
}

function basic(credentials: { email: string; password: string }): string {
  return `Basic ${Buffer.from(`${credentials.email}:${credentials.password}`).toString('base64')}`;
}

/**
 * A request through node:http, which sends the path exactly as given (fetch would resolve
 * "..", turn "\" into "/" and re-encode): for request lines no well-behaved client sends.
 */
function raw(dav: DavServer, path: string, options: RawOptions = {}): Promise<RawResponse> {
  const headers: Record<string, string> = { ...options.headers };
  const credentials = options.auth === undefined ? { email: dav.email, password: dav.password } : options.auth;
  if (credentials) headers.authorization = basic(credentials);
  if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
  const port = Number(new URL(dav.origin).port);
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body, text: body.toString('utf8') });
      });
    });
    request.on('error', reject);
    request.end(options.body);
  });
}

async function put(dav: DavServer, path: string, body: string): Promise<void> {
  const response = await davFetch(dav, path, { method: 'PUT', body });
  expect([201, 204]).toContain(response.status);
}

async function mkcol(dav: DavServer, path: string): Promise<void> {
  const response = await davFetch(dav, path, { method: 'MKCOL' });
  expect(response.status).toBe(201);
}

async function contentOf(dav: DavServer, path: string): Promise<string | null> {
  const response = await davFetch(dav, path);
  if (response.status === 404) return null;
  expect(response.status).toBe(200);
  return response.text();
}

describe('WebDAV over HTTP: hostile paths (sqlite)', () => {
  let dav: DavServer;

  beforeAll(async () => {
    dav = await startDavServer('sqlite');
    await put(dav, '/dav/file.txt', 'hello world');
    await mkcol(dav, '/dav/dir');
    await put(dav, '/dav/dir/inner.txt', 'inner');
  });
  afterAll(async () => {
    await dav?.close();
  });

  // Each refused request must be refused before anything happens: the tree stays as it was.
  it.each<[string, string]>([
    ['GET', '/dav/%2e%2e/'],
    ['GET', '/dav/%2E%2E/dav/file.txt'],
    ['GET', '/dav/dir/%2e%2e/file.txt'],
    ['PROPFIND', '/dav/%2e%2e'],
    ['PUT', '/dav/%2e%2e/escape.txt'],
    ['PUT', '/dav/dir/%2e%2e/%2e%2e/escape.txt'],
    ['MKCOL', '/dav/%2e%2e/escape'],
    ['DELETE', '/dav/dir/%2e%2e'],
    ['DELETE', '/dav/dir/%2e'],
    ['PROPPATCH', '/dav/dir/%2e%2e'],
    ['LOCK', '/dav/dir/%2e%2e'],
  ])('%s %s with an encoded dot segment is 400 and changes nothing', async (method, path) => {
    const response = await unchanged(dav, () =>
      raw(dav, path, { method, headers: { Depth: '0' }, ...(method === 'PUT' && { body: 'escaped' }) }),
    );
    expect(response.status).toBe(400);
  });

  it.each<[string, string]>([
    ['GET', '/dav/../etc/passwd'],
    ['GET', '/dav/../../../../etc/passwd'],
    ['GET', '/dav/dir/../file.txt'],
    ['GET', '/dav/./file.txt'],
    ['PROPFIND', '/dav/dir/..'],
    ['PUT', '/dav/../escape.txt'],
    ['PUT', '/dav/dir/../../escape.txt'],
    ['MKCOL', '/dav/dir/../escape'],
    ['DELETE', '/dav/dir/..'],
    ['MOVE', '/dav/dir/..'],
  ])('%s %s with a raw dot segment in the request line is 400 and changes nothing', async (method, path) => {
    const response = await unchanged(dav, () =>
      raw(dav, path, {
        method,
        headers: { Depth: '0', Destination: '/dav/moved' },
        ...(method === 'PUT' && { body: 'escaped' }),
      }),
    );
    expect(response.status).toBe(400);
    expect(response.text).not.toContain('root:');
  });

  it.each<[string, string]>([
    ['GET', '/dav/dir%5C..%5Cfile.txt'],
    ['GET', '/dav/dir%5cinner.txt'],
    ['PUT', '/dav/a%5Cb.txt'],
    ['MKCOL', '/dav/a%5Cb'],
    ['GET', '/dav/dir\\..\\file.txt'],
    ['PUT', '/dav/dir\\..\\..\\escape.txt'],
  ])('%s %s with a backslash is 400 and changes nothing', async (method, path) => {
    const response = await unchanged(dav, () => raw(dav, path, { method, ...(method === 'PUT' && { body: 'x' }) }));
    expect(response.status).toBe(400);
  });

  it.each<[string, string]>([
    ['GET', '/dav/file.txt%00'],
    ['GET', '/dav/file.txt%00.jpg'],
    ['PUT', '/dav/a%00.txt'],
    ['MKCOL', '/dav/a%00b'],
    ['PROPFIND', '/dav/dir%00'],
  ])('%s %s with NUL is 400 and changes nothing', async (method, path) => {
    const response = await unchanged(dav, () =>
      raw(dav, path, { method, headers: { Depth: '0' }, ...(method === 'PUT' && { body: 'x' }) }),
    );
    expect(response.status).toBe(400);
  });

  it.each<[string, string]>([
    ['GET', '/dav/%C0%AE%C0%AE/dav/file.txt'], // overlong "."
    ['GET', '/dav/dir/%C0%AE%C0%AE%C0%AFfile.txt'], // overlong "../"
    ['GET', '/dav/%E0%80%AE%E0%80%AE/file.txt'], // three-byte overlong "."
    ['PUT', '/dav/%C0%AE.txt'],
    ['MKCOL', '/dav/%C0%AF'],
    ['GET', '/dav/%FF%FE'],
    ['PUT', '/dav/%ED%A0%80.txt'], // an encoded surrogate
  ])('%s %s with invalid or overlong UTF-8 is 400 and changes nothing', async (method, path) => {
    const response = await unchanged(dav, () => raw(dav, path, { method, ...(method === 'PUT' && { body: 'x' }) }));
    expect(response.status).toBe(400);
  });

  it.each<[string, string]>([
    ['GET', '/dav/%zz'],
    ['GET', '/dav/file%2'],
    ['GET', '/dav/100%'],
    ['PUT', '/dav/%G1.txt'],
    ['PUT', '/dav/a%.txt'],
    ['MKCOL', '/dav/%%41'],
  ])('%s %s with an invalid percent escape is 400 and changes nothing', async (method, path) => {
    const response = await unchanged(dav, () => raw(dav, path, { method, ...(method === 'PUT' && { body: 'x' }) }));
    expect(response.status).toBe(400);
  });

  describe('a path through a file', () => {
    it.each<[string, number]>([
      ['PUT', 409],
      ['MKCOL', 409],
    ])('%s /dav/file.txt/x is %i (RFC 4918 9.7.1, 9.3.1) and changes nothing', async (method, status) => {
      const response = await unchanged(dav, () => davFetch(dav, '/dav/file.txt/x', { method, ...(method === 'PUT' && { body: 'x' }) }));
      expect(response.status).toBe(status);
    });

    it.each<[string, Record<string, string>]>([
      ['GET', {}],
      ['HEAD', {}],
      ['PROPFIND', { Depth: '0' }],
      ['PROPFIND', { Depth: '1' }],
      ['DELETE', {}],
    ])('%s /dav/file.txt/x is 404: nothing is there (%j)', async (method, headers) => {
      const response = await unchanged(dav, () => davFetch(dav, '/dav/file.txt/x', { method, headers }));
      expect(response.status).toBe(404);
    });

    it('MOVE with a Destination through a file is 409 and the source stays', async () => {
      const response = await unchanged(dav, () =>
        davFetch(dav, '/dav/dir/inner.txt', { method: 'MOVE', headers: { Destination: `${dav.url}file.txt/inner.txt` } }),
      );
      expect(response.status).toBe(409);
      expect(await contentOf(dav, '/dav/dir/inner.txt')).toBe('inner');
    });
  });

  describe('over-long names', () => {
    const long = 'a'.repeat(256);
    const longUtf8 = '\u20ac'.repeat(86); // 258 bytes in UTF-8, 86 characters

    it.each<[string, string]>([
      ['PUT', `/dav/${long}`],
      ['MKCOL', `/dav/${long}`],
      ['PUT', `/dav/dir/${encodeURIComponent(longUtf8)}`],
      ['MKCOL', `/dav/${encodeURIComponent(longUtf8)}`],
      ['GET', `/dav/${long}`],
      ['PROPFIND', `/dav/${long}`],
    ])('%s of a name over 255 bytes is 400 and changes nothing (%#)', async (method, path) => {
      const response = await unchanged(dav, () =>
        davFetch(dav, path, { method, headers: { Depth: '0' }, ...(method === 'PUT' && { body: 'x' }) }),
      );
      expect(response.status).toBe(400);
    });

    it('MOVE to a Destination name over 255 bytes is 400 and the source stays', async () => {
      const response = await unchanged(dav, () =>
        davFetch(dav, '/dav/dir/inner.txt', { method: 'MOVE', headers: { Destination: `/dav/${long}` } }),
      );
      expect(response.status).toBe(400);
    });

    it('a name of exactly 255 bytes is accepted', async () => {
      const name = '\u20ac'.repeat(85); // 255 bytes
      const response = await davFetch(dav, `/dav/${encodeURIComponent(name)}`, { method: 'PUT', body: 'edge' });
      expect(response.status).toBe(201);
      expect(await contentOf(dav, `/dav/${encodeURIComponent(name)}`)).toBe('edge');
      expect((await davFetch(dav, `/dav/${encodeURIComponent(name)}`, { method: 'DELETE' })).status).toBe(204);
    });
  });
});

describe.each(['sqlite', 'postgres'] as const)('WebDAV over HTTP: the jail of an account rooted at /sub (%s)', (dialect) => {
  let dav: DavServer;
  let jailed: { email: string; password: string };

  beforeAll(async () => {
    dav = await startDavServer(dialect);
    await mkcol(dav, '/dav/other');
    await put(dav, '/dav/other/secret.txt', 'TOP SECRET');
    await put(dav, '/dav/top.txt', 'TOP LEVEL');
    await mkcol(dav, '/dav/sub');
    await put(dav, '/dav/sub/mine.txt', 'mine');
    const user = await dav.t.app.users.get(dav.email);
    const { password } = await dav.t.app.davAccounts.create({ userId: user.id, name: 'jailed', root: '/sub' });
    jailed = { email: dav.email, password };
  });
  afterAll(async () => {
    await dav?.close();
  });

  it('sees its root as /dav/', async () => {
    const response = await davFetch(dav, '/dav/mine.txt', { auth: jailed });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('mine');
    const listing = await davFetch(dav, '/dav/', { method: 'PROPFIND', headers: { Depth: '1' }, auth: jailed });
    expect(listing.status).toBe(207);
    const text = await listing.text();
    expect(text).toContain('/dav/mine.txt');
    expect(text).not.toContain('secret');
    expect(text).not.toContain('other');
  });

  it.each([
    '/dav/../other/secret.txt',
    '/dav/../../other/secret.txt',
    '/dav/%2e%2e/other/secret.txt',
    '/dav/%2E%2E/other/secret.txt',
    '/dav/.%2e/other/secret.txt',
    '/dav/..%2fother/secret.txt',
    '/dav/%2e%2e%2fother%2fsecret.txt',
    '/dav/..%5cother%5csecret.txt',
    '/dav/..\\other\\secret.txt',
    '/dav/%C0%AE%C0%AE/other/secret.txt',
    '/dav/%C0%AE%C0%AE%C0%AFother%C0%AFsecret.txt',
    '/dav/%252e%252e/other/secret.txt',
    '/dav/other/secret.txt',
    '/dav/sub/../other/secret.txt',
    '/dav/mine.txt/../../other/secret.txt',
    '/dav/%2e%2e/top.txt',
    '/dav/../top.txt',
    '/dav/%00/../other/secret.txt',
  ])('GET %s cannot read outside the root', async (path) => {
    const response = await unchanged(dav, () => raw(dav, path, { auth: jailed }));
    expect([400, 404]).toContain(response.status);
    expect(response.text).not.toContain('TOP SECRET');
    expect(response.text).not.toContain('TOP LEVEL');
  });

  it.each(['/dav/%2e%2e/', '/dav/../', '/dav/%2e%2e/other/'])('PROPFIND %s cannot list outside the root', async (path) => {
    const response = await unchanged(dav, () => raw(dav, path, { method: 'PROPFIND', headers: { Depth: '1' }, auth: jailed }));
    expect([400, 404]).toContain(response.status);
    expect(response.text).not.toContain('secret.txt');
    expect(response.text).not.toContain('top.txt');
  });

  it.each(['/dav/../other/stolen.txt', '/dav/%2e%2e/other/stolen.txt', `/dav/..%2fother/stolen.txt`, '/dav/%C0%AE%C0%AE/other/stolen.txt'])(
    'COPY to a Destination of %s cannot write outside the root',
    async (destination) => {
      const response = await unchanged(dav, () =>
        raw(dav, '/dav/mine.txt', { method: 'COPY', headers: { Destination: `${dav.origin}${destination}` }, auth: jailed }),
      );
      expect([400, 403]).toContain(response.status);
    },
  );

  it.each(['/dav/../other/secret.txt', '/dav/%2e%2e/other/secret.txt'])('COPY from %s cannot bring a file in', async (source) => {
    const response = await unchanged(dav, () =>
      raw(dav, source, { method: 'COPY', headers: { Destination: '/dav/stolen.txt' }, auth: jailed }),
    );
    expect([400, 404]).toContain(response.status);
    expect(await contentOf(dav, '/dav/sub/stolen.txt')).toBeNull();
  });

  it.each(['/dav/../other/secret.txt', '/dav/%2e%2e/top.txt'])('MOVE or DELETE of %s cannot touch outside the root', async (path) => {
    const moved = await unchanged(dav, () => raw(dav, path, { method: 'MOVE', headers: { Destination: '/dav/taken.txt' }, auth: jailed }));
    expect([400, 404]).toContain(moved.status);
    const deleted = await unchanged(dav, () => raw(dav, path, { method: 'DELETE', auth: jailed }));
    expect([400, 404]).toContain(deleted.status);
    expect(await contentOf(dav, '/dav/other/secret.txt')).toBe('TOP SECRET');
  });

  it('an If header naming a resource outside the root tells nothing and changes nothing', async () => {
    const response = await unchanged(dav, () =>
      raw(dav, '/dav/mine.txt', {
        method: 'PUT',
        body: 'overwritten',
        headers: { If: `<${dav.origin}/dav/../other/secret.txt> (["anything"])` },
        auth: jailed,
      }),
    );
    expect(response.status).toBe(412);
  });
});

describe('WebDAV over HTTP: Destination (sqlite)', () => {
  let dav: DavServer;
  let host: string;

  beforeAll(async () => {
    dav = await startDavServer('sqlite');
    host = new URL(dav.origin).host;
    await put(dav, '/dav/file.txt', 'source');
    await mkcol(dav, '/dav/dir');
    await mkcol(dav, '/dav/dir/child');
    await put(dav, '/dav/dir/child/leaf.txt', 'leaf');
  });
  afterAll(async () => {
    await dav?.close();
  });

  it.each<[string, () => string]>([
    ['MOVE', () => 'http://evil.example/dav/moved.txt'],
    ['COPY', () => 'http://evil.example/dav/moved.txt'],
    ['MOVE', () => `http://127.0.0.1:1/dav/moved.txt`],
    ['MOVE', () => `http://localhost.evil.example:${new URL(dav.origin).port}/dav/moved.txt`],
    ['MOVE', () => `ftp://${host}/dav/moved.txt`],
    ['COPY', () => `//evil.example/dav/moved.txt`],
    ['MOVE', () => `http://${host}@evil.example/dav/moved.txt`],
  ])('%s to another server is 502 and the source stays (%#)', async (method, destination) => {
    const response = await unchanged(dav, () => davFetch(dav, '/dav/file.txt', { method, headers: { Destination: destination() } }));
    expect(response.status).toBe(502);
    expect(await contentOf(dav, '/dav/file.txt')).toBe('source');
  });

  it.each<[string, () => string]>([
    ['MOVE', () => `${dav.origin}/other/moved.txt`],
    ['COPY', () => '/other/moved.txt'],
    ['MOVE', () => '/davx/moved.txt'],
    ['COPY', () => `${dav.origin}/`],
    ['MOVE', () => `${dav.origin}/api/v4/site/ping`],
  ])('%s outside the mount prefix is refused and the source stays (%#)', async (method, destination) => {
    const response = await unchanged(dav, () => davFetch(dav, '/dav/file.txt', { method, headers: { Destination: destination() } }));
    expect([403, 502]).toContain(response.status);
    expect(await contentOf(dav, '/dav/file.txt')).toBe('source');
  });

  it('an absolute-path Destination works', async () => {
    const response = await davFetch(dav, '/dav/file.txt', { method: 'COPY', headers: { Destination: '/dav/copy-abs.txt' } });
    expect(response.status).toBe(201);
    expect(await contentOf(dav, '/dav/copy-abs.txt')).toBe('source');
  });

  it('an https Destination on the same host works (a proxy terminating TLS)', async () => {
    const response = await davFetch(dav, '/dav/file.txt', {
      method: 'COPY',
      headers: { Destination: `https://${host}/dav/copy-https.txt` },
    });
    expect(response.status).toBe(201);
    expect(await contentOf(dav, '/dav/copy-https.txt')).toBe('source');
  });

  it('a Destination on the host a proxy was asked for (X-Forwarded-Host) works', async () => {
    const response = await davFetch(dav, '/dav/file.txt', {
      method: 'COPY',
      headers: { Destination: 'https://cloud.example/dav/copy-proxy.txt', 'X-Forwarded-Host': 'cloud.example' },
    });
    expect(response.status).toBe(201);
    expect(await contentOf(dav, '/dav/copy-proxy.txt')).toBe('source');
  });

  it.each<[string, () => string]>([
    ['MOVE', () => '/dav/dir/../moved.txt'],
    ['COPY', () => `${dav.origin}/dav/%2e%2e/moved.txt`],
    ['MOVE', () => `${dav.origin}/dav/dir/%2E%2E/%2E%2E/moved.txt`],
    ['COPY', () => '/dav/./moved.txt'],
  ])('%s with a dot segment in the Destination is 400 and the source stays (%#)', async (method, destination) => {
    const response = await unchanged(dav, () => raw(dav, '/dav/file.txt', { method, headers: { Destination: destination() } }));
    expect(response.status).toBe(400);
    expect(await contentOf(dav, '/dav/file.txt')).toBe('source');
  });

  it.each(['MOVE', 'COPY'])('%s without a Destination is 400', async (method) => {
    const response = await unchanged(dav, () => davFetch(dav, '/dav/file.txt', { method }));
    expect(response.status).toBe(400);
  });

  it.each(['MOVE', 'COPY'])('%s with a relative Destination is 400', async (method) => {
    const response = await unchanged(dav, () => davFetch(dav, '/dav/file.txt', { method, headers: { Destination: 'moved.txt' } }));
    expect(response.status).toBe(400);
  });

  it.each<[string, string, () => string]>([
    ['MOVE', '/dav/file.txt', () => `${dav.url}file.txt`],
    ['COPY', '/dav/file.txt', () => '/dav/file.txt'],
    ['MOVE', '/dav/dir/', () => `${dav.url}dir/`],
    ['COPY', '/dav/dir', () => '/dav/dir/'],
    ['MOVE', '/dav/dir/', () => '/dav/dir'],
  ])('%s %s onto itself is 403 and changes nothing (%#)', async (method, source, destination) => {
    const response = await unchanged(dav, () => davFetch(dav, source, { method, headers: { Destination: destination(), Overwrite: 'T' } }));
    expect(response.status).toBe(403);
  });

  it.each<[string, string]>([
    ['MOVE', '/dav/dir/child/moved'],
    ['MOVE', '/dav/dir/moved'],
    ['COPY', '/dav/dir/child/copied'],
  ])('%s of a folder into its own subtree (%s) is refused and the source stays', async (method, destination) => {
    const response = await unchanged(dav, () => davFetch(dav, '/dav/dir/', { method, headers: { Destination: destination } }));
    expect([403, 409]).toContain(response.status);
    expect(await contentOf(dav, '/dav/dir/child/leaf.txt')).toBe('leaf');
  });

  it.each(['X', 'yes', 'TRUE', '', 'T, F'])('Overwrite: %j is 400 and changes nothing', async (overwrite) => {
    const response = await unchanged(dav, () =>
      davFetch(dav, '/dav/file.txt', { method: 'COPY', headers: { Destination: '/dav/copy-abs.txt', Overwrite: overwrite } }),
    );
    expect(response.status).toBe(400);
  });

  it('Overwrite: F onto an existing file is 412 and changes nothing', async () => {
    const response = await unchanged(dav, () =>
      davFetch(dav, '/dav/file.txt', { method: 'MOVE', headers: { Destination: '/dav/copy-abs.txt', Overwrite: 'F' } }),
    );
    expect(response.status).toBe(412);
  });

  it.each<[string, string]>([
    ['COPY', '1'],
    ['COPY', '2'],
    ['MOVE', '0'],
    ['MOVE', '1'],
  ])('%s of a collection with Depth: %s is 400 and changes nothing', async (method, depth) => {
    const response = await unchanged(dav, () =>
      davFetch(dav, '/dav/dir/', { method, headers: { Destination: '/dav/dir-copy/', Depth: depth } }),
    );
    expect(response.status).toBe(400);
  });
});

/** Bodies that are valid requests for each method but for the construct under test. */
const WRAP: Record<string, (inner: string) => string> = {
  PROPFIND: (inner) => `<D:propfind xmlns:D="DAV:" xmlns:Z="urn:z"><D:prop><Z:p>${inner}</Z:p></D:prop></D:propfind>`,
  PROPPATCH: (inner) =>
    `<D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z"><D:set><D:prop><Z:p>${inner}</Z:p></D:prop></D:set></D:propertyupdate>`,
  LOCK: (inner) =>
    `<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>${inner}</D:owner></D:lockinfo>`,
};

const LAUGHS = [
  '<!DOCTYPE lolz [',
  '<!ENTITY lol "lol">',
  ...Array.from({ length: 8 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`),
  ']>',
].join('');

const BODIES: Array<[string, (method: string) => string | Buffer]> = [
  ['a DTD', (m) => `<?xml version="1.0"?><!DOCTYPE x [<!ELEMENT x ANY>]>${WRAP[m]!('v')}`],
  ['an internal entity', (m) => `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "expanded">]>${WRAP[m]!('&e;')}`],
  ['entity expansion (billion laughs)', (m) => `<?xml version="1.0"?>${LAUGHS}${WRAP[m]!('&lol8;')}`],
  ['an external entity', (m) => `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${WRAP[m]!('&xxe;')}`],
  ['an external DTD', (m) => `<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://127.0.0.1:1/evil.dtd">${WRAP[m]!('v')}`],
  ['a parameter entity', (m) => `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>${WRAP[m]!('v')}`],
  ['an undeclared entity', (m) => WRAP[m]!('&undeclared;')],
  ['nesting 1000 deep', (m) => WRAP[m]!(`${'<Z:n>'.repeat(1000)}${'</Z:n>'.repeat(1000)}`)],
  ['too many namespaces', (m) => WRAP[m]!(Array.from({ length: 150 }, (_, i) => `<N${i}:x xmlns:N${i}="urn:ns:${i}"/>`).join(''))],
  ['an unclosed element', (m) => WRAP[m]!('<Z:open>')],
  ['two root elements', (m) => `${WRAP[m]!('v')}<extra/>`],
  ['an unbound prefix', (m) => WRAP[m]!('<Q:x/>')],
  ['text that is not XML', () => 'this is not xml at all'],
  [
    'invalid UTF-8',
    (m) => {
      const [before, after] = WRAP[m]!('\u0001').split('\u0001');
      return Buffer.concat([Buffer.from(before!), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(after!)]);
    },
  ],
];

describe('WebDAV over HTTP: hostile XML bodies (sqlite)', () => {
  let dav: DavServer;
  let small: DavServer;

  beforeAll(async () => {
    dav = await startDavServer('sqlite');
    small = await startDavServer('sqlite', { config: { webdav: { maxXmlBytes: 2048 } } });
    for (const server of [dav, small]) {
      await put(server, '/dav/file.txt', 'content');
      const set = await davFetch(server, '/dav/file.txt', {
        method: 'PROPPATCH',
        body: '<D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z"><D:set><D:prop><Z:p>original</Z:p></D:prop></D:set></D:propertyupdate>',
      });
      expect(set.status).toBe(207);
    }
  });
  afterAll(async () => {
    await dav?.close();
    await small?.close();
  });

  const targets: Array<[string, string]> = [
    ['PROPFIND', '/dav/file.txt'],
    ['PROPPATCH', '/dav/file.txt'],
    ['LOCK', '/dav/file.txt'],
    ['LOCK', '/dav/unmapped.txt'],
  ];
  const cases = targets.flatMap(([method, path]) => BODIES.map(([what, body]) => [method, path, what, body] as const));

  it.each(cases)('%s %s with %s is 400 and changes no property or lock', async (method, path, _what, bodyOf) => {
    const body = bodyOf(method);
    const response = await unchanged(dav, () =>
      raw(dav, path, { method, body, headers: { 'Content-Type': 'application/xml; charset=utf-8', Depth: '0' } }),
    );
    expect(response.status).toBe(400);
    expect(response.text).not.toContain('root:');
    expect(response.text).not.toContain('lollol');
    expect(response.headers['lock-token']).toBeUndefined();
    expect(await contentOf(dav, '/dav/unmapped.txt')).toBeNull();
  });

  it.each(targets)('%s %s with a body over webdav.maxXmlBytes is 413 and changes nothing', async (method, path) => {
    const body = WRAP[method]!('x'.repeat(4096));
    const response = await unchanged(small, () =>
      raw(small, path, { method, body, headers: { 'Content-Type': 'application/xml', Depth: '0' } }),
    );
    expect(response.status).toBe(413);
    expect(await contentOf(small, '/dav/unmapped.txt')).toBeNull();
  });

  it.each(targets)('%s %s with a chunked body over webdav.maxXmlBytes is 413 and changes nothing', async (method, path) => {
    const body = WRAP[method]!('x'.repeat(4096));
    const response = await unchanged(small, async () => {
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          const bytes = Buffer.from(body);
          for (let i = 0; i < bytes.length; i += 512) controller.enqueue(bytes.subarray(i, i + 512));
          controller.close();
        },
      });
      return davFetch(small, path, {
        method,
        body: stream,
        headers: { 'Content-Type': 'application/xml', Depth: '0' },
        duplex: 'half',
      } as RequestInit);
    });
    expect(response.status).toBe(413);
    expect(await contentOf(small, '/dav/unmapped.txt')).toBeNull();
  });

  it('the same bodies under the limit still work (the limit is what refused them)', async () => {
    const response = await davFetch(small, '/dav/file.txt', {
      method: 'PROPFIND',
      headers: { Depth: '0' },
      body: WRAP.PROPFIND!(''),
    });
    expect(response.status).toBe(207);
    expect(await response.text()).toContain('original');
  });
});

describe('WebDAV over HTTP: methods, OPTIONS, challenges, listings and served files (sqlite)', () => {
  let dav: DavServer;
  let allow: string;
  const xssName = '"><img src=x onerror=alert(1)>';
  const xssFolder = "<svg onload=alert('x')>&amp;";

  beforeAll(async () => {
    dav = await startDavServer('sqlite');
    await put(dav, '/dav/file.txt', 'hello');
    await mkcol(dav, '/dav/dir');
    await put(dav, `/dav/dir/${encodeURIComponent(xssName)}`, 'xss');
    await mkcol(dav, `/dav/${encodeURIComponent(xssFolder)}`);
    await put(dav, `/dav/${encodeURIComponent(xssFolder)}/${encodeURIComponent('<b>bold</b>.txt'.replace('/', '_'))}`, 'b');
    await put(dav, '/dav/page.html', '<!doctype html><script>alert(document.cookie)</script>');
    await put(dav, '/dav/image.svg', '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>');
    const options = await davFetch(dav, '/dav/', { method: 'OPTIONS', auth: null });
    allow = options.headers.get('allow') ?? '';
  });
  afterAll(async () => {
    await dav?.close();
  });

  it.each(['PATCH', 'POST', 'REPORT', 'SEARCH', 'ACL', 'MKCALENDAR'])(
    '%s is 405 with the Allow of OPTIONS and changes nothing',
    async (method) => {
      const response = await unchanged(dav, () =>
        raw(dav, '/dav/file.txt', { method, body: '<x/>', headers: { 'Content-Type': 'application/xml' } }),
      );
      expect(response.status).toBe(405);
      expect(response.headers.allow).toBe(allow);
      expect(allow).toMatch(/\bPROPFIND\b/);
      expect(allow).not.toMatch(new RegExp(`\\b${method}\\b`));
    },
  );

  it('an unsupported method on a missing path is 405 too (not 404)', async () => {
    const response = await davFetch(dav, '/dav/missing/deeper.txt', { method: 'PATCH', body: 'x' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe(allow);
  });

  describe('OPTIONS', () => {
    const interesting = (headers: http.IncomingHttpHeaders) => {
      const out: Record<string, unknown> = { ...headers };
      for (const name of ['date', 'connection', 'keep-alive']) delete out[name];
      return out;
    };

    it.each([
      '/dav',
      '/dav/',
      '/dav/file.txt',
      '/dav/dir/',
      '/dav/missing.txt',
      '/dav/missing/deeper/still.txt',
      '/dav/%2e%2e/',
      '/dav/../etc/passwd',
    ])('OPTIONS %s without credentials is 200 with DAV: 1, 2 and reveals nothing', async (path) => {
      const response = await raw(dav, path, { method: 'OPTIONS', auth: null });
      expect(response.status).toBe(200);
      expect(response.headers.dav).toBe('1, 2');
      expect(response.headers['ms-author-via']).toBe('DAV');
      expect(response.headers.allow).toBe(allow);
      expect(response.headers.etag).toBeUndefined();
      expect(response.headers['last-modified']).toBeUndefined();
      expect(response.headers['www-authenticate']).toBeUndefined();
      expect(response.body.length).toBe(0);
      const reference = await raw(dav, '/dav/', { method: 'OPTIONS', auth: null });
      expect(interesting(response.headers)).toEqual(interesting(reference.headers));
    });

    it('OPTIONS with wrong credentials answers the same', async () => {
      const response = await raw(dav, '/dav/file.txt', { method: 'OPTIONS', auth: { email: dav.email, password: 'x'.repeat(32) } });
      const reference = await raw(dav, '/dav/', { method: 'OPTIONS', auth: null });
      expect(response.status).toBe(200);
      expect(interesting(response.headers)).toEqual(interesting(reference.headers));
    });

    it('Allow lists exactly the methods served', () => {
      expect(allow.split(/,\s*/).sort()).toEqual(
        ['COPY', 'DELETE', 'GET', 'HEAD', 'LOCK', 'MKCOL', 'MOVE', 'OPTIONS', 'PROPFIND', 'PROPPATCH', 'PUT', 'UNLOCK'].sort(),
      );
    });
  });

  describe('401 challenges', () => {
    it.each<[string, string, Credentials | 'malformed' | 'bearer' | 'no-colon']>([
      ['GET', '/dav/file.txt', null],
      ['GET', '/dav/missing.txt', null],
      ['HEAD', '/dav/file.txt', null],
      ['PROPFIND', '/dav/', null],
      ['PUT', '/dav/new.txt', null],
      ['DELETE', '/dav/file.txt', null],
      ['MKCOL', '/dav/newdir', null],
      ['LOCK', '/dav/file.txt', null],
      ['UNLOCK', '/dav/file.txt', null],
      ['MOVE', '/dav/file.txt', null],
      ['COPY', '/dav/file.txt', null],
      ['PROPPATCH', '/dav/file.txt', null],
      ['GET', '/dav/%2e%2e/etc/passwd', null],
      ['GET', '/dav/file.txt', 'malformed'],
      ['GET', '/dav/file.txt', 'bearer'],
      ['GET', '/dav/file.txt', 'no-colon'],
    ])('%s %s with %j is 401 with a Basic challenge and changes nothing', async (method, path, credentials) => {
      const headers: Record<string, string> = { Depth: '0', Destination: '/dav/elsewhere.txt' };
      if (credentials === 'malformed') headers.authorization = 'Basic !!!not-base64!!!';
      if (credentials === 'bearer') headers.authorization = 'Bearer abc.def.ghi';
      if (credentials === 'no-colon') headers.authorization = `Basic ${Buffer.from(dav.email).toString('base64')}`;
      const response = await unchanged(dav, () =>
        raw(dav, path, {
          method,
          headers,
          auth: typeof credentials === 'string' ? null : credentials,
          ...(method === 'PUT' && { body: 'x' }),
        }),
      );
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toMatch(/^Basic realm="[^"]+"/);
      expect(response.text).not.toContain('hello');
    });

    it('a wrong password is 401 with the same challenge', async () => {
      const response = await unchanged(dav, () =>
        davFetch(dav, '/dav/file.txt', { method: 'PUT', body: 'x', auth: { email: dav.email, password: 'A'.repeat(32) } }),
      );
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm="[^"]+"/);
    });
  });

  it.each<[Record<string, string>]>([[{ Depth: '0' }], [{ Depth: '1' }], [{}]])(
    'PROPFIND on a missing path is 404, not 207 (%j)',
    async (headers) => {
      const response = await davFetch(dav, '/dav/missing.txt', { method: 'PROPFIND', headers: { Depth: '1', ...headers } });
      expect(response.status).toBe(404);
      const deeper = await davFetch(dav, '/dav/missing/deeper/', { method: 'PROPFIND', headers: { Depth: '0' } });
      expect(deeper.status).toBe(404);
    },
  );

  it('GET on a folder is an HTML listing with every name escaped', async () => {
    const response = await davFetch(dav, '/dav/dir/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await response.text();
    expect(html).not.toContain('<img');
    expect(html).not.toContain('onerror=alert(1)>');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    // The href is percent-encoded: a quote cannot end the attribute.
    expect(html).toContain('href="/dav/dir/%22%3E%3Cimg%20src=x%20onerror=alert(1)%3E"');
  });

  it('a folder whose own name is markup is listed with an escaped title and links', async () => {
    const folder = await davFetch(dav, `/dav/${encodeURIComponent(xssFolder)}/`);
    expect(folder.status).toBe(200);
    const html = await folder.text();
    expect(html).not.toContain('<svg');
    expect(html).not.toContain('<b>');
    expect(html).toContain("&lt;svg onload=alert('x')&gt;&amp;amp;");
    const root = await (await davFetch(dav, '/dav/')).text();
    expect(root).not.toContain('<svg');
    const hrefs = [...root.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!);
    for (const href of hrefs) expect(href).toMatch(/^\/dav\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/);
  });

  it.each(['/dav/page.html', '/dav/image.svg', '/dav/file.txt'])('GET %s carries nosniff and a sandboxing CSP', async (path) => {
    for (const init of [{}, { method: 'HEAD' }, { headers: { Range: 'bytes=0-1' } }, { headers: { Range: 'bytes=0-0,2-3' } }]) {
      const response = await davFetch(dav, path, init);
      expect([200, 206]).toContain(response.status);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toMatch(/(^|;)\s*sandbox\b/);
      expect(csp).toMatch(/default-src 'none'/);
      expect(csp).not.toMatch(/script-src/);
      await response.arrayBuffer();
    }
  });

  it('DESIGN.md: user files are served with a Content-Disposition', async () => {
    const response = await davFetch(dav, '/dav/page.html');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition') ?? '(none)').toMatch(/^(attachment|inline)\b/);
    await response.arrayBuffer();
  });
});
