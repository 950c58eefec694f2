import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { davFetch, startDavServer, type DavServer } from '../support/dav-server.js';

// Issue 10 item 7: a GET's headers and bytes come from one blob, even when an overwrite
// commits between resolving the path and reading it. Two contents of different sizes are
// written in turn while GETs run; every answer must be one whole version.

const A = Buffer.alloc(100_000, 'a');
const B = Buffer.alloc(150_000, 'b');

describe.each(DIALECTS)('GET racing an overwrite on %s', (dialect) => {
  let dav: DavServer;
  beforeAll(async () => {
    dav = await startDavServer(dialect);
  });
  afterAll(() => dav.close());

  it('answers headers and bytes of the same version, every time', { timeout: 300_000 }, async () => {
    expect((await davFetch(dav, '/dav/race.bin', { method: 'PUT', body: A })).status).toBe(201);
    let writing = true;
    const writer = (async () => {
      for (let i = 0; i < 60; i++) await davFetch(dav, '/dav/race.bin', { method: 'PUT', body: i % 2 ? A : B });
      writing = false;
    })();
    const problems: string[] = [];
    let reads = 0;
    const reader = async () => {
      while (writing) {
        const response = await davFetch(dav, '/dav/race.bin');
        const body = Buffer.from(await response.arrayBuffer());
        reads++;
        const length = Number(response.headers.get('content-length'));
        const whole = body.equals(A) || body.equals(B);
        if (response.status !== 200 || length !== body.length || !whole) {
          problems.push(`status ${response.status}, Content-Length ${length}, ${body.length} bytes, whole version: ${whole}`);
        }
      }
    };
    await Promise.all([writer, reader(), reader()]);
    expect(reads).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });
});
