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
  type Credentials,
} from '../support/replay.js';

/**
 * davfs2 (neon), shared/webdav-clients.md section 5: class-2 check, listing with etags, a new
 * file made by LOCK with If-None-Match: *, PUT under the token, a second client refused,
 * stale If-Match refused, conditional GET answered 304, and df's quota properties.
 */
const UA = 'davfs2/1.7.0 neon/0.33.0';
const APACHE = 'http://apache.org/dav/props/';
const LIST_BODY =
  '<?xml version="1.0" encoding="utf-8"?><propfind xmlns="DAV:"><prop>' +
  '<resourcetype/><getcontentlength/><getetag/><getlastmodified/><executable xmlns="http://apache.org/dav/props/"/>' +
  '</prop></propfind>';
const QUOTA_BODY =
  '<?xml version="1.0" encoding="utf-8"?><propfind xmlns="DAV:"><prop><quota-available-bytes/><quota-used-bytes/></prop></propfind>';

describe('davfs2', () => {
  let dav: DavServer;
  let second: Credentials;
  beforeAll(async () => {
    dav = await startDavServer('sqlite');
    // Another machine mounting the same tree with its own WebDAV account.
    const user = await dav.t.app.users.get(dav.email);
    const { password } = await dav.t.app.davAccounts.create({ userId: user.id, name: 'second machine' });
    second = { email: dav.email, password };
    const seed = await davFetch(dav, '/dav/existing.txt', { method: 'PUT', body: 'hello' });
    expect(seed.status).toBe(201);
  });
  afterAll(async () => {
    await dav.close();
  });

  it('challenges with WWW-Authenticate: Basic on every 401', async () => {
    for (const method of ['PROPFIND', 'GET', 'PUT', 'LOCK']) {
      const response = await davFetch(dav, '/dav/', { method, auth: null, headers: { 'User-Agent': UA, Depth: '0' } });
      expect(response.status, method).toBe(401);
      expect(response.headers.get('www-authenticate'), method).toMatch(/^Basic realm="[^"]*"/);
      await response.arrayBuffer();
    }
    const wrong = await davFetch(dav, '/dav/', {
      method: 'PROPFIND',
      auth: { email: dav.email, password: 'x'.repeat(32) },
      headers: { Depth: '0' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic /);
  });

  it('mounts: OPTIONS with class 2, Depth 1 listing with etags and a 404 for executable', async () => {
    const options = await davFetch(dav, '/dav/', { method: 'OPTIONS', headers: { 'User-Agent': UA } });
    expect(options.status).toBe(200);
    expect(options.headers.get('dav')).toMatch(/^1,\s*2\b/);

    const list = await davFetch(dav, '/dav/', {
      method: 'PROPFIND',
      headers: { 'User-Agent': UA, Depth: '1', 'Content-Type': 'application/xml' },
      body: LIST_BODY,
    });
    expect(list.status).toBe(207);
    const xml = await list.text();
    expect(multistatusProblems(xml)).toEqual([]);
    const ms = parseMultistatus(xml);
    expect(ms.responses.map((r) => r.href)).toEqual(['/dav/', '/dav/existing.txt']);
    const file = ms.response('/dav/existing.txt')!;
    const stored = (await storedEntry(dav, '/existing.txt'))!;
    expect(propText(file, DAV_NS, 'getetag')).toBe(`"${stored.etag}"`);
    expect(propText(file, DAV_NS, 'getcontentlength')).toBe('5');
    expect(propOf(file, APACHE, 'executable')?.status).toBe(404);
  });

  it('creates n.txt by LOCK with If-None-Match: *, writes it under the token, and keeps others out', async () => {
    const lock = await davFetch(dav, '/dav/n.txt', {
      method: 'LOCK',
      headers: { 'User-Agent': UA, 'If-None-Match': '*', Timeout: 'Second-1800', 'Content-Type': 'application/xml' },
      body: lockinfo(dav.email),
    });
    expect(lock.status).toBe(201);
    const token = bareToken(lock.headers.get('lock-token'));
    expect(await lock.text()).toContain(dav.email);
    const placeholder = (await storedEntry(dav, '/n.txt'))!;
    expect(placeholder.size).toBe(0);

    const put = await davFetch(dav, '/dav/n.txt', {
      method: 'PUT',
      headers: { 'User-Agent': UA, If: `(<${token}>)` },
      body: 'first save\n',
    });
    expect([200, 201, 204]).toContain(put.status);
    const etag = put.headers.get('etag');
    expect(etag).toMatch(/^"[^"]+"$/); // strong: davfs2 strips W/ and compares
    expect(put.headers.get('last-modified')).toMatch(/ GMT$/);

    // A second client creating the same name: it exists now.
    const other = await davFetch(dav, '/dav/n.txt', {
      method: 'LOCK',
      auth: second,
      headers: { 'User-Agent': UA, 'If-None-Match': '*', Timeout: 'Second-1800', 'Content-Type': 'application/xml' },
      body: lockinfo(dav.email),
    });
    expect([412, 423]).toContain(other.status);
    await other.arrayBuffer();

    // A second client locking the existing file without If-None-Match: the lock is taken.
    const contended = await davFetch(dav, '/dav/n.txt', {
      method: 'LOCK',
      auth: second,
      headers: { 'User-Agent': UA, Timeout: 'Second-1800', 'Content-Type': 'application/xml' },
      body: lockinfo(dav.email),
    });
    expect(contended.status).toBe(423);
    await contended.arrayBuffer();

    const stale = await davFetch(dav, '/dav/n.txt', {
      method: 'PUT',
      headers: { 'User-Agent': UA, If: `(<${token}>)`, 'If-Match': `"${placeholder.etag}"` },
      body: 'lost update\n',
    });
    expect(stale.status).toBe(412);
    await stale.arrayBuffer();

    const current = await davFetch(dav, '/dav/n.txt', {
      method: 'PUT',
      headers: { 'User-Agent': UA, If: `(<${token}>)`, 'If-Match': etag! },
      body: 'second save\n',
    });
    expect(current.status).toBe(204);
    const newEtag = current.headers.get('etag')!;
    expect(newEtag).not.toBe(etag);

    const cached = await davFetch(dav, '/dav/n.txt', {
      headers: { 'User-Agent': UA, 'If-None-Match': newEtag, 'If-Modified-Since': current.headers.get('last-modified')! },
    });
    expect(cached.status).toBe(304);
    expect(cached.headers.get('etag')).toBe(newEtag);
    expect(await cached.text()).toBe('');

    const changed = await davFetch(dav, '/dav/n.txt', { headers: { 'User-Agent': UA, 'If-None-Match': etag! } });
    expect(changed.status).toBe(200);
    expect(await changed.text()).toBe('second save\n');

    // Unmount: every lock released.
    const unlock = await davFetch(dav, '/dav/n.txt', { method: 'UNLOCK', headers: { 'User-Agent': UA, 'Lock-Token': `<${token}>` } });
    expect(unlock.status).toBe(204);
    const stored = (await storedEntry(dav, '/n.txt'))!;
    expect(stored.id).toBe(placeholder.id);
    expect(stored.size).toBe('second save\n'.length);
    expect(`"${stored.etag}"`).toBe(newEtag);
    expect(await locksOn(dav, stored)).toEqual([]);
  });

  it('reports free space through the RFC 4331 quota properties', async () => {
    const response = await davFetch(dav, '/dav/', { method: 'PROPFIND', headers: { 'User-Agent': UA, Depth: '0' }, body: QUOTA_BODY });
    expect(response.status).toBe(207);
    const xml = await response.text();
    expect(multistatusProblems(xml)).toEqual([]);
    const root = parseMultistatus(xml).responses[0]!;
    const used = propText(root, DAV_NS, 'quota-used-bytes');
    const available = propText(root, DAV_NS, 'quota-available-bytes');
    expect(used).toMatch(/^\d+$/);
    expect(available).toMatch(/^\d+$/);
    // What is charged: the live files plus the versions their overwrites kept (issue 12).
    const live = 'hello'.length + 'second save\n'.length;
    const charged = (await dav.t.app.users.get(dav.email)).storageUsed;
    expect(charged).toBeGreaterThan(live);
    expect(Number(used)).toBe(charged);
  });

  it('reports a group quota as used and available bytes', async () => {
    const { user } = await dav.t.newUser(undefined, { quota: 1_000_000 });
    await dav.t.app.groups.update(user.groupId, { permissions: { webdav: true } });
    const { password } = await dav.t.app.davAccounts.create({ userId: user.id, name: 'laptop' });
    const auth = { email: user.email, password };
    const put = await davFetch(dav, '/dav/photo.jpg', { method: 'PUT', auth, body: Buffer.alloc(1234) });
    expect(put.status).toBe(201);
    const response = await davFetch(dav, '/dav/', {
      method: 'PROPFIND',
      auth,
      headers: { 'User-Agent': UA, Depth: '0' },
      body: QUOTA_BODY,
    });
    expect(response.status).toBe(207);
    const root = parseMultistatus(await response.text()).responses[0]!;
    expect(propText(root, DAV_NS, 'quota-used-bytes')).toBe('1234');
    expect(propText(root, DAV_NS, 'quota-available-bytes')).toBe(String(1_000_000 - 1234));
  });
});
