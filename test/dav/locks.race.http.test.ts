// Concurrent LOCKs (and a LOCK racing a PUT) sent at the same moment to two servers that share
// one database, as two nodes behind a load balancer (DESIGN.md decision 6). RFC 4918 6.1: at
// most one exclusive lock per resource, never an exclusive lock beside a shared one, and a
// depth-infinity lock conflicts with every lock below it. Repeated, with the invariants checked
// after every round, on both databases (PostgreSQL's READ COMMITTED is where it bites).
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHttpServer } from '../../src/http/index.js';
import { DIALECTS } from '../support/databases.js';
import { davFetch, startDavServer, type DavServer } from '../support/dav-server.js';

const ROUNDS = 20;

const lockBody = (scope: 'exclusive' | 'shared') =>
  `<?xml version="1.0" encoding="utf-8"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:${scope}/></D:lockscope>` +
  `<D:locktype><D:write/></D:locktype><D:owner>race</D:owner></D:lockinfo>`;

describe.each(DIALECTS)('concurrent LOCKs on two servers sharing one %s database', (dialect) => {
  let first: DavServer;
  let second: DavServer;
  let secondHttp: FastifyInstance;

  beforeAll(async () => {
    first = await startDavServer(dialect);
    secondHttp = await buildHttpServer(await first.t.reopen());
    await secondHttp.listen({ host: '127.0.0.1', port: 0 });
    const origin = `http://127.0.0.1:${(secondHttp.server.address() as AddressInfo).port}`;
    second = { ...first, origin, url: `${origin}/dav/` };
  });
  afterAll(async () => {
    await secondHttp?.close();
    await first?.close();
  });

  const servers = () => [first, second, first, second];

  function lock(server: DavServer, path: string, scope: 'exclusive' | 'shared' = 'exclusive', depth = '0') {
    return davFetch(server, `/dav/${path}`, {
      method: 'LOCK',
      body: lockBody(scope),
      headers: { 'Content-Type': 'application/xml', Depth: depth, Timeout: 'Second-600' },
    });
  }
  async function put(server: DavServer, path: string, content: string, token?: string) {
    const headers: Record<string, string> = token ? { If: `(<${token}>)` } : {};
    return (await davFetch(server, `/dav/${path}`, { method: 'PUT', body: content, headers })).status;
  }
  async function activeLocks(): Promise<number> {
    const rows = await first.t.app.database.db.selectFrom('locks').select('token').where('expires_at', '>', Date.now()).execute();
    return rows.length;
  }
  async function clearLocks() {
    await first.t.app.database.db.deleteFrom('locks').execute();
  }
  /** Runs `round` ROUNDS times from a clean lock table and returns the rounds that broke an invariant. */
  async function repeat(round: (index: number) => Promise<string | null>): Promise<string[]> {
    const broken: string[] = [];
    for (let index = 0; index < ROUNDS; index++) {
      await clearLocks();
      const problem = await round(index);
      if (problem) broken.push(`round ${index}: ${problem}`);
    }
    return broken;
  }

  /** Reads the bodies and describes what broke, if anything: not exactly one lock granted, or another lock row. */
  async function oneGranted(responses: Response[]): Promise<string | null> {
    const statuses = responses.map((response) => response.status);
    for (const response of responses) await response.arrayBuffer();
    const granted = statuses.filter((status) => status === 200 || status === 201).length;
    const refused = statuses.filter((status) => status === 423).length;
    const rows = await activeLocks();
    return granted === 1 && refused === statuses.length - 1 && rows === 1 ? null : `statuses ${statuses.join(',')}, ${rows} lock rows`;
  }

  it('grants one of four exclusive LOCKs on one file, and its holder can save', async () => {
    const broken = await repeat(async (round) => {
      const path = `exclusive-${round}.txt`;
      expect(await put(first, path, 'before')).toBe(201);
      const responses = await Promise.all(servers().map((server) => lock(server, path)));
      const holder = responses.find((response) => response.status === 200);
      const problem = await oneGranted(responses);
      if (problem) return problem;
      const saved = await put(second, path, 'saved by the holder', holder!.headers.get('Lock-Token')!.replace(/^<|>$/g, ''));
      return saved === 204 ? null : `the holder's PUT answered ${saved}`;
    });
    expect(broken).toEqual([]);
  });

  it('never grants an exclusive LOCK beside a shared one', async () => {
    const broken = await repeat(async (round) => {
      const path = `mixed-${round}.txt`;
      expect(await put(first, path, 'before')).toBe(201);
      return oneGranted(await Promise.all([lock(first, path, 'exclusive'), lock(second, path, 'shared')]));
    });
    expect(broken).toEqual([]);
  });

  it("never grants a folder's depth-infinity LOCK beside a LOCK on a file below it", async () => {
    const broken = await repeat(async (round) => {
      const folder = `tree-${round}`;
      expect((await davFetch(first, `/dav/${folder}`, { method: 'MKCOL' })).status).toBe(201);
      expect(await put(first, `${folder}/inner.txt`, 'x')).toBe(201);
      return oneGranted(await Promise.all([lock(first, folder, 'exclusive', 'infinity'), lock(second, `${folder}/inner.txt`)]));
    });
    expect(broken).toEqual([]);
  });

  it('grants one of concurrent LOCKs on an unmapped URL (lock-null creation)', async () => {
    const broken = await repeat(async (round) =>
      oneGranted(await Promise.all(servers().map((server) => lock(server, `unmapped-${round}.txt`)))),
    );
    expect(broken).toEqual([]);
  });

  it.runIf(dialect === 'postgres')('never commits a PUT without the token after a racing LOCK was granted', async () => {
    // Commit order, recorded by deferred constraint triggers (they run at COMMIT, while the
    // transaction still holds its locks): a write of the file whose commit comes after the
    // lock's, by a PUT without the token, means the PUT wrote under someone else's lock.
    const client = new pg.Client({ connectionString: first.t.databaseUrl });
    await client.connect();
    try {
      await client.query(`
        create sequence audit_order;
        create table audit (seq bigint, what text);
        create function audit_commit() returns trigger language plpgsql as $$ begin
          insert into audit values (nextval('audit_order'), TG_ARGV[0]);
          return null; end $$;
        create constraint trigger audit_locks after insert on locks deferrable initially deferred
          for each row execute function audit_commit('lock');
        create constraint trigger audit_writes after update on entries deferrable initially deferred
          for each row execute function audit_commit('write');`);
      const broken = await repeat(async (round) => {
        // The lock is on the folder (depth infinity), the write on a file in it: no row both touch.
        const folder = `lock-put-${round}`;
        expect((await davFetch(first, `/dav/${folder}`, { method: 'MKCOL' })).status).toBe(201);
        expect(await put(first, `${folder}/file.txt`, 'before')).toBe(201);
        await client.query('delete from audit');
        const [locked, written] = await Promise.all([
          lock(first, folder, 'exclusive', 'infinity'),
          put(second, `${folder}/file.txt`, 'intruder'),
        ]);
        await locked.arrayBuffer();
        if (locked.status !== 200 || ![204, 423].includes(written)) return `LOCK answered ${locked.status}, PUT ${written}`;
        const { rows } = await client.query<{ what: string }>('select what from audit order by seq');
        const order = rows.map((row) => row.what);
        // A PUT that went through must have committed before the lock was granted.
        const late = written === 204 && order.lastIndexOf('write') > order.indexOf('lock');
        return late ? `the PUT answered ${written}; commits: ${order.join(' then ')}` : null;
      });
      expect(broken).toEqual([]);
    } finally {
      await client.end();
    }
  });
});
