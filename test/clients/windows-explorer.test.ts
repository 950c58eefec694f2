import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { davFetch, startDavServer, type DavServer } from '../support/dav-server.js';
import {
  DAV_NS,
  bareToken,
  locksOn,
  lockinfo,
  multistatusProblems,
  parseMultistatus,
  propOf,
  propText,
  storedEntry,
  storedNames,
} from '../support/replay.js';

/**
 * Windows Explorer (Mini-Redirector), shared/webdav-clients.md section 1: mount, "New folder",
 * and copying a file in (empty PUT, LOCK, Win32 PROPPATCH under the lock, data PUT, UNLOCK
 * with a bare token).
 */
const MS = 'urn:schemas-microsoft-com:';
const UA = 'Microsoft-WebDAV-MiniRedir/10.0.19045';
const client = { 'User-Agent': UA, translate: 'f' };

describe('Windows Explorer', () => {
  let dav: DavServer;
  beforeAll(async () => {
    dav = await startDavServer('sqlite');
  });
  afterAll(async () => {
    await dav.close();
  });

  it('mounts: anonymous OPTIONS on the host root and the DAV root, then PROPFIND 401 Basic, then 207', async () => {
    const hostRoot = await davFetch(dav, '/', { method: 'OPTIONS', auth: null, headers: { 'User-Agent': 'DavClnt' }, redirect: 'manual' });
    expect(hostRoot.status).toBeGreaterThanOrEqual(200);
    expect(hostRoot.status).toBeLessThan(300);
    expect(hostRoot.headers.get('location')).toBeNull();

    for (const path of ['/dav/', '/dav']) {
      const options = await davFetch(dav, path, { method: 'OPTIONS', auth: null, headers: client, redirect: 'manual' });
      expect(options.status, path).toBe(200);
      expect(options.headers.get('dav')).toMatch(/^1,\s*2\b/);
      expect(options.headers.get('ms-author-via')).toBe('DAV');
      expect(options.headers.get('allow')).toMatch(/\bLOCK\b/);
    }

    const anonymous = await davFetch(dav, '/dav/', { method: 'PROPFIND', auth: null, headers: { ...client, Depth: '0' } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm=/);

    const signedIn = await davFetch(dav, '/dav/', { method: 'PROPFIND', headers: { ...client, Depth: '0' } });
    expect(signedIn.status).toBe(207);
    expect(signedIn.headers.get('content-type')).toMatch(/^(application|text)\/xml/);
    const xml = await signedIn.text();
    expect(multistatusProblems(xml)).toEqual([]);
    const ms = parseMultistatus(xml);
    expect(ms.responses.map((r) => r.href)).toEqual(['/dav/']);
    const root = ms.responses[0]!;
    expect(propOf(root, DAV_NS, 'resourcetype')?.node.children.map((c) => `${c.ns}${c.local}`)).toEqual(['DAV:collection']);
    // Windows 7+ needs creationdate as ISO 8601 ending in Z; getlastmodified is RFC 1123.
    expect(propText(root, DAV_NS, 'creationdate')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(propText(root, DAV_NS, 'getlastmodified')).toMatch(/^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT$/);
  });

  it('creates a New folder: PROPFIND 404, PROPFIND parent 207, MKCOL 401 then 201', async () => {
    const missing = await davFetch(dav, '/dav/New%20folder', { method: 'PROPFIND', headers: { ...client, Depth: '0' } });
    expect(missing.status).toBe(404);
    await missing.arrayBuffer();

    const parent = await davFetch(dav, '/dav/', { method: 'PROPFIND', headers: { ...client, Depth: '1' } });
    expect(parent.status).toBe(207);
    expect(multistatusProblems(await parent.text())).toEqual([]);

    const anonymous = await davFetch(dav, '/dav/New%20folder', { method: 'MKCOL', auth: null, headers: client });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect(await storedEntry(dav, '/New folder')).toBeNull();

    const made = await davFetch(dav, '/dav/New%20folder', { method: 'MKCOL', headers: client });
    expect(made.status).toBe(201);

    const listed = await davFetch(dav, '/dav/New%20folder', { method: 'PROPFIND', headers: { ...client, Depth: '0' } });
    expect(listed.status).toBe(207);
    const xml = await listed.text();
    expect(multistatusProblems(xml)).toEqual([]);
    expect(parseMultistatus(xml).responses.map((r) => r.href)).toEqual(['/dav/New%20folder/']);
    expect((await storedEntry(dav, '/New folder'))?.kind).toBe('folder');
  });

  it('copies a file in: empty PUT, LOCK, Win32 PROPPATCH under the lock, HEAD, data PUT, PROPPATCH, bare-token UNLOCK', async () => {
    const path = '/dav/New%20folder/a.txt';
    const created = new Date('2024-02-12T10:26:04Z');
    const modified = new Date('2023-11-05T08:15:30Z');
    const written: number[] = [];
    const off = dav.t.app.events.on((event) => {
      if (event.type === 'file.written') written.push(event.entry.size);
    });

    const missing = await davFetch(dav, path, { method: 'PROPFIND', headers: { ...client, Depth: '0' } });
    expect(missing.status).toBe(404);
    await missing.arrayBuffer();

    const empty = await davFetch(dav, path, { method: 'PUT', headers: { ...client, 'Content-Length': '0' }, body: '' });
    expect(empty.status).toBe(201);
    const placeholder = await storedEntry(dav, '/New folder/a.txt');
    expect(placeholder?.size).toBe(0);

    // No Depth header, Timeout Second-3600, exclusive write lock.
    const locked = await davFetch(dav, path, {
      method: 'LOCK',
      headers: { ...client, Timeout: 'Second-3600', 'Content-Type': 'text/xml; charset="utf-8"' },
      body: lockinfo('<D:href>DESKTOP-42\\alice</D:href>'),
    });
    expect(locked.status).toBe(200);
    const token = bareToken(locked.headers.get('lock-token'));
    expect(token).toMatch(/^opaquelocktoken:/);
    const lockXml = await locked.text();
    expect(lockXml).toContain(token);
    expect(lockXml).toMatch(/<D:timeout>Second-3\d{3}<\/D:timeout>/);

    const win32 = await davFetch(dav, path, {
      method: 'PROPPATCH',
      headers: { ...client, If: `(<${token}>)`, 'Content-Type': 'text/xml; charset="utf-8"' },
      body:
        '<?xml version="1.0" encoding="utf-8" ?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:schemas-microsoft-com:"><D:set><D:prop>' +
        `<Z:Win32CreationTime>${created.toUTCString()}</Z:Win32CreationTime>` +
        `<Z:Win32LastAccessTime>${created.toUTCString()}</Z:Win32LastAccessTime>` +
        `<Z:Win32LastModifiedTime>${created.toUTCString()}</Z:Win32LastModifiedTime>` +
        '<Z:Win32FileAttributes>00000020</Z:Win32FileAttributes>' +
        '</D:prop></D:set></D:propertyupdate>',
    });
    expect(win32.status).toBe(207);
    const win32Xml = await win32.text();
    expect(multistatusProblems(win32Xml)).toEqual([]);
    const patched = parseMultistatus(win32Xml).responses[0]!;
    for (const name of ['Win32CreationTime', 'Win32LastAccessTime', 'Win32LastModifiedTime', 'Win32FileAttributes']) {
      expect(propOf(patched, MS, name)?.status, name).toBe(200);
    }

    const head = await davFetch(dav, path, { method: 'HEAD', headers: client });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('0');

    const size = 70 * 1000 * 1000;
    const content = Buffer.alloc(size, 0x61);
    content.write('first line\r\n', 0);
    const data = await davFetch(dav, path, { method: 'PUT', headers: { ...client, If: `(<${token}>)` }, body: content });
    expect(data.status).toBe(204);
    expect(data.headers.get('etag')).toMatch(/^"[^"]+"$/);

    const times = await davFetch(dav, path, {
      method: 'PROPPATCH',
      headers: { ...client, If: `(<${token}>)`, 'Content-Type': 'text/xml; charset="utf-8"' },
      body:
        '<?xml version="1.0" encoding="utf-8" ?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:schemas-microsoft-com:"><D:set><D:prop>' +
        `<Z:Win32LastModifiedTime>${modified.toUTCString()}</Z:Win32LastModifiedTime>` +
        '<Z:Win32FileAttributes>00000020</Z:Win32FileAttributes>' +
        '</D:prop></D:set></D:propertyupdate>',
    });
    expect(times.status).toBe(207);
    const timesXml = await times.text();
    expect(multistatusProblems(timesXml)).toEqual([]);
    expect(propOf(parseMultistatus(timesXml).responses[0]!, MS, 'Win32LastModifiedTime')?.status).toBe(200);

    // Lock-Token without angle brackets, as the Mini-Redirector sometimes sends it.
    const unlocked = await davFetch(dav, path, { method: 'UNLOCK', headers: { ...client, 'Lock-Token': token } });
    expect(unlocked.status).toBe(204);
    off();

    // What Explorer then shows: the Win32 properties.
    const shown = await davFetch(dav, path, {
      method: 'PROPFIND',
      headers: { ...client, Depth: '0' },
      body:
        '<?xml version="1.0" encoding="utf-8" ?><D:propfind xmlns:D="DAV:" xmlns:Z="urn:schemas-microsoft-com:"><D:prop>' +
        '<Z:Win32LastModifiedTime/><Z:Win32CreationTime/><Z:Win32FileAttributes/><D:getcontentlength/><D:lockdiscovery/>' +
        '</D:prop></D:propfind>',
    });
    expect(shown.status).toBe(207);
    const shownXml = await shown.text();
    expect(multistatusProblems(shownXml)).toEqual([]);
    const entry = parseMultistatus(shownXml).responses[0]!;
    expect(entry.href).toBe('/dav/New%20folder/a.txt');
    expect(propText(entry, MS, 'Win32LastModifiedTime')).toBe(modified.toUTCString());
    expect(propText(entry, MS, 'Win32CreationTime')).toBe(created.toUTCString());
    expect(propText(entry, MS, 'Win32FileAttributes')).toBe('00000020');
    expect(propText(entry, DAV_NS, 'getcontentlength')).toBe(String(size));
    expect(propText(entry, DAV_NS, 'lockdiscovery') ?? '').not.toContain('opaquelocktoken');

    // Stored state: one file, the same entry as the placeholder, mtime from Win32LastModifiedTime, no lock.
    expect(await storedNames(dav, '/New folder')).toEqual(['a.txt']);
    const stored = (await storedEntry(dav, '/New folder/a.txt'))!;
    expect(stored.id).toBe(placeholder!.id);
    expect(stored.size).toBe(size);
    expect(stored.mtime).toBe(modified.getTime());
    expect(await locksOn(dav, stored)).toEqual([]);
    // The empty placeholder and the content were the only writes (no extra copy of the file).
    expect(written).toEqual([0, size]);
  });
});
