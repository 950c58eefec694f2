import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { davFetch, startDavServer, type DavServer } from '../support/dav-server.js';
import {
  DAV_NS,
  locksOn,
  lockinfo,
  lockTokenFromBody,
  multistatusProblems,
  parseMultistatus,
  propOf,
  propText,
  rawRequest,
  storedEntry,
  storedNames,
} from '../support/replay.js';

/**
 * macOS Finder (WebDAVFS), shared/webdav-clients.md section 2: mount, a new file under an
 * NFD name (empty PUT, LOCK, `._name` lock churn, chunked PUT with X-Expected-Entity-Length,
 * refresh, UNLOCK), and an empty chunked body that announced bytes.
 */
const UA = 'WebDAVFS/3.0.0 (03008000) Darwin/23.2.0 (x86_64)';
const APPLE = 'http://www.apple.com/webdav_fs/props/';
const OWNER = '<D:href>http://www.apple.com/webdav_fs/</D:href>';
const NFD = '/dav/cafe%CC%81.txt';
const NFD_DOUBLE = '/dav/._cafe%CC%81.txt';
const NFC = '/dav/caf%C3%A9.txt';
const STAT_PROPS = '<D:getlastmodified/><D:getcontentlength/><D:creationdate/><D:resourcetype/>';

function propfindBody(props: string): string {
  return `<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:" xmlns:A="${APPLE}"><D:prop>${props}</D:prop></D:propfind>`;
}

/** 4 MiB sent as 64 KiB chunks, like WebDAVFS's chunked writes. */
function chunks(total: number, size = 64 * 1024): Buffer[] {
  const out: Buffer[] = [];
  for (let offset = 0; offset < total; offset += size) out.push(Buffer.alloc(Math.min(size, total - offset), (offset / size) % 251));
  return out;
}

describe('macOS Finder', () => {
  let dav: DavServer;
  beforeAll(async () => {
    dav = await startDavServer('sqlite');
  });
  afterAll(async () => {
    await dav.close();
  });

  it('mounts read-write: class 2 in OPTIONS, stat and listing PROPFINDs, free space', async () => {
    const options = await davFetch(dav, '/dav/', { method: 'OPTIONS', auth: null, headers: { 'User-Agent': UA } });
    expect(options.status).toBe(200);
    expect(options.headers.get('dav')).toMatch(/^1,\s*2\b/);
    // Allow consistent with DAV: 1, 2 (Finder error -36 without PUT).
    for (const method of ['PUT', 'LOCK', 'UNLOCK', 'MOVE', 'PROPFIND']) expect(options.headers.get('allow')).toContain(method);

    const stat = await davFetch(dav, '/dav/', {
      method: 'PROPFIND',
      headers: { 'User-Agent': UA, Depth: '0' },
      body: propfindBody(STAT_PROPS),
    });
    expect(stat.status).toBe(207);
    const statXml = await stat.text();
    expect(multistatusProblems(statXml)).toEqual([]);
    const root = parseMultistatus(statXml).responses[0]!;
    expect(root.href).toBe('/dav/');
    // Finder reads every date as UTC.
    expect(propText(root, DAV_NS, 'getlastmodified')).toMatch(/ GMT$/);

    const list = await davFetch(dav, '/dav/', {
      method: 'PROPFIND',
      headers: { 'User-Agent': UA, Depth: '1' },
      body: propfindBody(`${STAT_PROPS}<A:appledoubleheader/>`),
    });
    expect(list.status).toBe(207);
    const listXml = await list.text();
    expect(multistatusProblems(listXml)).toEqual([]);
    const apple = propOf(parseMultistatus(listXml).responses[0]!, APPLE, 'appledoubleheader');
    expect(apple?.status).toBe(404);

    const space = await davFetch(dav, '/dav/', {
      method: 'PROPFIND',
      headers: { 'User-Agent': UA, Depth: '0' },
      body: propfindBody('<D:quota-available-bytes/><D:quota-used-bytes/><D:quota/><D:quotaused/>'),
    });
    expect(space.status).toBe(207);
    const spaceXml = await space.text();
    expect(multistatusProblems(spaceXml)).toEqual([]);
    const quota = parseMultistatus(spaceXml).responses[0]!;
    expect(propText(quota, DAV_NS, 'quota-available-bytes')).toMatch(/^\d+$/);
    expect(propText(quota, DAV_NS, 'quota-used-bytes')).toMatch(/^\d+$/);
    // The pre-RFC 4331 names are unknown here: a 404 propstat, not a failure of the whole request.
    expect(propOf(quota, DAV_NS, 'quota')?.status).toBe(404);

    // Finder's probes for names that do not exist: plain 404s, never a 207 wrapping one.
    for (const probe of ['._.', '.Spotlight-V100', '.metadata_never_index', 'Backups.backupdb', 'mach_kernel', 'Contents', '.DS_Store']) {
      const response = await davFetch(dav, `/dav/${probe}`, {
        method: 'PROPFIND',
        headers: { 'User-Agent': UA, Depth: '0' },
        body: propfindBody(STAT_PROPS),
      });
      expect(response.status, probe).toBe(404);
      await response.arrayBuffer();
    }
  });

  it('creates café.txt under its NFD name: empty PUT, LOCK, ._ lock/unlock, chunked PUT, refresh, UNLOCK', async () => {
    const probe = await davFetch(dav, NFD, {
      method: 'PROPFIND',
      headers: { 'User-Agent': UA, Depth: '0' },
      body: propfindBody(STAT_PROPS),
    });
    expect(probe.status).toBe(404);
    await probe.arrayBuffer();

    const empty = await davFetch(dav, NFD, { method: 'PUT', headers: { 'User-Agent': UA, 'Content-Length': '0' }, body: '' });
    expect(empty.status).toBe(201);
    // Finder takes the response Date as the creation time.
    expect(empty.headers.get('date')).toBeTruthy();
    const placeholder = (await storedEntry(dav, '/café.txt'))!;
    expect(placeholder.size).toBe(0);

    const locked = await davFetch(dav, NFD, {
      method: 'LOCK',
      headers: { 'User-Agent': UA, Depth: '0', Timeout: 'Second-600', 'Content-Type': 'text/xml; charset="utf-8"' },
      body: lockinfo(OWNER),
    });
    expect(locked.status).toBe(200);
    // WebDAVFS reads the token from the body (parse_lock), not from the Lock-Token header.
    const lockXml = await locked.text();
    const token = lockTokenFromBody(lockXml);
    expect(token).toMatch(/^opaquelocktoken:/);
    expect(locked.headers.get('lock-token')).toBe(`<${token}>`);
    expect(lockXml).toContain('<D:timeout>Second-600</D:timeout>');
    expect(lockXml).toContain('http://www.apple.com/webdav_fs/');

    // The AppleDouble companion is locked alongside, then unlocked before the data PUT.
    const doubleLocked = await davFetch(dav, NFD_DOUBLE, {
      method: 'LOCK',
      headers: { 'User-Agent': UA, Depth: '0', Timeout: 'Second-600', 'Content-Type': 'text/xml; charset="utf-8"' },
      body: lockinfo(OWNER),
    });
    expect([200, 201]).toContain(doubleLocked.status);
    const doubleToken = lockTokenFromBody(await doubleLocked.text());
    expect(doubleToken).toMatch(/^opaquelocktoken:/);
    expect(doubleToken).not.toBe(token);
    const doubleUnlocked = await davFetch(dav, NFD_DOUBLE, {
      method: 'UNLOCK',
      headers: { 'User-Agent': UA, 'Lock-Token': `<${doubleToken}>` },
    });
    expect(doubleUnlocked.status).toBe(204);
    // Unlocking ._café.txt leaves café.txt's lock in place.
    expect(await locksOn(dav, placeholder)).toEqual([token]);

    const size = 4 * 1024 * 1024;
    const body = chunks(size);
    const put = await rawRequest(dav, {
      method: 'PUT',
      path: NFD,
      headers: {
        'User-Agent': UA,
        'Content-Type': 'application/octet-stream',
        'Transfer-Encoding': 'chunked',
        'X-Expected-Entity-Length': String(size),
        If: `(<${token}>)`,
      },
      body,
    });
    expect(put.status, put.body).toBe(204);

    const refreshed = await davFetch(dav, NFD, {
      method: 'LOCK',
      headers: { 'User-Agent': UA, Timeout: 'Second-600', If: `(<${token}>)` },
    });
    expect(refreshed.status).toBe(200);
    expect(lockTokenFromBody(await refreshed.text())).toBe(token);

    const unlocked = await davFetch(dav, NFD, { method: 'UNLOCK', headers: { 'User-Agent': UA, 'Lock-Token': `<${token}>` } });
    expect(unlocked.status).toBe(204);

    // The NFC spelling finds the same file; its href is the canonical (NFC) one.
    const nfc = await davFetch(dav, NFC, {
      method: 'PROPFIND',
      headers: { 'User-Agent': UA, Depth: '0' },
      body: propfindBody(`${STAT_PROPS}<D:getetag/>`),
    });
    expect(nfc.status).toBe(207);
    const nfcXml = await nfc.text();
    expect(multistatusProblems(nfcXml)).toEqual([]);
    const response = parseMultistatus(nfcXml).responses[0]!;
    expect(response.href).toBe(NFC);
    expect(propText(response, DAV_NS, 'getcontentlength')).toBe(String(size));

    const get = await davFetch(dav, NFD, { headers: { 'User-Agent': UA } });
    expect(get.status).toBe(200);
    expect(get.headers.get('content-length')).toBe(String(size));
    expect(Buffer.from(await get.arrayBuffer()).equals(Buffer.concat(body))).toBe(true);

    const stored = (await storedEntry(dav, '/café.txt'))!;
    expect(stored.id).toBe(placeholder.id);
    expect(stored.size).toBe(size);
    expect(propText(response, DAV_NS, 'getetag')).toBe(`"${stored.etag}"`);
    expect(await locksOn(dav, stored)).toEqual([]);
    const companion = (await storedEntry(dav, '/._café.txt'))!;
    expect(companion.size).toBe(0);
    expect(await locksOn(dav, companion)).toEqual([]);
    expect((await storedNames(dav, '/')).sort()).toEqual(['._café.txt', 'café.txt']);
  });

  it('refuses an empty chunked body that announced 10 bytes and leaves the file unchanged', async () => {
    const before = (await storedEntry(dav, '/café.txt'))!;
    const put = await rawRequest(dav, {
      method: 'PUT',
      path: NFD,
      headers: { 'User-Agent': UA, 'Transfer-Encoding': 'chunked', 'X-Expected-Entity-Length': '10' },
    });
    expect(put.status).toBeGreaterThanOrEqual(400);
    expect(put.status).toBeLessThan(500);
    const after = (await storedEntry(dav, '/café.txt'))!;
    expect(after).toEqual(before);
  });

  it('refuses an empty chunked body that announced 10 bytes for a new file, creating nothing', async () => {
    const put = await rawRequest(dav, {
      method: 'PUT',
      path: '/dav/nai%CC%88ve.txt',
      headers: { 'User-Agent': UA, 'Transfer-Encoding': 'chunked', 'X-Expected-Entity-Length': '10' },
    });
    expect(put.status).toBeGreaterThanOrEqual(400);
    expect(put.status).toBeLessThan(500);
    expect(await storedEntry(dav, '/naïve.txt')).toBeNull();
  });

  it('renames with a full-URL Destination, If tokens and no Overwrite header (absent = T)', async () => {
    const target = await davFetch(dav, '/dav/Re%CC%81sume%CC%81.txt', { method: 'PUT', headers: { 'User-Agent': UA }, body: 'old' });
    expect(target.status).toBe(201);
    const original = (await storedEntry(dav, '/café.txt'))!;
    const locked = await davFetch(dav, NFD, {
      method: 'LOCK',
      headers: { 'User-Agent': UA, Depth: '0', Timeout: 'Second-600', 'Content-Type': 'text/xml; charset="utf-8"' },
      body: lockinfo(OWNER),
    });
    expect(locked.status).toBe(200);
    const token = lockTokenFromBody(await locked.text())!;

    const moved = await davFetch(dav, NFD, {
      method: 'MOVE',
      headers: { 'User-Agent': UA, Destination: `${dav.origin}/dav/Re%CC%81sume%CC%81.txt`, If: `(<${token}>)` },
    });
    expect(moved.status).toBe(204);
    expect(await storedEntry(dav, '/café.txt')).toBeNull();
    const renamed = (await storedEntry(dav, '/Résumé.txt'))!;
    expect(renamed.size).toBe(original.size);
    expect(renamed.etag).toBe(original.etag);
    // RFC 4918 7.7: the lock stayed behind with the old name, which no longer exists.
    expect(await locksOn(dav, renamed)).toEqual([]);
  });
});
