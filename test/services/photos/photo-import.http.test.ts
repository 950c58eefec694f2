// Photo libraries over real HTTP (issue 12, item 6) with the apps' one clock in the test's hand:
// files uploaded through WebDAV and through the API's chunked uploads land in YYYY/MM a safety
// delay after the last write, not before; an upload that spans the delay is imported only once
// complete, whole; duplicates are reported, not copied; collisions are renamed.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePath } from '../../../src/core/index.js';
import { readAll } from '../../support/app.js';
import { call } from '../../support/api-server.js';
import { davFetch, startDavServer, type DavServer } from '../../support/dav-server.js';
import { TestClock, jpeg, later, namesIn, runReports, settle } from './support.js';

const CHUNK = 16 * 1024;
const DELAY_S = 300;

describe('photo library imports over WebDAV and the API (sqlite)', () => {
  const clock = new TestClock();
  let dav: DavServer;
  let principal: Awaited<ReturnType<DavServer['t']['app']['users']['principalFor']>>;
  let token: string;
  const app = () => dav.t.app;

  beforeAll(async () => {
    dav = await startDavServer('sqlite', { clock: clock.read, config: { jobs: { pollMs: 50 }, uploads: { chunkSizeBytes: CHUNK } } });
    principal = await app().users.principalFor(await app().users.get(dav.email));
    await app().vfs.mkdir(principal, parsePath('/Photos'));
    await app().libraries.add(principal, parsePath('/Photos'), parsePath('/Photos/Import'));
    const { access_token } = (
      await call<{ token: { access_token: string } }>(dav, 'POST', '/session/token', {
        json: { email: dav.email, password: 'correct horse battery' },
      })
    ).data!.token;
    token = access_token;
    app().jobs.runner.start();
  });
  afterAll(async () => {
    await dav?.close();
  });

  const put = (path: string, body: Buffer) => davFetch(dav, `/dav${path}`, { method: 'PUT', body });
  const read = async (path: string) => readAll((await app().vfs.read(principal, parsePath(path))).stream);

  /** An API chunked upload: opens the session and sends `chunks` of the content's chunks (all by default). */
  async function apiUpload(path: string, content: Buffer, options: { lastModified?: number; chunks?: number } = {}) {
    const opened = await call<{ session_id: string }>(dav, 'PUT', '/file/upload', {
      token,
      json: { uri: `cloudreve://my${path}`, size: content.length, last_modified: options.lastModified },
    });
    expect(opened.code, opened.msg).toBe(0);
    const sessionId = opened.data!.session_id;
    const total = Math.max(1, Math.ceil(content.length / CHUNK));
    const send = async (from: number, to: number) => {
      for (let index = from; index < to; index++) {
        const response = await fetch(`${dav.origin}/api/v4/file/upload/${sessionId}/${index}`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/octet-stream' },
          body: content.subarray(index * CHUNK, (index + 1) * CHUNK),
        });
        expect(((await response.json()) as { code: number }).code).toBe(0);
      }
    };
    const first = options.chunks ?? total;
    await send(0, first);
    return { rest: () => send(first, total) };
  }

  it('imports WebDAV and API uploads into YYYY/MM once writes have settled for the safety delay', async () => {
    expect((await put('/Photos/Import/beach.jpg', await jpeg('#2040c0', '2021:05:14 10:20:30'))).status).toBe(201);
    // No EXIF: the file's modification time (2019-03-02) decides.
    await apiUpload('/Photos/Import/scan.jpg', await jpeg('#c04020'), { lastModified: Date.UTC(2019, 2, 2, 12) });
    await settle(clock, app());
    expect(await namesIn(app(), principal, '/Photos/Import')).toEqual(['beach.jpg', 'scan.jpg']);

    await later(clock, DELAY_S - 1, app());
    expect(await namesIn(app(), principal, '/Photos/Import')).toEqual(['beach.jpg', 'scan.jpg']);

    await later(clock, 2, app());
    expect(await namesIn(app(), principal, '/Photos/Import')).toEqual([]);
    expect(await namesIn(app(), principal, '/Photos/2021/05')).toEqual(['beach.jpg']);
    expect(await namesIn(app(), principal, '/Photos/2019/03')).toEqual(['scan.jpg']);
    const report = (await runReports(app())).find((result) => result.imported === 2)!;
    expect(report.importedFiles).toEqual(
      expect.arrayContaining([
        { from: '/Photos/Import/beach.jpg', to: '/Photos/2021/05/beach.jpg' },
        { from: '/Photos/Import/scan.jpg', to: '/Photos/2019/03/scan.jpg' },
      ]),
    );
    // Indexed on the way: the timeline lists both, newest first.
    const library = (await app().libraries.list(principal))[0]!;
    const page = await app().libraries.timeline(principal, library.id);
    expect(page.items.map((item) => item.path.join('/'))).toEqual(['Photos/2021/05/beach.jpg', 'Photos/2019/03/scan.jpg']);
  });

  it('leaves an API upload whose session is still open for the next round, then imports it whole', async () => {
    const slow = await jpeg('#30a050', '2022:07:01 09:00:00', 400);
    expect(slow.length).toBeGreaterThan(2 * CHUNK);
    const upload = await apiUpload('/Photos/Import/slow.jpg', slow, { chunks: 1 });
    await put('/Photos/Import/quick.jpg', await jpeg('#a0a030', '2022:07:02 09:00:00'));
    await later(clock, DELAY_S + 1, app());
    expect(await namesIn(app(), principal, '/Photos/2022/07')).toEqual(['quick.jpg']);
    // The placeholder stays where the upload will commit it.
    expect(await namesIn(app(), principal, '/Photos/Import')).toEqual(['slow.jpg']);
    const deferred = (await runReports(app())).at(-1)!;
    expect(deferred.deferredFiles).toEqual([{ path: '/Photos/Import/slow.jpg', why: 'an upload session is open' }]);

    await upload.rest();
    await later(clock, DELAY_S + 1, app());
    expect(await namesIn(app(), principal, '/Photos/2022/07')).toEqual(['quick.jpg', 'slow.jpg']);
    expect((await read('/Photos/2022/07/slow.jpg')).equals(slow)).toBe(true);
  });

  it('imports a file whose WebDAV PUT spans the delay only once its body is complete, whole', async () => {
    const content = await jpeg('#7030c0', '2023:01:09 08:00:00', 600);
    const half = Math.floor(content.length / 2);
    const url = new URL(`${dav.origin}/dav/Photos/Import/long-put.jpg`);
    const auth = `Basic ${Buffer.from(`${dav.email}:${dav.password}`).toString('base64')}`;
    const other = await jpeg('#102030', '2023:01:10 08:00:00');
    let status = 0;
    const finished = new Promise<void>((resolve, reject) => {
      const request = http.request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'PUT',
          headers: { Authorization: auth, 'Content-Length': content.length },
        },
        (response) => {
          status = response.statusCode ?? 0;
          response.resume();
          response.on('end', resolve);
        },
      );
      request.on('error', reject);
      request.write(content.subarray(0, half));
      // Something else in the library moves its clock: a run passes while the PUT is half sent.
      void put('/Photos/Import/other.jpg', other).then(async () => {
        await later(clock, DELAY_S + 1, app());
        expect(await namesIn(app(), principal, '/Photos/Import')).toEqual([]);
        request.end(content.subarray(half));
      }, reject);
    });
    await finished;
    expect(status).toBe(201);
    expect(await namesIn(app(), principal, '/Photos/Import')).toEqual(['long-put.jpg']);
    await later(clock, DELAY_S + 1, app());
    expect(await namesIn(app(), principal, '/Photos/2023/01')).toEqual(['long-put.jpg', 'other.jpg']);
    expect((await read('/Photos/2023/01/long-put.jpg')).equals(content)).toBe(true);
  });

  it('reports duplicates (left in the import folder, not copied) and renames collisions', async () => {
    const beach = await read('/Photos/2021/05/beach.jpg');
    await put('/Photos/Import/beach-again.jpg', beach);
    const other = await jpeg('#ff0000', '2021:05:20 10:00:00');
    await put('/Photos/Import/beach.jpg', other);
    await later(clock, DELAY_S + 1, app());
    expect(await namesIn(app(), principal, '/Photos/2021/05')).toEqual(['beach (2).jpg', 'beach.jpg']);
    expect(await namesIn(app(), principal, '/Photos/Import')).toEqual(['beach-again.jpg']);
    expect((await read('/Photos/2021/05/beach.jpg')).equals(beach)).toBe(true);
    const report = (await runReports(app())).at(-1)!;
    expect(report.duplicateFiles).toEqual([{ path: '/Photos/Import/beach-again.jpg', of: '/Photos/2021/05/beach.jpg' }]);
  });
});
