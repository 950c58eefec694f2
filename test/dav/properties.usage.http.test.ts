// Over real HTTP, on both databases: the bytes of dead properties (namespace, name and value, as
// stored) count towards their owner's storage used. PROPPATCH charges or gives back the
// difference, DELETE gives back a subtree's, COPY charges the copies' and checks the limits and
// the quota before it copies anything, MOVE keeps them; doctor counts and repairs them.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { davFetch, startDavServer, type DavServer } from '../support/dav-server.js';
import { snapshot, unchangedBy } from '../support/inspect.js';
import { expectInvariants } from '../support/invariants.js';

const MAX_PER_RESOURCE = 3;
const MAX_BYTES_PER_USER = 6000;
const QUOTA = 5000;

const proppatchBody = (set: Record<string, string>, remove: string[] = []) =>
  '<?xml version="1.0" encoding="utf-8"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:usage-test">' +
  (Object.keys(set).length > 0
    ? '<D:set><D:prop>' +
      Object.entries(set)
        .map(([name, value]) => `<Z:${name}>${value}</Z:${name}>`)
        .join('') +
      '</D:prop></D:set>'
    : '') +
  (remove.length > 0 ? `<D:remove><D:prop>${remove.map((name) => `<Z:${name}/>`).join('')}</D:prop></D:remove>` : '') +
  '</D:propertyupdate>';

describe.each(DIALECTS)('dead properties in storage used (%s)', (dialect) => {
  let dav: DavServer;
  /** A second user of the same server with a storage quota and their own WebDAV account. */
  let limited: { id: number; auth: { email: string; password: string } };
  let owner: { id: number; auth: { email: string; password: string } };

  beforeAll(async () => {
    // Property bytes alone: deletes give bytes back at once and overwrites keep no version (issue 12's trash and versions off).
    const config = {
      webdav: { maxPropertiesPerResource: MAX_PER_RESOURCE, maxPropertyBytesPerUser: MAX_BYTES_PER_USER },
      trash: { retentionDays: 0 },
      versions: { maxCount: 0 },
    };
    dav = await startDavServer(dialect, { config });
    const main = await dav.t.app.database.db.selectFrom('users').select('id').where('email', '=', dav.email).executeTakeFirstOrThrow();
    owner = { id: Number(main.id), auth: { email: dav.email, password: dav.password } };
    const group = await dav.t.app.groups.create(
      { name: `usage-${dialect}`, maxStorage: QUOTA, permissions: { webdav: true } },
      dav.t.app.defaultPolicyId,
    );
    const user = await dav.t.app.users.create({
      email: `limited-${dialect}@example.test`,
      password: 'correct horse battery',
      group: group.name,
    });
    const { password } = await dav.t.app.davAccounts.create({ userId: user.id, name: 'limited device' });
    limited = { id: user.id, auth: { email: user.email, password } };
  });
  afterAll(async () => {
    await dav?.close();
  });
  afterEach(async () => {
    await expectInvariants(dav.t.app.database);
  });

  type Who = typeof owner;
  const request = (who: Who, method: string, path: string, init: RequestInit = {}) =>
    davFetch(dav, `/dav/${path}`, { ...init, method, auth: who.auth });
  const patch = (who: Who, path: string, set: Record<string, string>, remove: string[] = []) =>
    request(who, 'PROPPATCH', path, { body: proppatchBody(set, remove), headers: { 'Content-Type': 'application/xml' } });
  const copy = (who: Who, from: string, to: string, headers: Record<string, string> = {}) =>
    request(who, 'COPY', from, { headers: { Destination: `${dav.origin}/dav/${to}`, ...headers } });
  async function must(response: Promise<Response>, status: number) {
    const answer = await response;
    expect(answer.status, await answer.clone().text()).toBe(status);
    return answer;
  }
  async function used(who: Who): Promise<number> {
    const row = await dav.t.app.database.db.selectFrom('users').select('storage_used').where('id', '=', who.id).executeTakeFirstOrThrow();
    return Number(row.storage_used);
  }
  /** The bytes of the user's dead properties as stored, counted here (UTF-8 of namespace, name and value). */
  async function propertyBytes(who: Who): Promise<number> {
    const rows = await dav.t.app.database.db
      .selectFrom('dead_properties as p')
      .innerJoin('entries as e', 'e.id', 'p.entry_id')
      .select(['p.namespace', 'p.name', 'p.value'])
      .where('e.owner_id', '=', who.id)
      .execute();
    return rows.reduce((sum, r) => sum + Buffer.byteLength(r.namespace) + Buffer.byteLength(r.name) + Buffer.byteLength(r.value), 0);
  }
  /** Rows and the user's usage: what a refused request must leave as it was. */
  const state = (who: Who) => async () => ({ rows: await snapshot(dav), used: await used(who) });

  it('PROPPATCH charges a property’s bytes to storage used, a replacement the difference, a removal gives them back', async () => {
    await must(request(owner, 'MKCOL', 'charge'), 201);
    await must(request(owner, 'PUT', 'charge/file.txt', { body: 'hello' }), 201);
    const base = await used(owner);
    expect(base).toBe(5 + (await propertyBytes(owner)));

    await must(patch(owner, 'charge/file.txt', { colour: 'blue', note: 'ü'.repeat(100) }), 207);
    const afterSet = await used(owner);
    // 'ü' is two bytes in UTF-8: bytes, not characters, are charged.
    expect(afterSet - base).toBeGreaterThan(200 + 'urn:usage-test'.length * 2);
    expect(afterSet).toBe(5 + (await propertyBytes(owner)));

    await must(patch(owner, 'charge/file.txt', { note: 'short' }), 207);
    expect(afterSet - (await used(owner))).toBe(200 - 'short'.length);

    await must(patch(owner, 'charge/file.txt', {}, ['colour', 'note']), 207);
    expect(await used(owner)).toBe(base);
    await must(request(owner, 'DELETE', 'charge'), 204);
  });

  it('a PROPPATCH that does not fit the storage quota is 507 and changes nothing, like a PUT that does not fit', async () => {
    await must(request(limited, 'PUT', 'full.bin', { body: 'x'.repeat(QUOTA - 1000) }), 201);
    const refused = await unchangedBy(state(limited), () => patch(limited, 'full.bin', { big: 'b'.repeat(1200) }));
    expect(refused.status).toBe(507);
    expect(await refused.text()).toContain('storage quota');
    // What fits is charged; the quota is then full to the byte.
    await must(patch(limited, 'full.bin', { small: 's'.repeat(500) }), 207);
    const room = QUOTA - (await used(limited));
    expect(room).toBeGreaterThan(0);
    await must(patch(limited, 'full.bin', { small: 's'.repeat(500 + room) }), 207);
    expect(await used(limited)).toBe(QUOTA);
    expect((await patch(limited, 'full.bin', { one: '1' })).status).toBe(507);
    // Removing always works and frees room.
    await must(patch(limited, 'full.bin', {}, ['small']), 207);
    expect(await used(limited)).toBe(QUOTA - 1000);
    await must(request(limited, 'DELETE', 'full.bin'), 204);
    expect(await used(limited)).toBe(0);
  });

  it('DELETE of a file and of a tree gives back their properties’ bytes', async () => {
    const base = await used(owner);
    expect(await propertyBytes(owner)).toBe(0);
    await must(request(owner, 'MKCOL', 'tree'), 201);
    await must(request(owner, 'MKCOL', 'tree/sub'), 201);
    await must(request(owner, 'PUT', 'tree/sub/a.txt', { body: 'aaa' }), 201);
    await must(request(owner, 'PUT', 'tree/b.txt', { body: 'bb' }), 201);
    for (const path of ['tree', 'tree/sub', 'tree/sub/a.txt', 'tree/b.txt']) await must(patch(owner, path, { tag: `on ${path}` }), 207);
    expect(await used(owner)).toBe(base + 5 + (await propertyBytes(owner)));

    const beforeFile = await used(owner);
    const fileBytes = await propertyBytes(owner);
    await must(request(owner, 'DELETE', 'tree/b.txt'), 204);
    expect(beforeFile - (await used(owner))).toBe(2 + fileBytes - (await propertyBytes(owner)));
    await must(request(owner, 'DELETE', 'tree'), 204);
    expect(await used(owner)).toBe(base);
  });

  it('COPY charges the copies’ properties (a tree and Depth 0), MOVE keeps them', async () => {
    const base = await used(owner);
    await must(request(owner, 'MKCOL', 'src'), 201);
    await must(request(owner, 'PUT', 'src/f.txt', { body: 'ffff' }), 201);
    await must(patch(owner, 'src', { folder: 'f'.repeat(300) }), 207);
    await must(patch(owner, 'src/f.txt', { file: 'g'.repeat(400) }), 207);
    const one = (await used(owner)) - base;
    expect(one).toBe(4 + (await propertyBytes(owner)));

    await must(copy(owner, 'src', 'dst'), 201);
    expect(await used(owner)).toBe(base + 2 * one);
    await must(copy(owner, 'src', 'shallow', { Depth: '0' }), 201);
    expect(await used(owner)).toBe(base + 2 * one + (await propertiesOn('src')));
    const beforeMove = await used(owner);
    await must(request(owner, 'MOVE', 'dst', { headers: { Destination: `${dav.origin}/dav/moved` } }), 201);
    expect(await used(owner)).toBe(beforeMove);
    for (const path of ['src', 'moved', 'shallow']) await must(request(owner, 'DELETE', path), 204);
    expect(await used(owner)).toBe(base);
  });

  /** The bytes of the dead properties on one entry of the owner's. */
  async function propertiesOn(path: string): Promise<number> {
    const rows = await dav.t.app.database.db
      .selectFrom('dead_properties')
      .select(['namespace', 'name', 'value'])
      .where('entry_id', '=', (await dav.t.app.vfs.stat(await principalOf(owner), path.split('/'))).id)
      .execute();
    return rows.reduce((sum, r) => sum + Buffer.byteLength(r.namespace) + Buffer.byteLength(r.name) + Buffer.byteLength(r.value), 0);
  }
  async function principalOf(who: Who) {
    return dav.t.app.users.principalFor(await dav.t.app.users.get(who.id));
  }

  it('MOVE of a file over another gives back the moved file’s properties (the target keeps its own)', async () => {
    const base = await used(owner);
    await must(request(owner, 'PUT', 'keep.txt', { body: 'k' }), 201);
    await must(request(owner, 'PUT', 'over.txt', { body: 'o' }), 201);
    await must(patch(owner, 'keep.txt', { kept: 'k'.repeat(100) }), 207);
    await must(patch(owner, 'over.txt', { dropped: 'd'.repeat(200) }), 207);
    await must(request(owner, 'MOVE', 'over.txt', { headers: { Destination: `${dav.origin}/dav/keep.txt` } }), 204);
    expect(await used(owner)).toBe(base + 1 + (await propertyBytes(owner)));
    await must(request(owner, 'DELETE', 'keep.txt'), 204);
    expect(await used(owner)).toBe(base);
  });

  it(`COPY whose properties would pass webdav.maxPropertyBytesPerUser (${MAX_BYTES_PER_USER}) is 507 and copies nothing`, async () => {
    await must(request(owner, 'MKCOL', 'heavy'), 201);
    await must(request(owner, 'PUT', 'heavy/one.txt', { body: '1' }), 201);
    await must(request(owner, 'PUT', 'heavy/two.txt', { body: '2' }), 201);
    await must(patch(owner, 'heavy/one.txt', { v: 'v'.repeat(1500) }), 207);
    await must(patch(owner, 'heavy/two.txt', { v: 'w'.repeat(1500) }), 207);
    await must(request(owner, 'PUT', 'target.txt', { body: 'target' }), 201);

    for (const [from, to, headers] of [
      ['heavy', 'heavy-copy', {}],
      ['heavy', 'target.txt', { Overwrite: 'T' }],
    ] as const) {
      const refused = await unchangedBy(state(owner), () => copy(owner, from, to, headers));
      expect(refused.status).toBe(507);
      expect(await refused.text()).toContain(`${MAX_BYTES_PER_USER}-byte allowance`);
    }
    // One file's worth fits.
    await must(copy(owner, 'heavy/one.txt', 'one-copy.txt'), 201);
    expect(await used(owner)).toBe(6 + 3 + (await propertyBytes(owner)));
    for (const path of ['heavy', 'target.txt', 'one-copy.txt']) await must(request(owner, 'DELETE', path), 204);
  });

  it(`COPY of a resource carrying more than webdav.maxPropertiesPerResource (${MAX_PER_RESOURCE}) properties is 507`, async () => {
    // Properties set before the limit was lowered: the copy would be a new resource over it.
    await must(request(owner, 'MKCOL', 'crowded'), 201);
    await must(request(owner, 'PUT', 'crowded/many.txt', { body: 'm' }), 201);
    const many = await dav.t.app.vfs.stat(await principalOf(owner), ['crowded', 'many.txt']);
    const rows = ['a', 'b', 'c', 'd'].map((name) => ({
      entry_id: many.id,
      namespace: 'urn:old',
      name,
      value: `<${name} xmlns="urn:old"/>`,
    }));
    await dav.t.app.database.db.insertInto('dead_properties').values(rows).execute();
    const bytes = rows.reduce((sum, r) => sum + r.namespace.length + r.name.length + r.value.length, 0);
    await dav.t.app.database.db
      .updateTable('users')
      .set({ storage_used: (await used(owner)) + bytes })
      .where('id', '=', owner.id)
      .execute();

    for (const from of ['crowded', 'crowded/many.txt']) {
      const refused = await unchangedBy(state(owner), () => copy(owner, from, 'crowded-copy'));
      expect(refused.status).toBe(507);
      expect(await refused.text()).toContain(`at most ${MAX_PER_RESOURCE} are allowed`);
    }
    await must(request(owner, 'DELETE', 'crowded'), 204);
  });

  it('COPY whose properties do not fit the storage quota is 507 and copies nothing; without them it would fit', async () => {
    await must(request(limited, 'MKCOL', 'docs'), 201);
    await must(request(limited, 'PUT', 'docs/a.txt', { body: 'a'.repeat(1000) }), 201);
    await must(patch(limited, 'docs/a.txt', { note: 'n'.repeat(1000) }), 207);
    await must(patch(limited, 'docs', { note: 'n'.repeat(1000) }), 207);
    // About 3,100 of 5,000 bytes used: the copy's 1,000 content bytes would fit, not with its properties.
    expect(QUOTA - (await used(limited))).toBeGreaterThan(1000);
    for (const from of ['docs', 'docs/a.txt']) {
      const refused = await unchangedBy(state(limited), () => copy(limited, from, 'docs-copy'));
      expect(refused.status).toBe(507);
      expect(await refused.text()).toContain('storage quota');
    }
    await must(request(limited, 'DELETE', 'docs'), 204);
    expect(await used(limited)).toBe(0);
  });

  it('doctor reports usage that leaves out property bytes, and --repair charges them', async () => {
    await must(request(owner, 'PUT', 'doc.txt', { body: 'doc' }), 201);
    await must(patch(owner, 'doc.txt', { about: 'a'.repeat(700) }), 207);
    const right = await used(owner);
    // Usage as it was counted before properties were charged.
    await dav.t.app.database.db.updateTable('users').set({ storage_used: 3 }).where('id', '=', owner.id).execute();
    const report = await dav.t.app.doctor.run({ repair: true });
    expect(report.problems).toContainEqual(expect.objectContaining({ kind: 'storage-used', userId: owner.id }));
    expect(await used(owner)).toBe(right);
    expect((await dav.t.app.doctor.run()).problems).toEqual([]);
    await must(request(owner, 'DELETE', 'doc.txt'), 204);
  });
});
