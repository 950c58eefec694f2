// Over real HTTP, on both databases: who may use WebDAV (DESIGN.md "Security decisions":
// only WebDAV-account passwords, never the login password; failed logins throttled per
// account and per client address; revoked, expired, disabled and unpermitted accounts
// refused at once; read-only accounts and server switches refusing every write) and whose
// locks are whose (a lock belongs to the user who took it; locks live in the database and
// survive a restart).
import { sql } from 'kysely';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHttpServer } from '../../src/http/index.js';
import { startDavServer, type DavServer } from '../support/dav-server.js';
import { unchanged } from '../support/inspect.js';

type Credentials = { email: string; password: string };

interface RawResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
}

interface CallOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Basic credentials; the server's read-write account by default, null for none. */
  readonly auth?: Credentials | null;
  /** The client address to connect from (127.0.0.0/8), so throttling can be observed per address. */
  readonly from?: string;
  /** Another origin than the server's (after a restart). */
  readonly origin?: string;
}

function call(dav: DavServer, path: string, options: CallOptions = {}): Promise<RawResponse> {
  const headers: Record<string, string> = { ...options.headers };
  const credentials = options.auth === undefined ? { email: dav.email, password: dav.password } : options.auth;
  if (credentials) headers.authorization = `Basic ${Buffer.from(`${credentials.email}:${credentials.password}`).toString('base64')}`;
  if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
  const port = Number(new URL(options.origin ?? dav.origin).port);
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers, agent: false, localAddress: options.from },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

const LOCKINFO =
  '<?xml version="1.0" encoding="utf-8"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>tests</D:owner></D:lockinfo>';
const PROPPATCH =
  '<?xml version="1.0" encoding="utf-8"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z"><D:set><D:prop><Z:p>v</Z:p></D:prop></D:set></D:propertyupdate>';
const CHALLENGE = /^Basic realm="[^"]+"/;

let addressCounter = 1;
/** A client address no other test has used (the throttle counts failures per address). */
function freshAddress(): string {
  addressCounter += 1;
  return `127.0.${Math.floor(addressCounter / 250)}.${(addressCounter % 250) + 2}`;
}

/** Every method that writes, with what it needs to be a valid request but for the refusal. */
const WRITES: Array<[string, string, Record<string, string>, string | undefined]> = [
  ['PUT', '/dav/file.txt', {}, 'overwritten'],
  ['PUT', '/dav/new.txt', {}, 'new'],
  ['DELETE', '/dav/file.txt', {}, undefined],
  ['DELETE', '/dav/dir/', {}, undefined],
  ['MKCOL', '/dav/newdir', {}, undefined],
  ['MOVE', '/dav/file.txt', { Destination: '/dav/moved.txt' }, undefined],
  ['COPY', '/dav/file.txt', { Destination: '/dav/copied.txt' }, undefined],
  ['COPY', '/dav/dir/', { Destination: '/dav/dir-copy/' }, undefined],
  ['PROPPATCH', '/dav/file.txt', {}, PROPPATCH],
  ['LOCK', '/dav/file.txt', { Depth: '0' }, LOCKINFO],
  ['LOCK', '/dav/unmapped.txt', { Depth: '0' }, LOCKINFO],
];

describe.each(['sqlite', 'postgres'] as const)('WebDAV over HTTP: accounts and authentication (%s)', (dialect) => {
  let dav: DavServer;
  let userId: number;

  beforeAll(async () => {
    dav = await startDavServer(dialect);
    userId = (await dav.t.app.users.get(dav.email)).id;
    expect((await call(dav, '/dav/file.txt', { method: 'PUT', body: 'content' })).status).toBe(201);
    expect((await call(dav, '/dav/dir', { method: 'MKCOL' })).status).toBe(201);
    expect((await call(dav, '/dav/dir/inner.txt', { method: 'PUT', body: 'inner' })).status).toBe(201);
  });
  afterAll(async () => {
    await dav?.close();
  });

  async function newAccount(
    options: { readOnly?: boolean; expiresAt?: number | null; user?: number } = {},
  ): Promise<Credentials & { id: number }> {
    const owner = options.user ?? userId;
    const { account, password } = await dav.t.app.davAccounts.create({
      userId: owner,
      name: `device ${Math.random().toString(36).slice(2)}`,
      readOnly: options.readOnly,
      expiresAt: options.expiresAt,
    });
    return { email: (await dav.t.app.users.get(owner)).email, password, id: account.id };
  }

  it('the login password never works over WebDAV (401 with a challenge)', async () => {
    const from = freshAddress();
    for (const method of ['GET', 'PROPFIND', 'PUT']) {
      const response = await unchanged(dav, () =>
        call(dav, '/dav/file.txt', {
          method,
          headers: { Depth: '0' },
          auth: { email: dav.email, password: 'correct horse battery' },
          from,
          ...(method === 'PUT' && { body: 'x' }),
        }),
      );
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toMatch(CHALLENGE);
      expect(response.text).not.toContain('content');
    }
  });

  it('a wrong password, or a right password with another email, is 401 with a challenge', async () => {
    const from = freshAddress();
    const cases: Credentials[] = [
      { email: dav.email, password: 'x'.repeat(32) },
      { email: dav.email, password: `${dav.password.slice(0, 8)}${'y'.repeat(24)}` }, // the right key id, the wrong secret
      { email: dav.email, password: dav.password.slice(0, -1) },
      { email: dav.email, password: '' },
      { email: 'someone-else@example.test', password: dav.password },
      { email: '', password: dav.password },
    ];
    for (const auth of cases) {
      const response = await call(dav, '/dav/file.txt', { auth, from });
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toMatch(CHALLENGE);
    }
    // The email is compared without regard to case and surrounding space.
    const relaxed = await call(dav, '/dav/file.txt', {
      auth: { email: ` ${dav.email.toUpperCase()} `, password: dav.password },
      from: freshAddress(),
    });
    expect(relaxed.status).toBe(200);
  });

  it('after 30 failures from an address, that address gets 429 with Retry-After, even with good credentials', async () => {
    const from = freshAddress();
    for (let i = 0; i < 30; i++) {
      // A different unknown email each time: only the address counts these failures.
      const response = await call(dav, '/dav/', {
        method: 'PROPFIND',
        headers: { Depth: '0' },
        auth: { email: `guess${i}@example.test`, password: 'z'.repeat(32) },
        from,
      });
      expect(response.status).toBe(401);
    }
    const refused = await call(dav, '/dav/file.txt', { auth: { email: 'guess-more@example.test', password: 'z'.repeat(32) }, from });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    const good = await call(dav, '/dav/file.txt', { from });
    expect(good.status).toBe(429);
    expect(good.text).not.toContain('content');
    // Another address is not affected.
    expect((await call(dav, '/dav/file.txt', { from: freshAddress() })).status).toBe(200);
  });

  it('failures on an account from many addresses never refuse its owner from an address that has not failed', async () => {
    const { user } = await dav.t.newUser(`throttled-${dialect}@example.test`);
    const credentials = await newAccount({ user: user.id });
    const failing = freshAddress();
    for (let i = 0; i < 25; i++) {
      const from = i === 0 ? failing : freshAddress();
      const response = await call(dav, '/dav/', { auth: { email: credentials.email, password: 'w'.repeat(32) }, from });
      expect(response.status).toBe(401);
    }
    // Past the account's allowance (20), addresses that failed on it wait...
    const refused = await call(dav, '/dav/', { auth: credentials, from: failing });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // ...while its owner, from an address that has not failed, gets in.
    expect(
      (await call(dav, '/dav/', { method: 'PROPFIND', headers: { Depth: '0' }, auth: credentials, from: freshAddress() })).status,
    ).toBe(207);
    // Other accounts are not affected.
    expect((await call(dav, '/dav/file.txt', { from: freshAddress() })).status).toBe(200);
  });

  it('a fresh server throttles too (10 failures, then 429 with Retry-After)', async () => {
    const fresh = await startDavServer(dialect);
    try {
      for (let i = 0; i < 10; i++) {
        const response = await call(fresh, '/dav/', { auth: { email: fresh.email, password: 'v'.repeat(32) } });
        expect(response.status).toBe(401);
      }
      const refused = await call(fresh, '/dav/');
      expect(refused.status).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await fresh.close();
    }
  });

  it('a revoked account is refused at once, though its credentials were cached', async () => {
    const credentials = await newAccount();
    expect((await call(dav, '/dav/file.txt', { auth: credentials })).status).toBe(200);
    await dav.t.app.davAccounts.revoke(credentials.id);
    const response = await unchanged(dav, () =>
      call(dav, '/dav/file.txt', { method: 'PUT', body: 'after revoke', auth: credentials, from: freshAddress() }),
    );
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(CHALLENGE);
  });

  it('an account is refused once it expires', async () => {
    // A server of its own whose clock the test moves: no sleeping, whatever the machine's load.
    let ahead = 0;
    const clocked = await startDavServer(dialect, { clock: () => Date.now() + ahead });
    try {
      const owner = await clocked.t.app.users.get(clocked.email);
      const { password } = await clocked.t.app.davAccounts.create({ userId: owner.id, name: 'expiring', expiresAt: Date.now() + 60_000 });
      const credentials = { email: owner.email, password };
      expect((await call(clocked, '/dav/probe.txt', { method: 'PUT', body: 'before', auth: credentials })).status).toBe(201);
      ahead = 61_000; // past the expiry: the credential cache must not outlive it
      const response = await unchanged(clocked, () =>
        call(clocked, '/dav/probe.txt', { method: 'PUT', body: 'expired', auth: credentials, from: freshAddress() }),
      );
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toMatch(CHALLENGE);
    } finally {
      await clocked.close();
    }
  });

  it('an account whose stored expiry another node moves into the past is refused within a second', async () => {
    const credentials = await newAccount({ expiresAt: Date.now() + 3600_000 });
    expect((await call(dav, '/dav/file.txt', { auth: credentials })).status).toBe(200);
    // As another node's change would: the row and the shared 'auth' counter in one transaction.
    await dav.t.app.database.transaction(async (tx) => {
      await tx
        .updateTable('dav_accounts')
        .set({ expires_at: Date.now() - 1000 })
        .where('id', '=', credentials.id)
        .execute();
      await tx
        .updateTable('shared_versions')
        .set({ version: sql`version + 1` })
        .where('name', '=', 'auth')
        .execute();
    });
    // Followed within a second (the counter is read at most once a second); polled with room to spare.
    let status = 0;
    for (let attempt = 0; attempt < 100 && status !== 401; attempt++) {
      if (attempt > 0) await sleep(100);
      status = (await call(dav, '/dav/file.txt', { auth: credentials, from: freshAddress() })).status;
    }
    expect(status).toBe(401);
  });

  it('a disabled user is refused at once, and let in again when enabled', async () => {
    const { user } = await dav.t.newUser(`disabled-${dialect}@example.test`);
    const credentials = await newAccount({ user: user.id });
    expect((await call(dav, '/dav/', { method: 'PROPFIND', headers: { Depth: '0' }, auth: credentials })).status).toBe(207);
    await dav.t.app.users.setStatus(user.email, 'disabled');
    const from = freshAddress();
    for (const method of ['GET', 'PROPFIND', 'PUT']) {
      const response = await unchanged(dav, () =>
        call(dav, '/dav/x.txt', { method, headers: { Depth: '0' }, auth: credentials, from, ...(method === 'PUT' && { body: 'x' }) }),
      );
      expect(response.status).toBe(401);
    }
    await dav.t.app.users.setStatus(user.email, 'active');
    expect(
      (await call(dav, '/dav/', { method: 'PROPFIND', headers: { Depth: '0' }, auth: credentials, from: freshAddress() })).status,
    ).toBe(207);
  });

  it('a group without the WebDAV permission is refused at once', async () => {
    const { user } = await dav.t.newUser(`nogroup-${dialect}@example.test`, { quota: null });
    const group = await dav.t.app.users.groupOf(user);
    await dav.t.app.groups.update(group.id, { permissions: { webdav: true } });
    const credentials = await newAccount({ user: user.id });
    expect((await call(dav, '/dav/', { method: 'PROPFIND', headers: { Depth: '0' }, auth: credentials })).status).toBe(207);
    await dav.t.app.groups.update(group.id, { permissions: { webdav: false } });
    const response = await unchanged(dav, () =>
      call(dav, '/dav/x.txt', { method: 'PUT', body: 'x', auth: credentials, from: freshAddress() }),
    );
    expect([401, 403]).toContain(response.status);
  });

  it('the built-in User group losing WebDAV refuses its members', async () => {
    try {
      await dav.t.app.groups.update('User', { permissions: { webdav: false } });
      const response = await unchanged(dav, () => call(dav, '/dav/file.txt', { method: 'PUT', body: 'x', from: freshAddress() }));
      expect([401, 403]).toContain(response.status);
    } finally {
      await dav.t.app.groups.update('User', { permissions: { webdav: true } });
    }
    expect((await call(dav, '/dav/file.txt', { from: freshAddress() })).status).toBe(200);
  });

  describe('a read-only account', () => {
    let readOnly: Credentials;
    beforeAll(async () => {
      readOnly = await newAccount({ readOnly: true });
    });

    it.each(WRITES)('%s %s is 403 and changes nothing', async (method, path, headers, body) => {
      const response = await unchanged(dav, () => call(dav, path, { method, headers, body, auth: readOnly }));
      expect(response.status).toBe(403);
    });

    it('reads work: GET, HEAD, PROPFIND, OPTIONS', async () => {
      const get = await call(dav, '/dav/file.txt', { auth: readOnly });
      expect(get.status).toBe(200);
      expect(get.text).toBe('content');
      expect((await call(dav, '/dav/file.txt', { method: 'HEAD', auth: readOnly })).status).toBe(200);
      const listing = await call(dav, '/dav/', { method: 'PROPFIND', headers: { Depth: '1' }, auth: readOnly });
      expect(listing.status).toBe(207);
      expect(listing.text).toContain('/dav/file.txt');
      expect((await call(dav, '/dav/', { method: 'OPTIONS', auth: readOnly })).status).toBe(200);
    });
  });

  describe('server switches', () => {
    it.each(WRITES)('with readOnly on, %s %s is 403 and changes nothing', async (method, path, headers, body) => {
      await dav.t.app.settings.update({ readOnly: true });
      try {
        const response = await unchanged(dav, () => call(dav, path, { method, headers, body }));
        expect(response.status).toBe(403);
      } finally {
        await dav.t.app.settings.update({ readOnly: false });
      }
    });

    it('with readOnly on, reads still work', async () => {
      await dav.t.app.settings.update({ readOnly: true });
      try {
        expect((await call(dav, '/dav/file.txt')).text).toBe('content');
        expect((await call(dav, '/dav/', { method: 'PROPFIND', headers: { Depth: '1' } })).status).toBe(207);
      } finally {
        await dav.t.app.settings.update({ readOnly: false });
      }
    });

    it('with webdavEnabled off, every request is refused and nothing changes', async () => {
      await dav.t.app.settings.update({ webdavEnabled: false });
      try {
        for (const [method, path, headers, body] of [
          ...WRITES,
          ['GET', '/dav/file.txt', {}, undefined] as const,
          ['PROPFIND', '/dav/', { Depth: '1' }, undefined] as const,
        ]) {
          const response = await unchanged(dav, () => call(dav, path, { method, headers: { ...headers }, body }));
          expect(response.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
          expect(response.text).not.toContain('content');
        }
      } finally {
        await dav.t.app.settings.update({ webdavEnabled: true });
      }
      expect((await call(dav, '/dav/file.txt')).status).toBe(200);
    });
  });

  describe('locks', () => {
    async function lock(path: string, credentials?: Credentials, headers: Record<string, string> = {}): Promise<string> {
      const response = await call(dav, path, { method: 'LOCK', body: LOCKINFO, headers: { Depth: '0', ...headers }, auth: credentials });
      expect([200, 201]).toContain(response.status);
      const token = /^<(.+)>$/.exec(String(response.headers['lock-token'] ?? ''))?.[1];
      expect(token).toBeDefined();
      return token!;
    }

    it("another user presenting a lock's token gets 423 and changes nothing", async () => {
      // A folder of this user that a second user's account is rooted at (as a shared folder would be).
      expect((await call(dav, '/dav/shared', { method: 'MKCOL' })).status).toBe(201);
      expect((await call(dav, '/dav/shared/locked.txt', { method: 'PUT', body: 'owner content' })).status).toBe(201);
      const token = await lock('/dav/shared/locked.txt');
      const { user: other } = await dav.t.newUser(`other-${dialect}@example.test`);
      const otherCredentials = await newAccount({ user: other.id });
      const shared = await dav.t.app.vfs.stat(await dav.t.app.users.principalFor(await dav.t.app.users.get(userId)), ['shared']);
      await dav.t.app.database.db.updateTable('dav_accounts').set({ root_id: shared.id }).where('id', '=', otherCredentials.id).execute();
      expect((await call(dav, '/dav/locked.txt', { auth: otherCredentials })).text).toBe('owner content');

      const withToken = await unchanged(dav, () =>
        call(dav, '/dav/locked.txt', { method: 'PUT', body: 'intruder', headers: { If: `(<${token}>)` }, auth: otherCredentials }),
      );
      expect(withToken.status).toBe(423);
      const tagged = await unchanged(dav, () =>
        call(dav, '/dav/locked.txt', {
          method: 'PUT',
          body: 'intruder',
          headers: { If: `<${dav.url}locked.txt> (<${token}>)` },
          auth: otherCredentials,
        }),
      );
      expect(tagged.status).toBe(423);
      const deleted = await unchanged(dav, () =>
        call(dav, '/dav/locked.txt', { method: 'DELETE', headers: { If: `(<${token}>)` }, auth: otherCredentials }),
      );
      expect(deleted.status).toBe(423);
      const moved = await unchanged(dav, () =>
        call(dav, '/dav/locked.txt', {
          method: 'MOVE',
          headers: { If: `(<${token}>)`, Destination: '/dav/taken.txt' },
          auth: otherCredentials,
        }),
      );
      expect(moved.status).toBe(423);
      const patched = await unchanged(dav, () =>
        call(dav, '/dav/locked.txt', { method: 'PROPPATCH', body: PROPPATCH, headers: { If: `(<${token}>)` }, auth: otherCredentials }),
      );
      expect(patched.status).toBe(423);
      const unlocked = await unchanged(dav, () =>
        call(dav, '/dav/locked.txt', { method: 'UNLOCK', headers: { 'Lock-Token': `<${token}>` }, auth: otherCredentials }),
      );
      expect([403, 423]).toContain(unlocked.status);
      const refreshed = await unchanged(dav, () =>
        call(dav, '/dav/locked.txt', { method: 'LOCK', headers: { If: `(<${token}>)`, Timeout: 'Second-9999' }, auth: otherCredentials }),
      );
      expect([403, 412, 423]).toContain(refreshed.status);
      // The owner still holds the lock.
      expect(
        (await call(dav, '/dav/shared/locked.txt', { method: 'PUT', body: 'owner again', headers: { If: `(<${token}>)` } })).status,
      ).toBe(204);
      expect((await call(dav, '/dav/shared/locked.txt', { method: 'UNLOCK', headers: { 'Lock-Token': `<${token}>` } })).status).toBe(204);
    });

    it("another account of the same user presenting the first account's token gets 423 and changes nothing (locks are per account)", async () => {
      expect((await call(dav, '/dav/per-account.txt', { method: 'PUT', body: 'one' })).status).toBe(201);
      const token = await lock('/dav/per-account.txt');
      const second = await newAccount();
      const withToken: Record<string, string> = { If: `(<${token}>)` };
      const without = await unchanged(dav, () => call(dav, '/dav/per-account.txt', { method: 'PUT', body: 'two', auth: second }));
      expect(without.status).toBe(423);
      const requests: { method: string; body?: string; headers: Record<string, string> }[] = [
        { method: 'PUT', body: 'two', headers: withToken },
        { method: 'DELETE', headers: withToken },
        { method: 'PROPPATCH', body: PROPPATCH, headers: withToken },
        { method: 'UNLOCK', headers: { 'Lock-Token': `<${token}>` } },
        { method: 'LOCK', headers: { ...withToken, Timeout: 'Second-600' } },
      ];
      for (const request of requests) {
        const response = await unchanged(dav, () => call(dav, '/dav/per-account.txt', { ...request, auth: second }));
        expect([request.method, response.status]).toEqual([request.method, 423]);
      }
      expect((await call(dav, '/dav/per-account.txt')).text).toBe('one');
      // The holder still holds it.
      expect((await call(dav, '/dav/per-account.txt', { method: 'PUT', body: 'three', headers: withToken })).status).toBe(204);
      expect((await call(dav, '/dav/per-account.txt', { method: 'UNLOCK', headers: { 'Lock-Token': `<${token}>` } })).status).toBe(204);
    });

    it('UNLOCK with a token that is not on the resource is 409 and the lock stays', async () => {
      expect((await call(dav, '/dav/a.txt', { method: 'PUT', body: 'a' })).status).toBe(201);
      expect((await call(dav, '/dav/b.txt', { method: 'PUT', body: 'b' })).status).toBe(201);
      const token = await lock('/dav/a.txt');
      const elsewhere = await unchanged(dav, () => call(dav, '/dav/b.txt', { method: 'UNLOCK', headers: { 'Lock-Token': `<${token}>` } }));
      expect(elsewhere.status).toBe(409);
      const unknown = await unchanged(dav, () =>
        call(dav, '/dav/a.txt', { method: 'UNLOCK', headers: { 'Lock-Token': '<opaquelocktoken:00000000-0000-0000-0000-000000000000>' } }),
      );
      expect(unknown.status).toBe(409);
      expect((await call(dav, '/dav/a.txt', { method: 'PUT', body: 'changed' })).status).toBe(423);
      expect((await call(dav, '/dav/a.txt', { method: 'UNLOCK', headers: { 'Lock-Token': `<${token}>` } })).status).toBe(204);
    });

    it('LOCK on an unmapped URL is 201 and leaves an empty, locked file', async () => {
      const response = await call(dav, '/dav/lock-null.txt', { method: 'LOCK', body: LOCKINFO, headers: { Depth: '0' } });
      expect(response.status).toBe(201);
      const token = /^<(.+)>$/.exec(String(response.headers['lock-token'] ?? ''))?.[1];
      expect(token).toMatch(/^opaquelocktoken:/);
      expect(response.text).toContain(token!);
      const get = await call(dav, '/dav/lock-null.txt');
      expect(get.status).toBe(200);
      expect(get.text).toBe('');
      expect(get.headers['content-length']).toBe('0');
      const discovery = await call(dav, '/dav/lock-null.txt', {
        method: 'PROPFIND',
        headers: { Depth: '0' },
        body: '<D:propfind xmlns:D="DAV:"><D:prop><D:lockdiscovery/></D:prop></D:propfind>',
      });
      expect(discovery.text).toContain(token!);
      expect((await call(dav, '/dav/lock-null.txt', { method: 'PUT', body: 'x' })).status).toBe(423);
      expect((await call(dav, '/dav/lock-null.txt', { method: 'UNLOCK', headers: { 'Lock-Token': `<${token}>` } })).status).toBe(204);
    });

    it('a LOCK refresh with the token in an If header is 200 with the new timeout', async () => {
      expect((await call(dav, '/dav/refresh.txt', { method: 'PUT', body: 'r' })).status).toBe(201);
      const token = await lock('/dav/refresh.txt', undefined, { Timeout: 'Second-100' });
      const before = await dav.t.app.database.db
        .selectFrom('locks')
        .select('expires_at')
        .where('token', '=', token)
        .executeTakeFirstOrThrow();
      const refreshed = await call(dav, '/dav/refresh.txt', { method: 'LOCK', headers: { If: `(<${token}>)`, Timeout: 'Second-500' } });
      expect(refreshed.status).toBe(200);
      const granted = Number(/<D:timeout>Second-(\d+)<\/D:timeout>/.exec(refreshed.text)?.[1]);
      expect(granted).toBe(500);
      expect(refreshed.text).toContain(token);
      const after = await dav.t.app.database.db
        .selectFrom('locks')
        .select('expires_at')
        .where('token', '=', token)
        .executeTakeFirstOrThrow();
      expect(Number(after.expires_at) - Number(before.expires_at)).toBeGreaterThanOrEqual(399_000);
      // A refresh naming no lock of this resource is refused and changes nothing.
      const wrong = await unchanged(dav, () =>
        call(dav, '/dav/refresh.txt', {
          method: 'LOCK',
          headers: { If: '(<opaquelocktoken:00000000-0000-0000-0000-000000000000>)', Timeout: 'Second-900' },
        }),
      );
      expect([412, 423]).toContain(wrong.status);
      expect((await call(dav, '/dav/refresh.txt', { method: 'UNLOCK', headers: { 'Lock-Token': `<${token}>` } })).status).toBe(204);
    });
  });

  it('locks live in the database and survive a restart', async () => {
    const first = await startDavServer(dialect);
    let second: Awaited<ReturnType<typeof buildHttpServer>> | undefined;
    try {
      expect((await call(first, '/dav/kept.txt', { method: 'PUT', body: 'kept' })).status).toBe(201);
      const response = await call(first, '/dav/kept.txt', {
        method: 'LOCK',
        body: LOCKINFO,
        headers: { Depth: '0', Timeout: 'Second-600' },
      });
      expect(response.status).toBe(200);
      const token = /^<(.+)>$/.exec(String(response.headers['lock-token'] ?? ''))?.[1] ?? 'missing-token';

      // Stop the server and its app; start a new app on the same database and data directory.
      await first.server.close();
      await first.t.app.close();
      const app = await first.t.reopen();
      second = await buildHttpServer(app);
      await second.listen({ host: '127.0.0.1', port: 0 });
      const origin = `http://127.0.0.1:${(second.server.address() as AddressInfo).port}`;

      const discovery = await call(first, '/dav/kept.txt', {
        origin,
        method: 'PROPFIND',
        headers: { Depth: '0' },
        body: '<D:propfind xmlns:D="DAV:"><D:prop><D:lockdiscovery/></D:prop></D:propfind>',
      });
      expect(discovery.status).toBe(207);
      expect(discovery.text).toContain(token);
      expect((await call(first, '/dav/kept.txt', { origin, method: 'PUT', body: 'lost' })).status).toBe(423);
      expect((await call(first, '/dav/kept.txt', { origin })).text).toBe('kept');
      expect((await call(first, '/dav/kept.txt', { origin, method: 'PUT', body: 'mine', headers: { If: `(<${token}>)` } })).status).toBe(
        204,
      );
      expect((await call(first, '/dav/kept.txt', { origin, method: 'UNLOCK', headers: { 'Lock-Token': `<${token}>` } })).status).toBe(204);
      expect((await call(first, '/dav/kept.txt', { origin, method: 'PUT', body: 'free' })).status).toBe(204);
    } finally {
      await second?.close();
      await first.t.close();
    }
  });
});
