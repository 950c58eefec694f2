import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { davFetch, startDavServer, type DavServer } from '../support/dav-server.js';
import {
  DAV_NS,
  descendants,
  multistatusProblems,
  parseMultistatus,
  propOf,
  propText,
  rawRequest,
  storedEntry,
  storedNames,
} from '../support/replay.js';

/**
 * Cyberduck and Mountain Duck, shared/webdav-clients.md section 7: HEAD then PROPFIND on
 * connect, Sardine's custom `SAR:` timestamp properties (unknown at first: a 404 propstat,
 * never an invalid prefix), PROPPATCH of them, uploads with Expect: 100-continue, a refused
 * Content-Range PUT, and an upload to a temporary name MOVEd over the original.
 */
const UA = 'Cyberduck/8.7.1.40770 (Mac OS X/14.2.1) (x86_64)';
const SAR = 'SAR:';
const PROPS =
  '<?xml version="1.0" encoding="UTF-8" standalone="no"?><D:propfind xmlns:D="DAV:" xmlns:S="SAR:"><D:prop>' +
  '<D:creationdate/><D:displayname/><D:getcontentlength/><D:getcontenttype/><D:getetag/><D:getlastmodified/><D:resourcetype/>' +
  '<S:lastmodified/><S:lastmodified_server/></D:prop></D:propfind>';

describe('Cyberduck', () => {
  let dav: DavServer;
  beforeAll(async () => {
    dav = await startDavServer('sqlite');
  });
  afterAll(async () => {
    await dav.close();
  });

  it('connects: HEAD /dav/ 200, then PROPFIND with SAR: properties answered as a 404 propstat', async () => {
    const head = await davFetch(dav, '/dav/', { method: 'HEAD', headers: { 'User-Agent': UA } });
    expect(head.status).toBe(200);

    const put = await davFetch(dav, '/dav/report.pdf', { method: 'PUT', headers: { 'User-Agent': UA }, body: '%PDF-1.7 report' });
    expect(put.status).toBe(201);

    const list = await davFetch(dav, '/dav/', {
      method: 'PROPFIND',
      headers: { 'User-Agent': UA, Depth: '1', 'Content-Type': 'text/xml' },
      body: PROPS,
    });
    expect(list.status).toBe(207);
    const xml = await list.text();
    // parseMultistatus is namespace-aware: an undeclared prefix would throw here.
    expect(multistatusProblems(xml)).toEqual([]);
    const ms = parseMultistatus(xml);
    expect(ms.responses.map((r) => r.href)).toEqual(['/dav/', '/dav/report.pdf']);
    for (const response of ms.responses) {
      expect(propOf(response, SAR, 'lastmodified')?.status, response.href).toBe(404);
      expect(propOf(response, SAR, 'lastmodified_server')?.status, response.href).toBe(404);
      expect(propText(response, DAV_NS, 'getlastmodified'), response.href).toMatch(/ GMT$/);
    }
    const sarElements = descendants(ms.root).filter((node) => node.ns === SAR);
    expect(sarElements.length).toBe(4);
    for (const node of sarElements) expect(node.prefix).not.toMatch(/^(unknown|)$/i);
  });

  it('sets SAR:lastmodified and SAR:lastmodified_server by PROPPATCH and reads them back', async () => {
    const wanted = 'Mon, 12 Feb 2024 10:26:04 GMT';
    const stat = await davFetch(dav, '/dav/report.pdf', { method: 'PROPFIND', headers: { 'User-Agent': UA, Depth: '0' }, body: PROPS });
    const serverTime = propText(parseMultistatus(await stat.text()).responses[0]!, DAV_NS, 'getlastmodified')!;

    const patch = await davFetch(dav, '/dav/report.pdf', {
      method: 'PROPPATCH',
      headers: { 'User-Agent': UA, 'Content-Type': 'text/xml' },
      body:
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?><D:propertyupdate xmlns:D="DAV:" xmlns:S="SAR:"><D:set><D:prop>' +
        `<S:lastmodified>${wanted}</S:lastmodified><S:lastmodified_server>${serverTime}</S:lastmodified_server>` +
        '</D:prop></D:set></D:propertyupdate>',
    });
    expect(patch.status).toBe(207);
    const patchXml = await patch.text();
    expect(multistatusProblems(patchXml)).toEqual([]);
    const patched = parseMultistatus(patchXml).responses[0]!;
    expect(propOf(patched, SAR, 'lastmodified')?.status).toBe(200);
    expect(propOf(patched, SAR, 'lastmodified_server')?.status).toBe(200);

    const read = await davFetch(dav, '/dav/report.pdf', { method: 'PROPFIND', headers: { 'User-Agent': UA, Depth: '0' }, body: PROPS });
    expect(read.status).toBe(207);
    const readXml = await read.text();
    expect(multistatusProblems(readXml)).toEqual([]);
    const entry = parseMultistatus(readXml).responses[0]!;
    expect(propText(entry, SAR, 'lastmodified')).toBe(wanted);
    expect(propText(entry, SAR, 'lastmodified_server')).toBe(serverTime);

    // Old versions used allprop: dead properties come back with a declared prefix.
    const all = await davFetch(dav, '/dav/report.pdf', { method: 'PROPFIND', headers: { 'User-Agent': UA, Depth: '0' } });
    expect(all.status).toBe(207);
    const allXml = await all.text();
    expect(multistatusProblems(allXml)).toEqual([]);
    expect(propText(parseMultistatus(allXml).responses[0]!, SAR, 'lastmodified')).toBe(wanted);
  });

  it('uploads with Expect: 100-continue: 100 Continue, then the body, then 201', async () => {
    const body = Buffer.alloc(256 * 1024, 0x42);
    const put = await rawRequest(dav, {
      method: 'PUT',
      path: '/dav/upload.bin',
      expectContinue: true,
      headers: { 'User-Agent': UA, 'Content-Type': 'application/octet-stream' },
      body,
    });
    expect(put.continued).toBe(true);
    expect(put.status).toBe(201);
    expect((await storedEntry(dav, '/upload.bin'))?.size).toBe(body.length);
  });

  it('answers an unauthenticated Expect: 100-continue PUT with 401 before inviting the body', async () => {
    // RFC 9110 10.1.1: a final status that the headers alone determine is sent at once,
    // instead of a 100 that makes the client upload a body only to be refused.
    const refused = await rawRequest(dav, {
      method: 'PUT',
      path: '/dav/refused.bin',
      auth: null,
      expectContinue: true,
      headers: { 'User-Agent': UA, 'Content-Type': 'application/octet-stream' },
      body: Buffer.alloc(256 * 1024, 0x43),
    });
    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toMatch(/^Basic /);
    expect(await storedEntry(dav, '/refused.bin')).toBeNull();
    expect(refused.continued).toBe(false);
  });

  it('refuses a resumed PUT with Content-Range (400) and leaves the file as it was', async () => {
    const created = await davFetch(dav, '/dav/resume.txt', { method: 'PUT', headers: { 'User-Agent': UA }, body: '0123456789' });
    expect(created.status).toBe(201);
    const before = (await storedEntry(dav, '/resume.txt'))!;
    const partial = await davFetch(dav, '/dav/resume.txt', {
      method: 'PUT',
      headers: { 'User-Agent': UA, 'Content-Range': 'bytes 5-9/10' },
      body: 'abcde',
    });
    expect(partial.status).toBe(400);
    expect(await storedEntry(dav, '/resume.txt')).toEqual(before);
    const get = await davFetch(dav, '/dav/resume.txt');
    expect(await get.text()).toBe('0123456789');
  });

  it('uploads to name-<uuid> then MOVEs it over the original, keeping its id', async () => {
    const original = (await storedEntry(dav, '/report.pdf'))!;
    const temp = '/dav/report.pdf-6b1d5f0e-8c1a-4f7e-9d2b-3c4a5e6f7a8b';
    const put = await rawRequest(dav, {
      method: 'PUT',
      path: temp,
      expectContinue: true,
      headers: { 'User-Agent': UA, 'Content-Type': 'application/pdf' },
      body: '%PDF-1.7 report, second edition',
    });
    expect(put.status).toBe(201);
    const moved = await davFetch(dav, temp, {
      method: 'MOVE',
      headers: { 'User-Agent': UA, Destination: `${dav.origin}/dav/report.pdf`, Overwrite: 'T' },
    });
    expect(moved.status).toBe(204);
    const saved = (await storedEntry(dav, '/report.pdf'))!;
    expect(saved.id).toBe(original.id);
    expect(saved.size).toBe('%PDF-1.7 report, second edition'.length);
    expect((await storedNames(dav, '/')).sort()).toEqual(['report.pdf', 'resume.txt', 'upload.bin']);
  });
});
