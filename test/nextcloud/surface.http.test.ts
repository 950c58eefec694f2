// Issue 14, items 1, 3 and 6: the surface Nextcloud's clients speak, replayed as they send it
// (status.php, OCS, /remote.php/dav with its headers, chunked uploads), and its switch.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { davFetch, startDavServer, type DavServer } from '../support/dav-server.js';
import { plainPng } from '../support/media-samples.js';

describe.each(DIALECTS)('the Nextcloud client surface (%s)', (dialect) => {
  let dav: DavServer;
  let files: string;
  let uploads: string;
  const get = (path: string, init: Parameters<typeof davFetch>[2] = {}) => davFetch(dav, path, init);

  beforeAll(async () => {
    dav = await startDavServer(dialect);
    files = `/remote.php/dav/files/${dav.email}/`;
    uploads = `/remote.php/dav/uploads/${dav.email}/`;
  });
  afterAll(() => dav?.close());

  it('answers status.php, capabilities (JSON and XML, v1 and v2) and the user', async () => {
    const status = (await (await fetch(`${dav.origin}/status.php`)).json()) as Record<string, unknown>;
    expect(status).toMatchObject({ installed: true, maintenance: false, versionstring: '28.0.0' });
    const v1 = (await (await fetch(`${dav.origin}/ocs/v1.php/cloud/capabilities?format=json`)).json()) as {
      ocs: { meta: { statuscode: number }; data: { capabilities: Record<string, unknown> } };
    };
    expect(v1.ocs.meta.statuscode).toBe(100);
    expect(v1.ocs.data.capabilities).toMatchObject({
      dav: { chunking: '1.0' },
      checksums: { supportedTypes: ['SHA1'] },
      uploadConflictFiles: true,
    });
    expect(v1.ocs.data.capabilities).not.toHaveProperty('dav.bulkupload');
    const xml = await fetch(`${dav.origin}/ocs/v2.php/cloud/capabilities`);
    expect(xml.headers.get('content-type')).toMatch(/^application\/xml/);
    expect(await xml.text()).toMatch(/<statuscode>200<\/statuscode>.*<chunking>1\.0<\/chunking>/s);

    const user = await get('/ocs/v2.php/cloud/user?format=json');
    expect(user.status).toBe(200);
    expect(((await user.json()) as { ocs: { data: { id: string } } }).ocs.data.id).toBe(dav.email);
    const anonymous = await get('/ocs/v2.php/cloud/user?format=json', { auth: null });
    expect(anonymous.status).toBe(401);
  });

  it('refuses the login password and other users’ paths, as /dav does', async () => {
    expect((await get(files, { method: 'PROPFIND', auth: { email: dav.email, password: 'correct horse battery' } })).status).toBe(401);
    expect((await get('/remote.php/dav/files/someone-else@example.org/', { method: 'PROPFIND', headers: { Depth: '0' } })).status).toBe(
      404,
    );
  });

  it('serves the properties and headers the desktop client needs', async () => {
    const put = await get(`${files}notes.txt`, { method: 'PUT', body: 'hello', headers: { 'X-OC-Mtime': '1700000000' } });
    expect(put.status).toBe(201);
    expect(put.headers.get('x-oc-mtime')).toBe('accepted');
    expect(put.headers.get('oc-fileid')).toMatch(/^\d{8,}oc/);
    const listing = await get('/remote.php/webdav/', {
      method: 'PROPFIND',
      headers: { Depth: '1' },
      body:
        '<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:prop><oc:id/><oc:fileid/>' +
        '<oc:permissions/><oc:size/><d:getetag/><oc:checksums/></d:prop></d:propfind>',
    });
    expect(listing.headers.get('content-type')).toBe('application/xml; charset=utf-8');
    const body = await listing.text();
    const file = /<D:response><D:href>\/remote\.php\/webdav\/notes\.txt<\/D:href>(.*?)<\/D:response>/s.exec(body)![1]!;
    expect(file).toContain(`<oc:id>${put.headers.get('oc-fileid')}</oc:id>`);
    expect(file).toContain(`<oc:checksum>SHA1:${createHash('sha1').update('hello').digest('hex')}</oc:checksum>`);
    expect(file).toMatch(/<oc:permissions>G[A-Z]*W<\/oc:permissions>.*<oc:size>5<\/oc:size>.*<D:getetag>"[^"]+"<\/D:getetag>/s);
  });

  it('assembles chunks sent in any order, lists them to resume, and checks the total and checksum', async () => {
    const transfer = `${uploads}transfer-1`;
    const content = Buffer.from('0123456789abcdefghij');
    expect((await get(transfer, { method: 'MKCOL', headers: { 'OC-Total-Length': '20' } })).status).toBe(201);
    // v1 names: zero-padded byte offsets, sent out of order and at once.
    const names = ['0000000000000010', '0000000000000000'];
    const sent = await Promise.all(
      names.map((name) => get(`${transfer}/${name}`, { method: 'PUT', body: content.subarray(Number(name), Number(name) + 10) })),
    );
    expect(sent.map((response) => response.status)).toEqual([201, 201]);
    const listed = await (await get(transfer, { method: 'PROPFIND', headers: { Depth: '1' } })).text();
    expect([...listed.matchAll(/<D:getcontentlength>(\d+)</g)].map((m) => m[1])).toEqual(['10', '10']);

    const destination = `${dav.origin}/remote.php/dav/files/${encodeURIComponent(dav.email)}/big/assembled.bin`;
    expect((await get(`${files}big`, { method: 'MKCOL' })).status).toBe(201);
    const wrongTotal = await get(`${transfer}/.file`, { method: 'MOVE', headers: { Destination: destination, 'OC-Total-Length': '21' } });
    expect(wrongTotal.status).toBe(400);
    const wrongSum = await get(`${transfer}/.file`, {
      method: 'MOVE',
      headers: { Destination: destination, 'OC-Checksum': `SHA1:${'0'.repeat(40)}` },
    });
    expect(wrongSum.status).toBe(400);
    expect((await get(`${files}big/assembled.bin`)).status).toBe(404);

    const sha1 = createHash('sha1').update(content).digest('hex');
    const moved = await get(`${transfer}/.file`, {
      method: 'MOVE',
      headers: { Destination: destination, 'OC-Total-Length': '20', 'X-OC-Mtime': '1600000000', 'OC-Checksum': `SHA1:${sha1}` },
    });
    expect(moved.status).toBe(201);
    expect(moved.headers.get('oc-fileid')).toMatch(/^\d{8,}oc/);
    expect(moved.headers.get('etag')).toBeTruthy();
    expect(moved.headers.get('x-oc-mtime')).toBe('accepted');
    expect(Buffer.from(await (await get(`${files}big/assembled.bin`)).arrayBuffer())).toEqual(content);
    expect((await get(transfer, { method: 'PROPFIND', headers: { Depth: '1' } })).status).toBe(404);
    // Upload folders are not a view of the tree: what they do not implement is 405.
    expect((await get(`${uploads}big/assembled.bin`)).status).toBe(405);
  });

  it('aborts with DELETE, refuses early what the quota cannot take, and keeps users’ transfers apart', async () => {
    const transfer = `${uploads}transfer-2`;
    expect((await get(transfer, { method: 'MKCOL' })).status).toBe(201);
    expect((await get(`${transfer}/1`, { method: 'PUT', body: 'x' })).status).toBe(201);
    expect((await get(transfer, { method: 'DELETE' })).status).toBe(204);
    expect((await get(`${transfer}/2`, { method: 'PUT', body: 'y' })).status).toBe(404);

    const small = await dav.t.app.groups.create(
      { name: `small-${dialect}`, maxStorage: 1000, permissions: { webdav: true } },
      dav.t.app.defaultPolicyId,
    );
    const limited = { user: await dav.t.app.users.setGroup((await dav.t.newUser()).user.id, small.id) };
    const { password } = await dav.t.app.davAccounts.create({ userId: limited.user.id, name: 'phone' });
    const auth = { email: limited.user.email, password };
    const over = await get(`/remote.php/dav/uploads/${limited.user.email}/t`, {
      method: 'MKCOL',
      headers: { 'OC-Total-Length': '5000' },
      auth,
    });
    expect(over.status).toBe(507);
    // The same transfer name under another user is another transfer.
    expect((await get(`/remote.php/dav/uploads/${limited.user.email}/transfer-3`, { method: 'MKCOL', auth })).status).toBe(201);
    expect((await get(`${uploads}transfer-3`, { method: 'PROPFIND', headers: { Depth: '1' } })).status).toBe(404);
  });

  it('serves previews by file id and by path from the media thumbnails, in the account’s jail', async () => {
    const put = await get(`${files}photo.png`, { method: 'PUT', body: new Uint8Array(await plainPng(120, 80)) });
    expect(put.status).toBe(201);
    const fileId = Number(/^(\d+)oc/.exec(put.headers.get('oc-fileid')!)![1]);
    const byId = await get(`/index.php/core/preview?fileId=${fileId}&x=64&y=64`);
    expect(byId.status).toBe(200);
    expect(byId.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await byId.arrayBuffer()).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect((await get('/index.php/apps/files/api/v1/thumbnail/64/64/photo.png')).status).toBe(200);
    expect((await get('/index.php/apps/files/api/v1/thumbnail/64/64/notes.txt')).status).toBe(404);
    // Another user's file id is not found from this account.
    const other = await dav.t.newUser();
    const { password } = await dav.t.app.davAccounts.create({ userId: other.user.id, name: 'other' });
    expect((await get(`/index.php/core/preview?fileId=${fileId}`, { auth: { email: other.user.email, password } })).status).toBe(404);
  });

  it('goes away when an administrator switches it off, while /dav stays', async () => {
    await dav.t.app.settings.update({ nextcloudEnabled: false });
    try {
      expect((await fetch(`${dav.origin}/status.php`)).status).toBe(404);
      expect((await get(files, { method: 'PROPFIND', headers: { Depth: '0' } })).status).toBe(404);
      expect((await get('/dav/', { method: 'PROPFIND', headers: { Depth: '0' } })).status).toBe(207);
    } finally {
      await dav.t.app.settings.update({ nextcloudEnabled: true });
    }
  });
});
