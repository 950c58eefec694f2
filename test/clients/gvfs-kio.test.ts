import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePath } from '../../src/core/index.js';
import { bodyOf } from '../support/app.js';
import { davFetch, startDavServer, type DavServer } from '../support/dav-server.js';
import {
  DAV_NS,
  multistatusProblems,
  ownerOf,
  parseMultistatus,
  propText,
  rawRequest,
  storedEntry,
  storedNames,
  type Credentials,
} from '../support/replay.js';

/**
 * GNOME gvfs (Nautilus) and KDE KIO (Dolphin), shared/webdav-clients.md section 6. gvfs climbs
 * from the mounted folder towards `/`, PROPFINDing each parent and mounting the highest DAV
 * collection it finds: for an account rooted in a subfolder, nothing above that root may be
 * visible. KIO creates after a 404 PROPFIND and accepts only 201/204 from MOVE.
 */
const GVFS = 'gvfs/1.52.2';
const KIO = 'Mozilla/5.0 (X11; Linux x86_64) KIO/5.115 dolphin/23.08.5';
const GVFS_PROPS =
  '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:creationdate/><D:displayname/><D:getcontentlength/>' +
  '<D:getcontenttype/><D:getetag/><D:getlastmodified/><D:resourcetype/></D:prop></D:propfind>';
const KIO_PROPS =
  '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:creationdate/><D:getcontentlength/><D:displayname/>' +
  '<D:source/><D:getcontentlanguage/><D:getcontenttype/><D:getlastmodified/><D:getetag/><D:supportedlock/><D:lockdiscovery/>' +
  '<D:resourcetype/><D:quota-available-bytes/><D:quota-used-bytes/></D:prop></D:propfind>';

describe('GNOME gvfs and KDE KIO', () => {
  let dav: DavServer;
  /** A WebDAV account whose view is the user's /sub folder. */
  let jailed: Credentials;

  beforeAll(async () => {
    dav = await startDavServer('sqlite');
    const user = await dav.t.app.users.get(dav.email);
    const { password } = await dav.t.app.davAccounts.create({ userId: user.id, name: 'nautilus', root: '/sub' });
    jailed = { email: dav.email, password };
    const owner = await ownerOf(dav);
    const vfs = dav.t.app.vfs;
    await vfs.write(owner, parsePath('/top-secret.txt'), bodyOf('not for this account'));
    await vfs.mkdir(owner, parsePath('/sub/docs'), { parents: true });
    await vfs.write(owner, parsePath('/sub/inside.txt'), bodyOf('inside'));
    await vfs.write(owner, parsePath('/sub/docs/a.txt'), bodyOf('aaa'));
    await vfs.write(owner, parsePath('/sub/docs/b.txt'), bodyOf('bbbb'));
  });
  afterAll(async () => {
    await dav.close();
  });

  it('gvfs mounts /dav/docs and, climbing, sees the account root as /dav/ and nothing above it', async () => {
    const options = await davFetch(dav, '/dav/docs', { method: 'OPTIONS', auth: null, headers: { 'User-Agent': GVFS } });
    expect(options.status).toBe(200);
    expect(options.headers.get('dav')).toMatch(/^1,\s*2\b/);

    const mount = await davFetch(dav, '/dav/docs', {
      method: 'PROPFIND',
      auth: jailed,
      headers: { 'User-Agent': GVFS, Depth: '1', 'Apply-To-Redirect-Ref': 'T' },
      body: GVFS_PROPS,
    });
    expect(mount.status).toBe(207);
    const mountXml = await mount.text();
    expect(multistatusProblems(mountXml)).toEqual([]);
    expect(parseMultistatus(mountXml).responses.map((r) => r.href)).toEqual(['/dav/docs/', '/dav/docs/a.txt', '/dav/docs/b.txt']);

    // Climbing: /dav/ is this account's root, listing only /sub's content.
    const parentOptions = await davFetch(dav, '/dav/', { method: 'OPTIONS', auth: null, headers: { 'User-Agent': GVFS } });
    expect(parentOptions.status).toBe(200);
    const parent = await davFetch(dav, '/dav/', {
      method: 'PROPFIND',
      auth: jailed,
      headers: { 'User-Agent': GVFS, Depth: '1' },
      body: GVFS_PROPS,
    });
    expect(parent.status).toBe(207);
    const parentXml = await parent.text();
    expect(multistatusProblems(parentXml)).toEqual([]);
    expect(parseMultistatus(parentXml).responses.map((r) => r.href)).toEqual(['/dav/', '/dav/docs/', '/dav/inside.txt']);
    expect(parentXml).not.toContain('top-secret');
    expect(parentXml).not.toContain('/sub');

    // Above the DAV root: the host root is no DAV collection (OPTIONS may still answer for Windows).
    const hostRoot = await davFetch(dav, '/', {
      method: 'PROPFIND',
      auth: jailed,
      headers: { 'User-Agent': GVFS, Depth: '1' },
      body: GVFS_PROPS,
    });
    expect(hostRoot.status).not.toBe(207);
    expect(hostRoot.status).toBeGreaterThanOrEqual(300);
    expect(await hostRoot.text()).not.toContain('multistatus');

    // Names of the user's tree above the account root do not resolve, however spelled
    // (sent raw: fetch would resolve the dot segments itself).
    for (const path of [
      '/dav/sub/inside.txt',
      '/dav/top-secret.txt',
      '/dav/../top-secret.txt',
      '/dav/%2E%2E/top-secret.txt',
      '/dav/docs/%2e%2e/%2e%2e/top-secret.txt',
    ]) {
      const response = await rawRequest(dav, { method: 'PROPFIND', path, auth: jailed, headers: { Depth: '0' } });
      expect([400, 404], path).toContain(response.status);
      expect(response.body, path).not.toContain('multistatus');
      const get = await rawRequest(dav, { method: 'GET', path, auth: jailed });
      expect([400, 404], path).toContain(get.status);
      expect(get.body, path).not.toContain('not for this account');
    }
  });

  it('gvfs creates after a HEAD 404, replaces with If-Match, and renames with Overwrite: F onto an existing name -> 412', async () => {
    const head = await davFetch(dav, '/dav/docs/new.txt', { method: 'HEAD', auth: jailed, headers: { 'User-Agent': GVFS } });
    expect(head.status).toBe(404);
    const created = await davFetch(dav, '/dav/docs/new.txt', { method: 'PUT', auth: jailed, headers: { 'User-Agent': GVFS }, body: 'new' });
    expect(created.status).toBe(201);
    const etag = created.headers.get('etag')!;
    const replaced = await davFetch(dav, '/dav/docs/new.txt', {
      method: 'PUT',
      auth: jailed,
      headers: { 'User-Agent': GVFS, 'If-Match': etag },
      body: 'newer',
    });
    expect(replaced.status).toBe(204);

    const before = await Promise.all(['/sub/docs/a.txt', '/sub/docs/b.txt'].map((path) => storedEntry(dav, path)));
    const rename = await davFetch(dav, '/dav/docs/a.txt', {
      method: 'MOVE',
      auth: jailed,
      headers: { 'User-Agent': GVFS, Destination: `${dav.origin}/dav/docs/b.txt`, Overwrite: 'F' },
    });
    expect(rename.status).toBe(412);
    const after = await Promise.all(['/sub/docs/a.txt', '/sub/docs/b.txt'].map((path) => storedEntry(dav, path)));
    expect(after).toEqual(before);
    expect((await storedEntry(dav, '/sub/docs/new.txt'))?.size).toBe(5);
    // Nothing leaked out of the account's root.
    expect((await storedNames(dav, '/')).sort()).toEqual(['sub', 'top-secret.txt']);
  });

  it('KIO stats a missing name (404), PUTs it (201) and MOVEs it with an encoded full-URL Destination (201)', async () => {
    const stat = await davFetch(dav, '/dav/new.txt', {
      method: 'PROPFIND',
      auth: jailed,
      headers: { 'User-Agent': KIO, Depth: '0' },
      body: KIO_PROPS,
    });
    expect(stat.status).toBe(404);
    await stat.arrayBuffer();

    const put = await davFetch(dav, '/dav/new.txt', { method: 'PUT', auth: jailed, headers: { 'User-Agent': KIO }, body: 'from dolphin' });
    expect(put.status).toBe(201);
    const mkcol = await davFetch(dav, '/dav/Neuer%20Ordner%20%C3%BC', { method: 'MKCOL', auth: jailed, headers: { 'User-Agent': KIO } });
    expect(mkcol.status).toBe(201);
    const again = await davFetch(dav, '/dav/Neuer%20Ordner%20%C3%BC', { method: 'MKCOL', auth: jailed, headers: { 'User-Agent': KIO } });
    expect(again.status).toBe(405);

    const moved = await davFetch(dav, '/dav/new.txt', {
      method: 'MOVE',
      auth: jailed,
      headers: {
        'User-Agent': KIO,
        Destination: `${dav.origin}/dav/Neuer%20Ordner%20%C3%BC/gr%C3%BC%C3%9Fe%20%26%20so.txt`,
        Overwrite: 'F',
        Depth: 'infinity',
      },
    });
    expect(moved.status).toBe(201);

    const folderMove = await davFetch(dav, '/dav/Neuer%20Ordner%20%C3%BC', {
      method: 'MOVE',
      auth: jailed,
      headers: { 'User-Agent': KIO, Destination: `${dav.origin}/dav/docs/Ordner`, Overwrite: 'F', Depth: 'infinity' },
    });
    expect(folderMove.status).toBe(201);

    // KIO's stat reads the first response; names come from the href's last segment.
    const check = await davFetch(dav, '/dav/docs/Ordner', {
      method: 'PROPFIND',
      auth: jailed,
      headers: { 'User-Agent': KIO, Depth: '1' },
      body: KIO_PROPS,
    });
    expect(check.status).toBe(207);
    const xml = await check.text();
    expect(multistatusProblems(xml)).toEqual([]);
    const ms = parseMultistatus(xml);
    expect(ms.responses.map((r) => r.href)).toEqual(['/dav/docs/Ordner/', '/dav/docs/Ordner/gr%C3%BC%C3%9Fe%20&%20so.txt']);
    const file = ms.responses[1]!;
    expect(decodeURIComponent(file.href.split('/').pop()!)).toBe('grüße & so.txt');
    expect(propText(file, DAV_NS, 'getcontentlength')).toBe('12');
    expect(propText(ms.responses[0]!, DAV_NS, 'quota-used-bytes')).toMatch(/^\d+$/);

    const deleted = await davFetch(dav, '/dav/docs/Ordner', { method: 'DELETE', auth: jailed, headers: { 'User-Agent': KIO } });
    expect([200, 204]).toContain(deleted.status);

    expect(await storedEntry(dav, '/sub/new.txt')).toBeNull();
    expect(await storedEntry(dav, '/sub/docs/Ordner')).toBeNull();
    expect((await storedNames(dav, '/sub')).sort()).toEqual(['docs', 'inside.txt']);
  });
});
