import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { ConflictError, NotFoundError, parsePath, type Principal } from '../../src/core/index.js';
import { DIALECTS } from '../support/databases.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectInvariants } from '../support/invariants.js';

const p = parsePath;
const ROUNDS = 40;

/**
 * Two app instances (two connection pools, as two nodes would have) race on one tree. SQLite
 * serialises writers; PostgreSQL is where a check-then-update without a lock goes wrong.
 */
describe.each(DIALECTS)('concurrent moves on %s', (dialect) => {
  let t: TestApp;
  let one: App;
  let two: App;
  let me: Principal;

  beforeAll(async () => {
    t = await startTestApp(dialect);
    one = t.app;
    // Two SQLite connections in one process would block each other's event loop (the driver
    // is synchronous); one connection serialises transactions as two processes would.
    two = dialect === 'postgres' ? await t.reopen() : one;
    me = (await t.newUser()).principal;
  });
  afterAll(() => t.close());

  it('crossing moves (/a into /b, /b into /a) never form a cycle', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      await one.vfs.mkdir(me, p(`/r${round}/a`), { parents: true });
      await one.vfs.mkdir(me, p(`/r${round}/b`));
      const results = await Promise.allSettled([
        one.vfs.move(me, p(`/r${round}/a`), p(`/r${round}/b/a`)),
        two.vfs.move(me, p(`/r${round}/b`), p(`/r${round}/a/b`)),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won.length, `round ${round}`).toBe(1);
      for (const r of results) {
        if (r.status === 'rejected')
          expect(
            [ConflictError, NotFoundError].some((type) => r.reason instanceof type),
            String(r.reason),
          ).toBe(true);
      }
      // Whatever happened, both folders are still in the tree.
      const listed = await one.vfs.summary(me, p(`/r${round}`));
      expect(listed.folders, `round ${round}`).toBe(3);
    }
    await expectInvariants(t.databaseUrl);
  });
});
