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
 * Microsoft Office through a mapped drive, shared/webdav-clients.md section 3: Word's owner
 * file (`~$name`) and a safe save that MOVEs a temporary file over the locked original, and
 * Excel's `XXXXXXXX.tmp` safe save. The original must keep its identity (id, dead
 * properties) through the MOVE, and every lock must be released at the end.
 */
const UA = 'Microsoft-WebDAV-MiniRedir/10.0.19045';
const client = { 'User-Agent': UA, translate: 'f' };
const LOCK_HEADERS = { ...client, Timeout: 'Second-3600', 'Content-Type': 'text/xml; charset="utf-8"' };
const OWNER = '<D:href>DESKTOP-42\\alice</D:href>';

function win32Patch(when: Date): string {
  return (
    '<?xml version="1.0" encoding="utf-8" ?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:schemas-microsoft-com:"><D:set><D:prop>' +
    `<Z:Win32CreationTime>${when.toUTCString()}</Z:Win32CreationTime>` +
    `<Z:Win32LastAccessTime>${when.toUTCString()}</Z:Win32LastAccessTime>` +
    `<Z:Win32LastModifiedTime>${when.toUTCString()}</Z:Win32LastModifiedTime>` +
    '<Z:Win32FileAttributes>00000020</Z:Win32FileAttributes>' +
    '</D:prop></D:set></D:propertyupdate>'
  );
}

async function lock(dav: DavServer, path: string): Promise<string> {
  const response = await davFetch(dav, path, { method: 'LOCK', headers: LOCK_HEADERS, body: lockinfo(OWNER) });
  expect(response.status, `LOCK ${path}`).toBe(200);
  await response.arrayBuffer();
  return bareToken(response.headers.get('lock-token'));
}

async function unlock(dav: DavServer, path: string, token: string): Promise<void> {
  const response = await davFetch(dav, path, { method: 'UNLOCK', headers: { ...client, 'Lock-Token': `<${token}>` } });
  expect(response.status, `UNLOCK ${path}`).toBe(204);
}

describe('Microsoft Office', () => {
  let dav: DavServer;
  beforeAll(async () => {
    dav = await startDavServer('sqlite');
    const mkcol = await davFetch(dav, '/dav/Docs', { method: 'MKCOL' });
    expect(mkcol.status).toBe(201);
  });
  afterAll(async () => {
    await dav.close();
  });

  it('Word: owner file, then a temporary file MOVEd over the locked original keeps its id', async () => {
    const created = await davFetch(dav, '/dav/Docs/test.docx', { method: 'PUT', headers: client, body: 'version 1' });
    expect(created.status).toBe(201);
    // A dead property standing for what hangs off the entry's identity (shares, tags).
    const tagged = await davFetch(dav, '/dav/Docs/test.docx', {
      method: 'PROPPATCH',
      headers: client,
      body: '<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:X="urn:example:tags"><D:set><D:prop><X:tag>keep me</X:tag></D:prop></D:set></D:propertyupdate>',
    });
    expect(tagged.status).toBe(207);
    await tagged.arrayBuffer();
    const original = (await storedEntry(dav, '/Docs/test.docx'))!;

    // Opening: LOCK the original.
    const docToken = await lock(dav, '/dav/Docs/test.docx');

    // The owner file: PUT, LOCK, HEAD, PUT, PROPPATCH, UNLOCK.
    const owner = '/dav/Docs/~%24test.docx';
    const ownerPut = await davFetch(dav, owner, { method: 'PUT', headers: { ...client, 'Content-Length': '0' }, body: '' });
    expect(ownerPut.status).toBe(201);
    const ownerToken = await lock(dav, owner);
    const ownerHead = await davFetch(dav, owner, { method: 'HEAD', headers: client });
    expect(ownerHead.status).toBe(200);
    const ownerData = await davFetch(dav, owner, {
      method: 'PUT',
      headers: { ...client, If: `(<${ownerToken}>)` },
      body: Buffer.alloc(162, 0x20),
    });
    expect(ownerData.status).toBe(204);
    const ownerProps = await davFetch(dav, owner, {
      method: 'PROPPATCH',
      headers: { ...client, If: `(<${ownerToken}>)` },
      body: win32Patch(new Date()),
    });
    expect(ownerProps.status).toBe(207);
    expect(multistatusProblems(await ownerProps.text())).toEqual([]);
    await unlock(dav, owner, ownerToken);

    // Saving: write a temporary file, then MOVE it over the original, naming the original's lock.
    const temp = '/dav/Docs/~WRD0001.tmp';
    const tempPut = await davFetch(dav, temp, { method: 'PUT', headers: client, body: 'version 2, saved by Word' });
    expect(tempPut.status).toBe(201);
    const moved = await davFetch(dav, temp, {
      method: 'MOVE',
      headers: {
        ...client,
        Destination: `${dav.origin}/dav/Docs/test.docx`,
        Overwrite: 'T',
        If: `<${dav.origin}/dav/Docs/test.docx> (<${docToken}>)`,
      },
    });
    expect(moved.status).toBe(204);

    const deleteOwner = await davFetch(dav, owner, { method: 'DELETE', headers: client });
    expect(deleteOwner.status).toBe(204);
    await unlock(dav, '/dav/Docs/test.docx', docToken);

    const get = await davFetch(dav, '/dav/Docs/test.docx', { headers: client });
    expect(await get.text()).toBe('version 2, saved by Word');
    const props = await davFetch(dav, '/dav/Docs/test.docx', {
      method: 'PROPFIND',
      headers: { ...client, Depth: '0' },
      body: '<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:X="urn:example:tags"><D:prop><X:tag/><D:lockdiscovery/></D:prop></D:propfind>',
    });
    expect(props.status).toBe(207);
    const propsXml = await props.text();
    expect(multistatusProblems(propsXml)).toEqual([]);
    expect(propText(parseMultistatus(propsXml).responses[0]!, 'urn:example:tags', 'tag')).toBe('keep me');

    const saved = (await storedEntry(dav, '/Docs/test.docx'))!;
    expect(saved.id).toBe(original.id);
    expect(saved.size).toBe('version 2, saved by Word'.length);
    expect(saved.etag).not.toBe(original.etag);
    expect(await locksOn(dav, saved)).toEqual([]);
    expect(await storedNames(dav, '/Docs')).toEqual(['test.docx']);
  });

  it('Excel: LOCK book, PUT 34429E5E.tmp, PROPPATCH, UNLOCK both, MOVE the .tmp over the book keeps its id', async () => {
    const created = await davFetch(dav, '/dav/Docs/book.xlsx', { method: 'PUT', headers: client, body: 'workbook v1' });
    expect(created.status).toBe(201);
    const original = (await storedEntry(dav, '/Docs/book.xlsx'))!;

    const bookToken = await lock(dav, '/dav/Docs/book.xlsx');
    const temp = '/dav/Docs/34429E5E.tmp';
    const tempPut = await davFetch(dav, temp, { method: 'PUT', headers: client, body: 'workbook v2' });
    expect(tempPut.status).toBe(201);
    const tempToken = await lock(dav, temp);
    const tempProps = await davFetch(dav, temp, {
      method: 'PROPPATCH',
      headers: { ...client, If: `(<${tempToken}>)` },
      body: win32Patch(new Date('2024-02-12T10:00:00Z')),
    });
    expect(tempProps.status).toBe(207);
    const tempPropsXml = await tempProps.text();
    expect(multistatusProblems(tempPropsXml)).toEqual([]);
    expect(propOf(parseMultistatus(tempPropsXml).responses[0]!, 'urn:schemas-microsoft-com:', 'Win32LastModifiedTime')?.status).toBe(200);
    await unlock(dav, temp, tempToken);
    await unlock(dav, '/dav/Docs/book.xlsx', bookToken);

    const moved = await davFetch(dav, temp, {
      method: 'MOVE',
      headers: { ...client, Destination: `${dav.origin}/dav/Docs/book.xlsx`, Overwrite: 'T' },
    });
    expect(moved.status).toBe(204);

    const saved = (await storedEntry(dav, '/Docs/book.xlsx'))!;
    expect(saved.id).toBe(original.id);
    expect(saved.size).toBe('workbook v2'.length);
    expect(saved.mtime).toBe(Date.parse('2024-02-12T10:00:00Z'));
    expect(await locksOn(dav, saved)).toEqual([]);
    expect(await storedEntry(dav, '/Docs/34429E5E.tmp')).toBeNull();
    expect((await storedNames(dav, '/Docs')).sort()).toEqual(['book.xlsx', 'test.docx']);

    const listing = await davFetch(dav, '/dav/Docs', { method: 'PROPFIND', headers: { ...client, Depth: '1' } });
    expect(listing.status).toBe(207);
    const xml = await listing.text();
    expect(multistatusProblems(xml)).toEqual([]);
    const book = parseMultistatus(xml).response('/dav/Docs/book.xlsx')!;
    expect(propText(book, DAV_NS, 'getcontentlength')).toBe(String('workbook v2'.length));
    // No lockroot inside lockdiscovery (Office 2000/2003), and nothing left locked.
    expect(xml).not.toContain('lockroot');
    expect(xml).not.toContain('opaquelocktoken:');
  });

  it('Win32 PROPPATCH on a locked document: refused without the token (423, as litmus requires), applied with it', async () => {
    const token = await lock(dav, '/dav/Docs/book.xlsx');
    const before = (await storedEntry(dav, '/Docs/book.xlsx'))!;
    const tokenless = await davFetch(dav, '/dav/Docs/book.xlsx', {
      method: 'PROPPATCH',
      headers: client,
      body: win32Patch(new Date('2020-01-01T00:00:00Z')),
    });
    expect(tokenless.status).toBe(423);
    await tokenless.arrayBuffer();
    expect((await storedEntry(dav, '/Docs/book.xlsx'))!.mtime).toBe(before.mtime);

    const withToken = await davFetch(dav, '/dav/Docs/book.xlsx', {
      method: 'PROPPATCH',
      headers: { ...client, If: `(<${token}>)` },
      body: win32Patch(new Date('2020-01-01T00:00:00Z')),
    });
    expect(withToken.status).toBe(207);
    await withToken.arrayBuffer();
    expect((await storedEntry(dav, '/Docs/book.xlsx'))!.mtime).toBe(Date.parse('2020-01-01T00:00:00Z'));
    await unlock(dav, '/dav/Docs/book.xlsx', token);
  });

  it('Office 2011 for Mac: Depth 0 PROPFIND of a locked document shows lockdiscovery without lockroot', async () => {
    const token = await lock(dav, '/dav/Docs/book.xlsx');
    const response = await davFetch(dav, '/dav/Docs/book.xlsx', {
      method: 'PROPFIND',
      headers: { 'User-Agent': 'Microsoft Office/14.0 (Macintosh; Word 14.3)', Depth: '0' },
      body:
        '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/><D:getetag/><D:getcontentlength/>' +
        '<D:getmodifiedby/><D:creationdate/><D:getlastmodified/><D:lockdiscovery/><D:supportedlock/></D:prop></D:propfind>',
    });
    expect(response.status).toBe(207);
    const xml = await response.text();
    expect(multistatusProblems(xml)).toEqual([]);
    const entry = parseMultistatus(xml).responses[0]!;
    expect(propText(entry, DAV_NS, 'lockdiscovery')).toContain(token);
    expect(xml).not.toContain('lockroot');
    expect(propOf(entry, DAV_NS, 'getmodifiedby')?.status).toBe(404);
    await unlock(dav, '/dav/Docs/book.xlsx', token);
  });
});
