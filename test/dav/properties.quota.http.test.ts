// Over real HTTP, on both databases: dead properties are limited per resource (count) and per
// user (bytes); a PROPPATCH over a limit is 507 with a DAV:error body and changes nothing, also
// when two servers sharing the database take the last room at once.
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHttpServer } from '../../src/http/index.js';
import { DIALECTS } from '../support/databases.js';
import { davFetch, startDavServer, type DavServer } from '../support/dav-server.js';
import { unchanged } from '../support/inspect.js';

const MAX_PER_RESOURCE = 3;
const MAX_BYTES_PER_USER = 3000;

/** A PROPPATCH setting `Z:<name>` to `value` for each pair. */
const proppatch = (properties: Record<string, string>) =>
  '<?xml version="1.0" encoding="utf-8"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:quota-test"><D:set><D:prop>' +
  Object.entries(properties)
    .map(([name, value]) => `<Z:${name}>${value}</Z:${name}>`)
    .join('') +
  '</D:prop></D:set></D:propertyupdate>';

describe.each(DIALECTS)('dead property limits over HTTP (%s)', (dialect) => {
  let dav: DavServer;
  let second: DavServer;
  let secondHttp: FastifyInstance;

  beforeAll(async () => {
    const config = { webdav: { maxPropertiesPerResource: MAX_PER_RESOURCE, maxPropertyBytesPerUser: MAX_BYTES_PER_USER } };
    dav = await startDavServer(dialect, { config });
    secondHttp = await buildHttpServer(await dav.t.reopen());
    await secondHttp.listen({ host: '127.0.0.1', port: 0 });
    const origin = `http://127.0.0.1:${(secondHttp.server.address() as AddressInfo).port}`;
    second = { ...dav, origin, url: `${origin}/dav/` };
  });
  afterAll(async () => {
    await secondHttp?.close();
    await dav?.close();
  });

  const patch = (server: DavServer, path: string, properties: Record<string, string>) =>
    davFetch(server, `/dav/${path}`, { method: 'PROPPATCH', body: proppatch(properties), headers: { 'Content-Type': 'application/xml' } });
  async function put(path: string) {
    expect((await davFetch(dav, `/dav/${path}`, { method: 'PUT', body: 'x' })).status).toBe(201);
  }
  async function storedBytes(): Promise<number> {
    const rows = await dav.t.app.database.db.selectFrom('dead_properties').select(['namespace', 'name', 'value']).execute();
    return rows.reduce(
      (sum, row) => sum + Buffer.byteLength(row.namespace) + Buffer.byteLength(row.name) + Buffer.byteLength(row.value),
      0,
    );
  }
  async function clear() {
    await dav.t.app.database.db.deleteFrom('dead_properties').execute();
  }

  it(`PROPPATCH beyond webdav.maxPropertiesPerResource (${MAX_PER_RESOURCE}) is 507 with a DAV:error body and sets none`, async () => {
    await put('counted.txt');
    expect((await patch(dav, 'counted.txt', { a: '1', b: '2' })).status).toBe(207);
    // Replacing a property adds none.
    expect((await patch(dav, 'counted.txt', { a: 'one', c: '3' })).status).toBe(207);
    const refused = await unchanged(dav, () => patch(dav, 'counted.txt', { b: 'two', d: '4' }));
    expect(refused.status).toBe(507);
    const body = await refused.text();
    expect(body).toContain('<D:error');
    expect(body).toContain(`at most ${MAX_PER_RESOURCE} are allowed`);
    await clear();
  });

  it(`PROPPATCH beyond webdav.maxPropertyBytesPerUser (${MAX_BYTES_PER_USER}) across files is 507 and sets none`, async () => {
    await put('big-1.txt');
    await put('big-2.txt');
    expect((await patch(dav, 'big-1.txt', { v: 'x'.repeat(1500) })).status).toBe(207);
    const refused = await unchanged(dav, () => patch(dav, 'big-2.txt', { small: 'ok', v: 'y'.repeat(1500) }));
    expect(refused.status).toBe(507);
    expect(await refused.text()).toContain(`${MAX_BYTES_PER_USER}-byte allowance`);
    // Smaller values fit, and shrinking one frees room.
    expect((await patch(dav, 'big-2.txt', { v: 'y'.repeat(1000) })).status).toBe(207);
    expect((await patch(dav, 'big-1.txt', { v: 'x' })).status).toBe(207);
    expect((await patch(dav, 'big-2.txt', { v: 'y'.repeat(2500) })).status).toBe(207);
    expect(await storedBytes()).toBeLessThanOrEqual(MAX_BYTES_PER_USER);
    await clear();
  });

  it('two servers setting properties at once never take a user past the byte limit', async () => {
    await put('race-a.txt');
    await put('race-b.txt');
    for (let round = 0; round < 10; round++) {
      await clear();
      const statuses = (
        await Promise.all([patch(dav, 'race-a.txt', { v: 'a'.repeat(1800) }), patch(second, 'race-b.txt', { v: 'b'.repeat(1800) })])
      ).map((response) => response.status);
      expect(statuses.sort()).toEqual([207, 507]);
      expect(await storedBytes()).toBeLessThanOrEqual(MAX_BYTES_PER_USER);
    }
    await clear();
  });
});
