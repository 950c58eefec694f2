// Issue 14, item 2: a folder's ETag changes whenever anything below it changes, whichever
// surface made the change, because Nextcloud's clients descend only into folders whose ETag
// changed. Checked at depth 3 and 4 through /remote.php/dav/files/<user>/ and the REST API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { call, login } from '../support/api-server.js';
import { davFetch, startDavServer, type DavServer } from '../support/dav-server.js';

const CHAIN = ['', 'a', 'a/b', 'a/b/c'];

describe.each(DIALECTS)('folder ETags follow changes below them (%s)', (dialect) => {
  let dav: DavServer;
  let token: string;
  let files: string;
  const api = (method: string, path: string, json: unknown) => call(dav, method, path, { token, json });
  const etagOf = async (folder: string) => {
    const response = await davFetch(dav, `${files}${folder === '' ? '' : `${folder}/`}`, {
      method: 'PROPFIND',
      headers: { Depth: '0' },
      body: '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>',
    });
    expect(response.status).toBe(207);
    return /<D:getetag>([^<]+)<\/D:getetag>/.exec(await response.text())![1]!;
  };
  const etags = async (folders: readonly string[]) => Promise.all(folders.map(etagOf));

  /** Runs `change`; every folder of `changed` must get a new ETag, every folder of `unchanged` keep its own. */
  async function expectChange(changed: readonly string[], unchanged: readonly string[], change: () => Promise<void>) {
    const before = await etags(changed);
    const stable = await etags(unchanged);
    await change();
    const after = await etags(changed);
    changed.forEach((folder, i) => expect(after[i], `ETag of /${folder}`).not.toBe(before[i]));
    expect(await etags(unchanged)).toEqual(stable);
  }
  const status = async (response: Promise<Response>) => (await response).status;

  beforeAll(async () => {
    dav = await startDavServer(dialect);
    token = (await login(dav, dav.email)).access_token;
    files = `/remote.php/dav/files/${encodeURIComponent(dav.email)}/`;
    for (const folder of ['a', 'a/b', 'a/b/c', 'side', 'untouched']) {
      expect(await status(davFetch(dav, `${files}${folder}`, { method: 'MKCOL' }))).toBe(201);
    }
  });
  afterAll(() => dav?.close());

  it('on create and overwrite over WebDAV, and a folder created through the API', async () => {
    await expectChange(CHAIN, ['side', 'untouched'], async () => {
      expect(await status(davFetch(dav, `${files}a/b/c/new.txt`, { method: 'PUT', body: 'one' }))).toBe(201);
    });
    await expectChange(CHAIN, ['side'], async () => {
      expect(await status(davFetch(dav, `${files}a/b/c/new.txt`, { method: 'PUT', body: 'two' }))).toBe(204);
    });
    await expectChange(CHAIN, ['side'], async () => {
      expect((await api('POST', '/file/create', { type: 'folder', uri: 'cloudreve://my/a/b/c/d' })).code).toBe(0);
    });
  });

  it('on rename through the API, and moves out of and into a folder over both surfaces', async () => {
    await expectChange(CHAIN, ['side'], async () => {
      expect((await api('POST', '/file/rename', { uri: 'cloudreve://my/a/b/c/new.txt', new_name: 'renamed.txt' })).code).toBe(0);
    });
    await expectChange([...CHAIN, 'side'], ['untouched'], async () => {
      const destination = `${dav.origin}${files}side/moved.txt`;
      const moved = davFetch(dav, `${files}a/b/c/renamed.txt`, { method: 'MOVE', headers: { Destination: destination } });
      expect(await status(moved)).toBe(201);
    });
    await expectChange(['', 'a', 'a/b', 'side'], ['a/b/c', 'untouched'], async () => {
      const moved = await api('POST', '/file/move', { uris: ['cloudreve://my/side/moved.txt'], dst: 'cloudreve://my/a/b', copy: false });
      expect(moved.code).toBe(0);
    });
  });

  it('on delete over WebDAV and through the API, and on a copy', async () => {
    await expectChange(['', 'a', 'a/b'], ['a/b/c', 'side'], async () => {
      expect(await status(davFetch(dav, `${files}a/b/moved.txt`, { method: 'DELETE' }))).toBe(204);
    });
    await expectChange(CHAIN, ['side'], async () => {
      expect((await api('DELETE', '/file', { uris: ['cloudreve://my/a/b/c/d'], skip_soft_delete: true })).code).toBe(0);
    });
    await expectChange(['', 'side'], ['a', 'untouched'], async () => {
      const copied = davFetch(dav, `${files}a`, { method: 'COPY', headers: { Destination: `${dav.origin}${files}side/a-copy` } });
      expect(await status(copied)).toBe(201);
    });
  });
});
