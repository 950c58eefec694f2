import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { davFetch, startDavServer, type DavServer } from '../support/dav-server.js';
import { DAV_NS, multistatusProblems, parseMultistatus, propText, storedEntry, storedNames } from '../support/replay.js';

/**
 * PhotoSync, shared/webdav-clients.md section 10: checks the target folder by PROPFIND and
 * requires a 207 (a 200 is "Login Error: OK"), creates year/month folders, uploads with
 * X-OC-MTime and X-Favorite, and may PUT the same photo twice.
 */
const UA = 'PhotoSync/4.3.2 (iPhone; iOS 17.3; Scale/3.00)';
const MTIME = 1707733564;

describe('PhotoSync', () => {
  let dav: DavServer;
  beforeAll(async () => {
    dav = await startDavServer('sqlite');
  });
  afterAll(async () => {
    await dav.close();
  });

  it('checks the target: 404 when missing, 207 (never 200) once it exists', async () => {
    const missing = await davFetch(dav, '/dav/Photos/', { method: 'PROPFIND', headers: { 'User-Agent': UA, Depth: '0' } });
    expect(missing.status).toBe(404);
    await missing.arrayBuffer();
    const made = await davFetch(dav, '/dav/Photos', { method: 'MKCOL', headers: { 'User-Agent': UA } });
    expect(made.status).toBe(201);

    for (const path of ['/dav/Photos/', '/dav/Photos', '/dav/']) {
      const check = await davFetch(dav, path, { method: 'PROPFIND', headers: { 'User-Agent': UA, Depth: '0' } });
      expect(check.status, path).toBe(207);
      const xml = await check.text();
      expect(multistatusProblems(xml)).toEqual([]);
      expect(parseMultistatus(xml).responses).toHaveLength(1);
    }
  });

  it('creates year and month folders (201, then 405 when they exist)', async () => {
    for (const path of ['/dav/Photos/2024', '/dav/Photos/2024/02']) {
      const made = await davFetch(dav, path, { method: 'MKCOL', headers: { 'User-Agent': UA } });
      expect(made.status, path).toBe(201);
      const again = await davFetch(dav, path, { method: 'MKCOL', headers: { 'User-Agent': UA } });
      expect(again.status, path).toBe(405);
    }
  });

  it('uploads with X-OC-MTime and X-Favorite (201), and the same PUT again replaces it (204), one entry', async () => {
    const path = '/dav/Photos/2024/02/IMG_0001.HEIC';
    const photo = Buffer.alloc(512 * 1024, 0x48);
    const headers = { 'User-Agent': UA, 'Content-Type': 'image/heic', 'X-OC-MTime': String(MTIME), 'X-Favorite': '1' };

    const first = await davFetch(dav, path, { method: 'PUT', headers, body: photo });
    expect(first.status).toBe(201);
    expect(first.headers.get('x-oc-mtime')).toBe('accepted');
    const created = (await storedEntry(dav, '/Photos/2024/02/IMG_0001.HEIC'))!;

    const second = await davFetch(dav, path, { method: 'PUT', headers, body: photo });
    expect(second.status).toBe(204);

    expect(await storedNames(dav, '/Photos/2024/02')).toEqual(['IMG_0001.HEIC']);
    const stored = (await storedEntry(dav, '/Photos/2024/02/IMG_0001.HEIC'))!;
    expect(stored.id).toBe(created.id);
    expect(stored.size).toBe(photo.length);
    expect(stored.mtime).toBe(MTIME * 1000);

    const listing = await davFetch(dav, '/dav/Photos/2024/02', { method: 'PROPFIND', headers: { 'User-Agent': UA, Depth: '1' } });
    expect(listing.status).toBe(207);
    const xml = await listing.text();
    expect(multistatusProblems(xml)).toEqual([]);
    const ms = parseMultistatus(xml);
    expect(ms.responses.map((r) => r.href)).toEqual(['/dav/Photos/2024/02/', '/dav/Photos/2024/02/IMG_0001.HEIC']);
    expect(propText(ms.responses[1]!, DAV_NS, 'getlastmodified')).toBe(new Date(MTIME * 1000).toUTCString());
  });
});
