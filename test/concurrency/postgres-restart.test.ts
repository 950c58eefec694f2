// PostgreSQL going away under load and coming back (DESIGN.md "Errors and bad input"): two
// `cumulus serve` processes on a private cluster keep answering while it is down (503 with
// Retry-After, never another 5xx, never a hang), and serve again by themselves once it is
// back, with nothing half-written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { dav, must, type Reply } from '../support/race-clients.js';
import { invariantViolations } from '../support/race-rounds.js';
import { startTwoServers, type Account, type ServerProcess, type TwoServers } from '../support/two-servers.js';

describe('PostgreSQL restarting under load (two processes)', () => {
  let postgres: PostgresServer;
  let servers: TwoServers;
  beforeAll(async () => {
    postgres = await startPostgres();
    servers = await startTwoServers('postgres', { databaseUrl: postgres.url });
  });
  afterAll(async () => {
    await servers?.close();
    postgres?.stop();
  });

  /** Writes and reads on one process until `running()` turns false, recording every answer. */
  async function load(server: ServerProcess, user: Account, running: () => boolean, answers: Reply[]): Promise<void> {
    for (let index = 0; running() && index < 100_000; index++) {
      answers.push(await dav(server, user, 'PUT', `/load-${server.name}-${index}.txt`, { body: `${server.name} ${index}` }));
      answers.push(await dav(server, user, 'GET', '/before.txt'));
    }
  }

  /** Polls (a bounded number of times) until `probe` holds. */
  async function until(probe: () => boolean | Promise<boolean>, what: string): Promise<void> {
    for (let attempt = 0; attempt < 600; attempt++) {
      if (await probe()) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`gave up waiting until ${what}`);
  }

  it('answers 503 with Retry-After while the database is down and recovers by itself', async () => {
    const { a, b } = servers;
    const user = await servers.sharedAccount();
    await must(dav(a, user, 'PUT', '/before.txt', { body: 'before' }));
    await must(dav(b, user, 'GET', '/before.txt'));

    const answers: Reply[] = [];
    let running = true;
    const loads = [a, b].map((server) => load(server, user, () => running, answers));
    try {
      await until(() => answers.filter((r) => r.status === 201).length >= 10, 'the load is under way');

      postgres.pause();
      const down = answers.length;
      await until(() => answers.slice(down).filter((r) => r.status === 503).length >= 10, 'both processes answered 503 a few times');
      for (const server of [a, b]) {
        const refused = await dav(server, user, 'GET', '/before.txt');
        expect.soft(refused.status, `${server.name} while the database is down`).toBe(503);
        expect.soft(refused.headers.get('retry-after') ?? '(none)', `${server.name}: Retry-After`).toMatch(/^\d+$/);
      }

      postgres.resume();
      for (const server of [a, b]) {
        expect(server.alive(), `${server.name} died while the database was down:\n${server.output().slice(-3000)}`).toBe(true);
        await until(async () => (await dav(server, user, 'GET', '/before.txt')).status === 200, `${server.name} served again`);
      }
    } finally {
      // Stopped whatever happened, so no request is left running against servers that are closing.
      running = false;
      await Promise.allSettled(loads);
    }

    for (const server of [a, b]) {
      expect(server.alive(), `${server.name} died after the database came back:\n${server.output().slice(-3000)}`).toBe(true);
    }
    // Every answer was a success or a 503 that says when to retry; every write that succeeded is there.
    const unexpected = answers.filter((r) => r.status >= 500 && !(r.status === 503 && /^\d+$/.test(r.headers.get('retry-after') ?? '')));
    expect(unexpected.map((r) => `${r.request} on ${r.server}: ${r.status} ${r.text.slice(0, 200)}`)).toEqual([]);
    for (const written of answers.filter((r) => r.request.startsWith('PUT') && r.status === 201).slice(-20)) {
      const path = written.request.slice('PUT '.length);
      expect((await dav(a, user, 'GET', path)).status, path).toBe(200);
    }
    expect(await invariantViolations(servers)).toEqual([]);
  });
});
