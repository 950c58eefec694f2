import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, parsePath, type Principal } from '../../src/core/index.js';
import { DIALECTS } from '../support/databases.js';
import { expectInvariants } from '../support/invariants.js';
import { expectOutcome, useRacingApps } from './race-support.js';

const p = parsePath;
const ROUNDS = 40;

/**
 * Two app instances (two connection pools, as two nodes would have) race on one tree. SQLite
 * serialises writers; PostgreSQL is where a check-then-update without a lock goes wrong.
 */
describe.each(DIALECTS)('concurrent moves on %s', (dialect) => {
  const race = useRacingApps(dialect);
  let me: Principal;
  beforeAll(async () => {
    me = (await race.t.newUser()).principal;
  });

  it('crossing moves (/a into /b, /b into /a) never form a cycle', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      await race.one.vfs.mkdir(me, p(`/r${round}/a`), { parents: true });
      await race.one.vfs.mkdir(me, p(`/r${round}/b`));
      const results = await Promise.allSettled([
        race.one.vfs.move(me, p(`/r${round}/a`), p(`/r${round}/b/a`)),
        race.two.vfs.move(me, p(`/r${round}/b`), p(`/r${round}/a/b`)),
      ]);
      expectOutcome(results, 1, [ConflictError, NotFoundError], `round ${round}`);
      // Whatever happened, both folders are still in the tree.
      const listed = await race.one.vfs.summary(me, p(`/r${round}`));
      expect(listed.folders, `round ${round}`).toBe(3);
    }
    await expectInvariants(race.t.databaseUrl);
  });
});
