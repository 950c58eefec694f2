// Two real `cumulus serve` processes on one database, default throttle limits: an attacker
// sends 1,000 wrong passwords from one address, spread over both processes, while the owner
// works from another address. The attacker must meet 429 quickly; the owner must never.
// The counts are printed: they are the figures the throttle is judged by.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { ADMIN, api, basic, hammer, send, signIn, startTwoServers, type Sample, type TwoServers } from '../support/two-servers.js';

const ATTEMPTS = 1000;
const ATTACKER = '127.0.66.1';
const OWNER = '127.0.77.1';
const OWNER_PASSWORD = 'owner password';

interface Counts {
  readonly attacker: Record<string, number>;
  readonly owner: Record<string, number>;
}

function tally(samples: Sample[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const sample of samples) counts[sample.status] = (counts[sample.status] ?? 0) + 1;
  return counts;
}

/**
 * The attacker's ATTEMPTS requests from 20 loops, and the owner's from 2 loops for as long
 * as the attack lasts (at least `ownerMinimum` of them), both alternating between the nodes.
 */
async function attack(
  cluster: TwoServers,
  attacker: (origin: string, i: number) => Promise<number>,
  owner: (origin: string) => Promise<number>,
  ownerMinimum: number,
): Promise<Counts> {
  let sent = 0;
  const attack = hammer(
    cluster.nodes,
    20,
    (node, i) => attacker(node.origin, i),
    () => ++sent > ATTEMPTS,
  );
  let attackOver = false;
  const ownerRun = hammer(
    cluster.nodes,
    2,
    (node) => owner(node.origin),
    () => attackOver && ownerRun.samples.length >= ownerMinimum,
  );
  await attack.finished;
  attackOver = true;
  await ownerRun.finished;
  return { attacker: tally(attack.samples), owner: tally(ownerRun.samples) };
}

function report(label: string, counts: Counts, ok: string): void {
  console.log(`${label}: attacker ${JSON.stringify(counts.attacker)}; owner ${JSON.stringify(counts.owner)}`);
  const attackerTotal = Object.values(counts.attacker).reduce((a, b) => a + b, 0);
  expect(attackerTotal).toBe(ATTEMPTS);
  // Quickly: the allowance (10 per account and address) plus what was in flight on two processes.
  expect(counts.attacker['429'] ?? 0).toBeGreaterThan(ATTEMPTS - 200);
  expect(Object.keys(counts.owner)).toEqual([ok]);
}

describe.each(DIALECTS)('throttling across two server processes: the attacker waits, the owner never does (%s)', (dialect) => {
  let cluster: TwoServers;
  let owner: { email: string; token: string; dav: string };

  beforeAll(async () => {
    cluster = await startTwoServers(dialect);
    const [a, b] = cluster.nodes;
    const adminToken = await signIn(a.origin, ADMIN.email, ADMIN.password);
    const email = `owner-${dialect}@example.test`;
    const created = await api(a.origin, 'PUT', '/admin/user', { json: { email, password: OWNER_PASSWORD }, token: adminToken });
    expect(created.code, created.msg).toBe(0);
    const token = await signIn(b.origin, email, OWNER_PASSWORD, OWNER);
    const account = await api(b.origin, 'PUT', '/devices/dav', { json: { uri: 'cloudreve://my/laptop', name: 'laptop' }, token });
    expect(account.code, account.msg).toBe(0);
    owner = { email, token, dav: (account.data as { password: string }).password };
  }, 180_000);
  afterAll(async () => cluster?.close());

  it('WebDAV: 1,000 wrong passwords from one address', async () => {
    const propfind = (origin: string, password: string, from: string) =>
      send(origin, { method: 'PROPFIND', path: '/dav/', headers: { ...basic(owner.email, password), depth: '0' }, from }).then(
        (r) => r.status,
      );
    const counts = await attack(
      cluster,
      (origin, i) => propfind(origin, `wrong${String(i).padStart(27, '0')}`, ATTACKER),
      (origin) => propfind(origin, owner.dav, OWNER),
      50,
    );
    report(`WebDAV (${dialect})`, counts, '207');
  }, 300_000);

  it('API sign-in: 1,000 wrong passwords from one address', async () => {
    const signInCode = (origin: string, password: string, from: string) =>
      api(origin, 'POST', '/session/token', { json: { email: owner.email, password }, from }).then((r) => r.code);
    const counts = await attack(
      cluster,
      (origin, i) => signInCode(origin, `wrong password ${i}`, ATTACKER),
      (origin) => signInCode(origin, OWNER_PASSWORD, OWNER),
      10,
    );
    report(`API sign-in (${dialect})`, counts, '0');
  }, 300_000);

  it('share password: 1,000 wrong passwords from one address', async () => {
    const shared = await api(cluster.nodes[0].origin, 'PUT', '/share', {
      json: { uri: 'cloudreve://my/laptop', password: 'sharepass1' },
      token: owner.token,
    });
    expect(shared.code, shared.msg).toBe(0);
    const key = /\/s\/([0-9A-Za-z]+)/.exec(shared.data as string)![1]!;
    // 0 and unlocked, 0 and locked (a wrong password), or the error code (429).
    const open = async (origin: string, password: string, from: string) => {
      const reply = await api(origin, 'GET', `/share/info/${key}?password=${password}`, { from });
      return reply.code === 0 ? ((reply.data as { unlocked: boolean }).unlocked ? 200 : 401) : reply.code;
    };
    const counts = await attack(
      cluster,
      (origin, i) => open(origin, `wrong${i}`, ATTACKER),
      (origin) => open(origin, 'sharepass1', OWNER),
      50,
    );
    report(`share password (${dialect})`, counts, '200');
  }, 300_000);
});
