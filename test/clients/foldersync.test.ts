import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { davFetch, startDavServer, type DavServer } from '../support/dav-server.js';
import { DAV_NS, multistatusProblems, parseMultistatus, propText, rawRequest, storedEntry, storedNames } from '../support/replay.js';

/**
 * FolderSync (Android, OkHttp), shared/webdav-clients.md section 9: upload to
 * `name.tacitpart` with X-OC-Mtime, then MOVE to the final name with a Destination naming
 * the public scheme and host while the request itself arrived over plain HTTP (as behind a
 * TLS-terminating proxy). The mtime must survive the MOVE and no `.tacitpart` may remain.
 */
const UA = 'okhttp/4.12.0';
const MTIME = 1707733564;
const PUT_HEADERS = {
  'User-Agent': UA,
  Translate: 'f',
  Pragma: 'no-cache',
  'Cache-Control': 'no-cache',
  'Accept-Encoding': 'gzip',
  'Http.protocol.expect-Continue': 'true',
  'X-OC-Mtime': String(MTIME),
};
const D1_BODY = '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:allprop/></d:propfind>';

describe('FolderSync', () => {
  let dav: DavServer;
  beforeAll(async () => {
    dav = await startDavServer('sqlite');
    const camera = await davFetch(dav, '/dav/Camera', { method: 'MKCOL', headers: { 'User-Agent': UA } });
    expect(camera.status).toBe(201);
  });
  afterAll(async () => {
    await dav.close();
  });

  /** PUT name.tacitpart with X-OC-Mtime, and check it by PROPFIND; returns the temporary entry's id. */
  async function uploadPart(name: string, body: Buffer): Promise<number> {
    const part = `/dav/Camera/${name}.tacitpart`;
    const put = await davFetch(dav, part, { method: 'PUT', headers: { ...PUT_HEADERS, 'Content-Length': String(body.length) }, body });
    expect(put.status).toBe(201);
    expect(put.headers.get('x-oc-mtime')).toBe('accepted');
    const stat = await davFetch(dav, part, { method: 'PROPFIND', headers: { 'User-Agent': UA, Depth: '0' } });
    expect(stat.status).toBe(207);
    const xml = await stat.text();
    expect(multistatusProblems(xml)).toEqual([]);
    const response = parseMultistatus(xml).responses[0]!;
    expect(response.href).toBe(part);
    expect(propText(response, DAV_NS, 'getcontentlength')).toBe(String(body.length));
    expect(propText(response, DAV_NS, 'getlastmodified')).toBe(new Date(MTIME * 1000).toUTCString());
    return (await storedEntry(dav, `/Camera/${name}.tacitpart`))!.id;
  }

  async function expectFinal(name: string, partId: number, size: number): Promise<void> {
    const stored = (await storedEntry(dav, `/Camera/${name}`))!;
    expect(stored.id).toBe(partId);
    expect(stored.size).toBe(size);
    expect(stored.mtime).toBe(MTIME * 1000);
    expect(await storedEntry(dav, `/Camera/${name}.tacitpart`)).toBeNull();
  }

  it('lists the folder (207), uploads IMG_1.jpg.tacitpart, MOVEs it with an https Destination on the same host (201)', async () => {
    const list = await davFetch(dav, '/dav/Camera/', { method: 'PROPFIND', headers: { 'User-Agent': UA, Depth: '1' }, body: D1_BODY });
    expect(list.status).toBe(207);
    expect(multistatusProblems(await list.text())).toEqual([]);

    const body = Buffer.alloc(300_000, 0xd8);
    const partId = await uploadPart('IMG_1.jpg', body);
    const host = new URL(dav.origin).host;
    const moved = await davFetch(dav, '/dav/Camera/IMG_1.jpg.tacitpart', {
      method: 'MOVE',
      headers: { 'User-Agent': UA, Destination: `https://${host}/dav/Camera/IMG_1.jpg`, Overwrite: 'T' },
    });
    expect(moved.status).toBe(201);
    await expectFinal('IMG_1.jpg', partId, body.length);

    // What FolderSync compares on the next sync: the mtime it sent.
    const again = await davFetch(dav, '/dav/Camera/', { method: 'PROPFIND', headers: { 'User-Agent': UA, Depth: '1' }, body: D1_BODY });
    const xml = await again.text();
    expect(multistatusProblems(xml)).toEqual([]);
    const ms = parseMultistatus(xml);
    expect(ms.responses.map((r) => r.href)).toEqual(['/dav/Camera/', '/dav/Camera/IMG_1.jpg']);
    expect(propText(ms.response('/dav/Camera/IMG_1.jpg')!, DAV_NS, 'getlastmodified')).toBe('Mon, 12 Feb 2024 10:26:04 GMT');
  });

  it('MOVEs through a proxy that keeps the public Host: Destination https://cloud.example.test/... (201)', async () => {
    const body = Buffer.alloc(1000, 0x01);
    const partId = await uploadPart('IMG_2.jpg', body);
    const moved = await rawRequest(dav, {
      method: 'MOVE',
      path: '/dav/Camera/IMG_2.jpg.tacitpart',
      headers: {
        Host: 'cloud.example.test',
        'X-Forwarded-Proto': 'https',
        'X-Forwarded-For': '203.0.113.7',
        'User-Agent': UA,
        Destination: 'https://cloud.example.test/dav/Camera/IMG_2.jpg',
        Overwrite: 'T',
      },
    });
    expect(moved.status, moved.body).toBe(201);
    await expectFinal('IMG_2.jpg', partId, body.length);
  });

  it('MOVEs through a proxy that rewrites Host but sends X-Forwarded-Host (201)', async () => {
    const body = Buffer.alloc(2000, 0x02);
    const partId = await uploadPart('IMG_3.jpg', body);
    const moved = await rawRequest(dav, {
      method: 'MOVE',
      path: '/dav/Camera/IMG_3.jpg.tacitpart',
      headers: {
        'X-Forwarded-Host': 'cloud.example.test',
        'X-Forwarded-Proto': 'https',
        'User-Agent': UA,
        Destination: 'https://cloud.example.test/dav/Camera/IMG_3.jpg',
        Overwrite: 'T',
      },
    });
    expect(moved.status, moved.body).toBe(201);
    await expectFinal('IMG_3.jpg', partId, body.length);
  });

  it('re-uploads IMG_1.jpg over the existing file: the MOVE replaces it in place (204) and keeps its id', async () => {
    const existing = (await storedEntry(dav, '/Camera/IMG_1.jpg'))!;
    const body = Buffer.alloc(123_456, 0xee);
    await uploadPart('IMG_1.jpg', body);
    const moved = await davFetch(dav, '/dav/Camera/IMG_1.jpg.tacitpart', {
      method: 'MOVE',
      headers: { 'User-Agent': UA, Destination: `https://${new URL(dav.origin).host}/dav/Camera/IMG_1.jpg`, Overwrite: 'T' },
    });
    expect(moved.status).toBe(204);
    await expectFinal('IMG_1.jpg', existing.id, body.length);
    expect(await storedNames(dav, '/Camera')).toEqual(['IMG_1.jpg', 'IMG_2.jpg', 'IMG_3.jpg']);
  });
});
