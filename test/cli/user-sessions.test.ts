// `cumulus user passwd|disable|enable` change users through the same service call as the
// admin API, so they end the user's sessions in every running server process (two real ones
// here, on one database) within a second, and enabling never brings an ended session back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cumulus } from '../support/cli.js';
import { DIALECTS } from '../support/databases.js';
import { ADMIN, api, basic, send, signIn, startTwoServers, type TwoServers } from '../support/two-servers.js';

const MY = encodeURIComponent('cloudreve://my/');

/** Polls `probe` until it answers `expected`, for at most 30 s (the contract is one second; the room is for a loaded machine). */
async function eventually<T>(probe: () => Promise<T>, expected: T): Promise<T> {
  let last = await probe();
  for (let attempt = 0; attempt < 300 && last !== expected; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await probe();
  }
  return last;
}

describe.each(DIALECTS)('cumulus user passwd / disable / enable end sessions everywhere (%s)', (dialect) => {
  let cluster: TwoServers;
  const email = `cli-user-${dialect}@example.test`;
  let davPassword: string;

  beforeAll(async () => {
    cluster = await startTwoServers(dialect);
    const adminToken = await signIn(cluster.nodes[0].origin, ADMIN.email, ADMIN.password);
    const created = await api(cluster.nodes[0].origin, 'PUT', '/admin/user', {
      json: { email, password: 'first password' },
      token: adminToken,
    });
    expect(created.code, created.msg).toBe(0);
    const token = await signIn(cluster.nodes[1].origin, email, 'first password');
    const account = await api(cluster.nodes[1].origin, 'PUT', '/devices/dav', { json: { uri: 'cloudreve://my/dev', name: 'dev' }, token });
    davPassword = (account.data as { password: string }).password;
  }, 180_000);
  afterAll(async () => cluster?.close());

  const cli = (...args: string[]) => {
    const result = cumulus(['--data', cluster.dataDir, '--database-url', cluster.databaseUrl, '--json', 'user', ...args, '--email', email]);
    expect(result.status, result.stderr).toBe(0);
    return result;
  };
  /** Both nodes' answers to the token: 0 when it works, 401 when it does not. */
  const listing = (token: string) =>
    Promise.all(
      cluster.nodes.map((node) =>
        send(node.origin, { path: `/api/v4/file?uri=${MY}`, headers: { authorization: `Bearer ${token}` } }).then((r) => r.json().code),
      ),
    ).then((codes) => codes.join(','));
  const propfind = () =>
    Promise.all(
      cluster.nodes.map((node) =>
        send(node.origin, { method: 'PROPFIND', path: '/dav/', headers: { ...basic(email, davPassword), depth: '0' } }).then(
          (r) => r.status,
        ),
      ),
    ).then((codes) => codes.join(','));
  const refresh = async (origin: string, password: string) => {
    const pair = await api(origin, 'POST', '/session/token', { json: { email, password } });
    expect(pair.code, pair.msg).toBe(0);
    return (pair.data as { token: { access_token: string; refresh_token: string } }).token;
  };

  it('disable ends API sessions on both processes and refuses WebDAV; enable brings no session back', async () => {
    const [a, b] = [await refresh(cluster.nodes[0].origin, 'first password'), await refresh(cluster.nodes[1].origin, 'first password')];
    expect(await listing(a.access_token)).toBe('0,0');
    expect(await propfind()).toBe('207,207');

    cli('disable');
    expect(await eventually(() => listing(a.access_token), '401,401')).toBe('401,401');
    expect(await eventually(() => listing(b.access_token), '401,401')).toBe('401,401');
    expect(await eventually(propfind, '401,401')).toBe('401,401');
    expect((await api(cluster.nodes[0].origin, 'POST', '/session/token', { json: { email, password: 'first password' } })).code).not.toBe(
      0,
    );

    cli('enable');
    // WebDAV accounts are devices, not sessions: they work again...
    expect(await eventually(propfind, '207,207')).toBe('207,207');
    // ...but the sessions the disabling ended stay ended, access and refresh tokens alike.
    expect(await listing(a.access_token)).toBe('401,401');
    expect(await listing(b.access_token)).toBe('401,401');
    for (const node of cluster.nodes) {
      const again = await api(node.origin, 'POST', '/session/token/refresh', { json: { refresh_token: a.refresh_token } });
      expect(again.code).toBe(40020);
    }
    expect(await listing((await refresh(cluster.nodes[1].origin, 'first password')).access_token)).toBe('0,0');
  }, 180_000);

  it('passwd ends API sessions on both processes; the old password stops working, the new one works', async () => {
    const session = await refresh(cluster.nodes[0].origin, 'first password');
    expect(await listing(session.access_token)).toBe('0,0');
    cli('passwd', '--password', 'second password');
    expect(await eventually(() => listing(session.access_token), '401,401')).toBe('401,401');
    expect((await api(cluster.nodes[1].origin, 'POST', '/session/token', { json: { email, password: 'first password' } })).code).toBe(
      40080,
    );
    expect(await listing((await refresh(cluster.nodes[1].origin, 'second password')).access_token)).toBe('0,0');
  }, 180_000);
});
