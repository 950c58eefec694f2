// Two real `cumulus serve` processes on one database (DESIGN.md decision 6): a revocation made
// through one process reaches the other within a second. Clients hammer both processes while
// an administrator or the owner changes something through the API; every request that starts
// more than one second after the change's answer arrived must see it. Start times are
// compared, never durations: a loaded machine only makes the runs longer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { ADMIN, api, basic, hammer, send, signIn, startTwoServers, until, type Sample, type TwoServers } from '../support/two-servers.js';

/** The contract: a change is seen by every process for requests that start this long after it. */
const CONTRACT_MS = 1000;
/** How long the clients go on after the change. */
const AFTER_MS = 3000;
const WORKERS = 6;
const MY = encodeURIComponent('cloudreve://my/');

/**
 * Runs `request` against both nodes until each has answered `before` at least once, makes the
 * change, goes on for AFTER_MS and until each node has answered a request that started over
 * CONTRACT_MS after it (on a loaded machine one request may take seconds), and answers the
 * samples and when the change's answer arrived.
 */
async function aroundChange(
  cluster: TwoServers,
  request: (origin: string, i: number) => Promise<number>,
  before: (status: number) => boolean,
  change: () => Promise<void>,
): Promise<{ samples: Sample[]; changedAt: number }> {
  let changedAt = Infinity;
  let failed = false;
  const run = hammer(
    cluster.nodes,
    WORKERS,
    (node, i) => request(node.origin, i),
    () =>
      failed ||
      (Date.now() > changedAt + AFTER_MS &&
        [0, 1].every((node) => run.samples.some((s) => s.node === node && s.startedAt > changedAt + CONTRACT_MS))),
  );
  try {
    await until(() => [0, 1].every((node) => run.samples.some((s) => s.node === node && before(s.status))));
    await change();
    changedAt = Date.now();
  } finally {
    if (changedAt === Infinity) [changedAt, failed] = [0, true];
    await run.finished;
  }
  return { samples: run.samples, changedAt };
}

/** Every request that started more than CONTRACT_MS after the change answered as `after` says, on both nodes. */
function expectFollowed(
  label: string,
  { samples, changedAt }: { samples: Sample[]; changedAt: number },
  after: (status: number) => boolean,
) {
  const late = samples.filter((s) => s.startedAt > changedAt + CONTRACT_MS);
  const stale = late.filter((s) => !after(s.status));
  const window = samples.filter((s) => s.startedAt > changedAt && s.startedAt <= changedAt + CONTRACT_MS);
  console.log(
    `${label}: ${samples.length} requests; ${late.length} started over ${CONTRACT_MS} ms after the change, ${stale.length} of them stale; ` +
      `${window.filter((s) => !after(s.status)).length} of ${window.length} in the first second still saw the old state`,
  );
  expect(late.filter((s) => s.node === 0).length).toBeGreaterThan(0);
  expect(late.filter((s) => s.node === 1).length).toBeGreaterThan(0);
  expect(stale).toEqual([]);
}

describe.each(DIALECTS)('two server processes follow revocations within a second (%s)', (dialect) => {
  let cluster: TwoServers;
  let adminToken: string;
  let counter = 0;

  beforeAll(async () => {
    // Throttling would answer 429 to the clients whose password stopped working: out of the way here.
    const unlimited = { perAddress: 1e9, perAccountAddress: 1e9, perAccount: 1e9 };
    cluster = await startTwoServers(dialect, { config: { auth: { throttle: unlimited } } });
    adminToken = await signIn(cluster.nodes[0].origin, ADMIN.email, ADMIN.password);
  }, 180_000);
  afterAll(async () => cluster?.close());

  /** A new user (through the admin API) with a WebDAV account (through the owner's API session). */
  async function newUser(): Promise<{ id: string; email: string; token: string; dav: { id: string; password: string } }> {
    const email = `member${++counter}-${dialect}@example.test`;
    const created = await api(cluster.nodes[0].origin, 'PUT', '/admin/user', {
      json: { email, password: 'member password' },
      token: adminToken,
    });
    expect(created.code, created.msg).toBe(0);
    const token = await signIn(cluster.nodes[1].origin, email, 'member password');
    const account = await api(cluster.nodes[1].origin, 'PUT', '/devices/dav', {
      json: { uri: 'cloudreve://my/laptop', name: 'laptop' },
      token,
    });
    expect(account.code, account.msg).toBe(0);
    return { id: (created.data as { id: string }).id, email, token, dav: account.data as { id: string; password: string } };
  }

  const propfind = (origin: string, email: string, password: string) =>
    send(origin, { method: 'PROPFIND', path: '/dav/', headers: { ...basic(email, password), depth: '0' } }).then((r) => r.status);
  const listing = (origin: string, token: string) =>
    send(origin, { path: `/api/v4/file?uri=${MY}`, headers: { authorization: `Bearer ${token}` } }).then((r) => r.json().code);

  it('a WebDAV account revoked through one process is refused (401) by both for every request that starts a second later', async () => {
    const user = await newUser();
    const result = await aroundChange(
      cluster,
      (origin) => propfind(origin, user.email, user.dav.password),
      (status) => status === 207,
      async () => {
        const revoked = await api(cluster.nodes[0].origin, 'DELETE', `/devices/dav/${user.dav.id}`, { token: user.token });
        expect(revoked.code, revoked.msg).toBe(0);
      },
    );
    expectFollowed(`WebDAV account revoked (${dialect})`, result, (status) => status === 401);
  }, 120_000);

  it('disabling a user ends their API sessions and WebDAV access on both processes within a second; enabling brings no session back', async () => {
    const user = await newUser();
    const result = await aroundChange(
      cluster,
      async (origin, i) => (i % 2 === 0 ? propfind(origin, user.email, user.dav.password) : listing(origin, user.token)),
      (status) => status === 207 || status === 0,
      async () => {
        const disabled = await api(cluster.nodes[1].origin, 'PUT', `/admin/user/${user.id}`, {
          json: { status: 'manual_banned' },
          token: adminToken,
        });
        expect(disabled.code, disabled.msg).toBe(0);
      },
    );
    expectFollowed(`user disabled (${dialect})`, result, (status) => status === 401);

    const enabled = await api(cluster.nodes[1].origin, 'PUT', `/admin/user/${user.id}`, { json: { status: 'active' }, token: adminToken });
    expect(enabled.code, enabled.msg).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, CONTRACT_MS + 100));
    for (const node of cluster.nodes) {
      expect(await listing(node.origin, user.token)).toBe(401);
      // The WebDAV account is a device, not a session: it works again with the account.
      expect(await propfind(node.origin, user.email, user.dav.password)).toBe(207);
    }
  }, 120_000);

  it('read-only mode switched on through one process refuses writes on both within a second, and switched off lets them through', async () => {
    const user = await newUser();
    const put = (origin: string, i: number) =>
      send(origin, { method: 'PUT', path: `/dav/file-${i}.txt`, headers: basic(user.email, user.dav.password), body: `write ${i}` }).then(
        (r) => r.status,
      );
    const setReadOnly = async (readOnly: boolean) => {
      const reply = await api(cluster.nodes[1].origin, 'PATCH', '/admin/settings', { json: { read_only: readOnly }, token: adminToken });
      expect(reply.code, reply.msg).toBe(0);
    };
    try {
      const on = await aroundChange(
        cluster,
        put,
        (status) => status === 201 || status === 204,
        () => setReadOnly(true),
      );
      expectFollowed(`read-only on (${dialect})`, on, (status) => status === 403);
      const off = await aroundChange(
        cluster,
        put,
        (status) => status === 403,
        () => setReadOnly(false),
      );
      // 201 for a new name, 204 for a name an earlier phase already wrote.
      expectFollowed(`read-only off (${dialect})`, off, (status) => status === 201 || status === 204);
    } finally {
      await setReadOnly(false);
    }
  }, 120_000);
});
