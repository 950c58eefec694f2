// Issue 4, "Show": the same file operations through the REST API and through WebDAV see the
// same tree and the same locks, because both go through the vfs (DESIGN.md decision 5).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { call, login } from '../support/api-server.js';
import { davFetch, startDavServer, type DavServer } from '../support/dav-server.js';
import type { FileJson, ListJson } from '../support/api-server.js';

const LOCK_BODY =
  '<?xml version="1.0" encoding="utf-8"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope>' +
  '<D:locktype><D:write/></D:locktype><D:owner>same-tree test</D:owner></D:lockinfo>';

describe.each(DIALECTS)('the REST API and WebDAV on one tree (%s)', (dialect) => {
  let dav: DavServer;
  let token: string;
  const api = <T = unknown>(method: string, path: string, json?: unknown, query?: Record<string, string>) =>
    call<T>(dav, method, path, { token, json, query });
  const names = async (uri: string) => (await api<ListJson>('GET', '/file', undefined, { uri })).data!.files.map((file) => file.name);
  const davNames = async (path: string) => {
    const response = await davFetch(dav, path, { method: 'PROPFIND', headers: { Depth: '1' } });
    expect(response.status).toBe(207);
    const hrefs = [...(await response.text()).matchAll(/<D:href>([^<]+)<\/D:href>/g)].map((match) => decodeURIComponent(match[1]!));
    const base = decodeURIComponent(path);
    return hrefs
      .filter((href) => href !== base)
      .map((href) => href.slice(base.length).replace(/\/$/, ''))
      .sort();
  };

  beforeAll(async () => {
    dav = await startDavServer(dialect);
    token = (await login(dav, dav.email)).access_token;
  });
  afterAll(() => dav?.close());

  it('sees what the other side creates, renames, moves and deletes', async () => {
    expect((await api('POST', '/file/create', { type: 'folder', uri: 'cloudreve://my/Shared Notes' })).code).toBe(0);
    expect((await davFetch(dav, '/dav/Shared%20Notes/from-dav.txt', { method: 'PUT', body: 'written over WebDAV' })).status).toBe(201);
    expect(await names('cloudreve://my/Shared%20Notes')).toEqual(['from-dav.txt']);
    const info = await api<FileJson>('GET', '/file/info', undefined, { uri: 'cloudreve://my/Shared%20Notes/from-dav.txt' });
    expect(info.data!.size).toBe('written over WebDAV'.length);

    expect(
      (await api('POST', '/file/rename', { uri: 'cloudreve://my/Shared%20Notes/from-dav.txt', new_name: 'renamed by api.txt' })).code,
    ).toBe(0);
    expect(await davNames('/dav/Shared%20Notes/')).toEqual(['renamed by api.txt']);
    const body = await davFetch(dav, '/dav/Shared%20Notes/renamed%20by%20api.txt');
    expect(await body.text()).toBe('written over WebDAV');

    expect(
      (
        await davFetch(dav, '/dav/Shared%20Notes/renamed%20by%20api.txt', {
          method: 'MOVE',
          headers: { Destination: `${dav.origin}/dav/moved%20by%20dav.txt` },
        })
      ).status,
    ).toBe(201);
    expect(await names('cloudreve://my/Shared%20Notes')).toEqual([]);
    expect(await names('cloudreve://my')).toContain('moved by dav.txt');

    expect((await api('DELETE', '/file', { uris: ['cloudreve://my/moved%20by%20dav.txt'], skip_soft_delete: true })).code).toBe(0);
    expect((await davFetch(dav, '/dav/moved%20by%20dav.txt', { method: 'HEAD' })).status).toBe(404);
  });

  it('honours a WebDAV lock in the API, lists it in the 40073 data, and a release through the API frees WebDAV too', async () => {
    expect((await davFetch(dav, '/dav/locked.txt', { method: 'PUT', body: 'keep me' })).status).toBe(201);
    const locked = await davFetch(dav, '/dav/locked.txt', {
      method: 'LOCK',
      headers: { 'Content-Type': 'application/xml', Timeout: 'Second-600' },
      body: LOCK_BODY,
    });
    expect(locked.status).toBe(200);
    const lockToken = /<([^>]+)>/.exec(locked.headers.get('lock-token') ?? '')?.[1];
    expect(lockToken).toMatch(/^urn:uuid:|^opaquelocktoken:/);

    const refused = await api<Array<{ token: string; path: string }>>('DELETE', '/file', {
      uris: ['cloudreve://my/locked.txt'],
      skip_soft_delete: true,
    });
    expect(refused.code).toBe(40073);
    expect(refused.msg).toBe('Lock conflict');
    expect(refused.data!.map((lock) => lock.token)).toEqual([lockToken]);
    const rename = await api('POST', '/file/rename', { uri: 'cloudreve://my/locked.txt', new_name: 'other.txt' });
    expect(rename.code).toBe(40073);
    // WebDAV sees the same lock: a PUT without its token is refused.
    expect((await davFetch(dav, '/dav/locked.txt', { method: 'PUT', body: 'no token' })).status).toBe(423);
    expect(await (await davFetch(dav, '/dav/locked.txt')).text()).toBe('keep me');

    expect((await api('DELETE', '/file/lock', { tokens: [lockToken] })).code).toBe(0);
    expect((await davFetch(dav, '/dav/locked.txt', { method: 'PUT', body: 'unlocked' })).status).toBe(204);
    expect((await api('DELETE', '/file', { uris: ['cloudreve://my/locked.txt'], skip_soft_delete: true })).code).toBe(0);
    expect((await davFetch(dav, '/dav/locked.txt', { method: 'HEAD' })).status).toBe(404);
  });

  it('a file uploaded in chunks through the API downloads byte for byte over WebDAV', async () => {
    const content = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 256));
    const session = await api<{ session_id: string; chunk_size: number }>('PUT', '/file/upload', {
      uri: 'cloudreve://my/chunked.bin',
      size: content.length,
    });
    expect(session.code).toBe(0);
    const { session_id, chunk_size } = session.data!;
    for (let index = 0; index * chunk_size < content.length; index++) {
      const chunk = content.subarray(index * chunk_size, (index + 1) * chunk_size);
      const response = await fetch(`${dav.origin}/api/v4/file/upload/${session_id}/${index}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/octet-stream' },
        body: chunk,
      });
      expect(((await response.json()) as { code: number }).code).toBe(0);
    }
    const got = Buffer.from(await (await davFetch(dav, '/dav/chunked.bin')).arrayBuffer());
    expect(got).toEqual(content);
  });
});
