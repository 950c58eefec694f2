import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHttpServer } from '../../src/http/index.js';
import { DIALECTS } from '../support/databases.js';
import { davFetch, startDavServer, type DavServer } from '../support/dav-server.js';
import { expectInvariants } from '../support/invariants.js';

const ROUNDS = 10;

/**
 * The same races through WebDAV, with two servers on one PostgreSQL database (one server on
 * SQLite, whose driver would block a second one in this process): every answer is a precise
 * status, never a 500.
 */
describe.each(DIALECTS)('WebDAV requests racing on one tree on %s', (dialect) => {
  let dav: DavServer;
  let other: DavServer;
  let close: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    dav = await startDavServer(dialect);
    if (dialect === 'postgres') {
      const server = await buildHttpServer(await dav.t.reopen());
      await server.listen({ host: '127.0.0.1', port: 0 });
      other = { ...dav, origin: `http://127.0.0.1:${(server.server.address() as AddressInfo).port}` };
      close = () => server.close();
    } else {
      other = dav;
    }
  });
  afterAll(async () => {
    await close();
    await dav.close();
  });

  const send = (server: DavServer, path: string, method: string, headers: Record<string, string> = {}, body?: string) =>
    davFetch(server, path, { method, headers, body }).then(async (response) => {
      await response.arrayBuffer();
      return response.status;
    });
  const destination = (server: DavServer, path: string) => ({ Destination: `${server.origin}${path}`, Overwrite: 'F' });

  it('crossing MOVEs: one is done (201), the other refused (409), and no folder vanishes', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const dir = `/dav/x${round}`;
      for (const path of [dir, `${dir}/a`, `${dir}/b`]) expect(await send(dav, path, 'MKCOL')).toBe(201);
      const statuses = await Promise.all([
        send(dav, `${dir}/a`, 'MOVE', destination(dav, `${dir}/b/a`)),
        send(other, `${dir}/b`, 'MOVE', destination(other, `${dir}/a/b`)),
      ]);
      expect(statuses.sort(), `round ${round}`).toEqual([201, 409]);
    }
    await expectInvariants(dav.t.app.database);
  });

  it('MKCOL, MOVE and COPY onto one new name: one 201, the others 405 or 412', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const dir = `/dav/n${round}`;
      for (const path of [dir, `${dir}/src`, `${dir}/other`]) expect(await send(dav, path, 'MKCOL')).toBe(201);
      expect(await send(dav, `${dir}/src/file`, 'PUT', {}, 'bytes')).toBe(201);
      const statuses = await Promise.all([
        send(dav, `${dir}/t`, 'MKCOL'),
        send(other, `${dir}/t`, 'MKCOL'),
        send(dav, `${dir}/other`, 'MOVE', destination(dav, `${dir}/t`)),
        send(other, `${dir}/src`, 'COPY', destination(other, `${dir}/t`)),
      ]);
      expect(
        statuses.filter((status) => status === 201),
        `round ${round}: ${statuses.join(' ')}`,
      ).toHaveLength(1);
      for (const status of statuses) expect([201, 405, 412], `round ${round}: ${statuses.join(' ')}`).toContain(status);
    }
    await expectInvariants(dav.t.app.database);
  });
});
