// One name rule for every surface (DESIGN.md, security decisions): a name the REST API
// accepts is reachable over WebDAV, a name WebDAV accepts is reachable through the API, and a
// name one refuses the other refuses too (core/names.ts decides for both).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { call, login } from '../support/api-server.js';
import { davFetch, startDavServer, type DavServer } from '../support/dav-server.js';

const NAMES: ReadonlyArray<[string, boolean]> = [
  ['plain.txt', true],
  ['with space and (brackets)', true],
  ['ünïcödé ✓ 文件', true],
  ['e\u0301-decomposed', true],
  ['#hash?query&amp;', true],
  ['100% sure', true],
  ['quote\'"<>|*:', true],
  ['.hidden', true],
  ['trailing dot.', true],
  ['a\\b', false],
  ['tab\there', false],
  ['del\u007f', false],
  ['x'.repeat(256), false],
  ['é'.repeat(128), false],
];

describe.each(DIALECTS)('one name rule for the REST API and WebDAV (%s)', (dialect) => {
  let dav: DavServer;
  let token: string;
  let counter = 0;
  const uri = (folder: string, name: string) => `cloudreve://my/${folder}/${encodeURIComponent(name)}`;
  const davPath = (folder: string, name: string) => `/dav/${folder}/${encodeURIComponent(name)}`;

  beforeAll(async () => {
    dav = await startDavServer(dialect);
    token = (await login(dav, dav.email)).access_token;
  });
  afterAll(() => dav?.close());

  it.each(NAMES)('%j: accepted by both surfaces (%s) or refused by both, and reachable from the other side', async (name, accepted) => {
    const folder = `names-${++counter}`;
    expect((await call(dav, 'POST', '/file/create', { token, json: { type: 'folder', uri: `cloudreve://my/${folder}` } })).code).toBe(0);

    const byApi = await call(dav, 'POST', '/file/create', { token, json: { type: 'file', uri: uri(folder, `api ${name}`) } });
    const byDav = await davFetch(dav, davPath(folder, `dav ${name}`), { method: 'PUT', body: 'written over WebDAV' });
    expect({ api: byApi.code === 0, dav: byDav.status === 201 }).toEqual({ api: accepted, dav: accepted });
    if (!accepted) {
      expect(byApi.code).toBe(40052);
      expect(byDav.status).toBe(400);
      return;
    }
    // What the API created, WebDAV reaches; what WebDAV created, the API reaches.
    expect((await davFetch(dav, davPath(folder, `api ${name}`))).status).toBe(200);
    const info = await call(dav, 'GET', '/file/info', { token, query: { uri: uri(folder, `dav ${name}`) } });
    expect(info.code, info.msg).toBe(0);
  });
});
