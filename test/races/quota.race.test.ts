import { describe, expect, it } from 'vitest';
import { QuotaExceededError, parsePath } from '../../src/core/index.js';
import { DIALECTS } from '../support/databases.js';
import { bodyOf } from '../support/app.js';
import { storageUsed } from '../support/inspect.js';
import { expectInvariants } from '../support/invariants.js';
import { expectOutcome, useRacingApps } from './race-support.js';

const p = parsePath;
const ROUNDS = 15;
const QUOTA = 1000;

/** Two changes that each fit the quota but not together: exactly one commits. */
describe.each(DIALECTS)('concurrent writes against a quota on %s', (dialect) => {
  // The quota arithmetic of replacing and deleting alone: issue 12's trash and versions off.
  const race = useRacingApps(dialect, {
    config: { storage: { inlineMaxBytes: 512 }, trash: { retentionDays: 0 }, versions: { maxCount: 0 } },
  });

  it('two new files (PUT, or an overwrite that grows) never both fit', async () => {
    const me = (await race.t.newUser(undefined, { quota: QUOTA })).principal;
    for (let round = 0; round < ROUNDS; round++) {
      // Even rounds: 600-byte bodies go to the backend; odd rounds: 400-byte bodies stay
      // inline, above a 300-byte file. One fits, two do not.
      const size = round % 2 === 0 ? 600 : 400;
      if (round % 2 === 1) await race.one.vfs.write(me, p('/pad'), bodyOf('p'.repeat(300)));
      const grow = round % 3 === 0;
      if (grow) await race.one.vfs.write(me, p('/g'), bodyOf('x'));
      const target = (n: number) => (grow ? (n === 1 ? '/g' : '/h') : `/w${round}-${n}`);
      const results = await Promise.allSettled([
        race.one.vfs.write(me, p(target(1)), bodyOf('a'.repeat(size))),
        race.two.vfs.write(me, p(target(2)), bodyOf('b'.repeat(size))),
      ]);
      expectOutcome(results, 1, [QuotaExceededError], `round ${round}`);
      expect(await storageUsed(race.one, me.userId)).toBeLessThanOrEqual(QUOTA);
      for (const path of [target(1), target(2), '/g', '/pad']) await race.one.vfs.delete(me, p(path)).catch(() => undefined);
      expect(await storageUsed(race.one, me.userId)).toBe(0);
    }
    await expectInvariants(race.t.databaseUrl, { quiescent: true });
  });

  it('two copies of a file that fits once more never both fit', async () => {
    const me = (await race.t.newUser(undefined, { quota: QUOTA })).principal;
    await race.one.vfs.write(me, p('/base'), bodyOf('c'.repeat(400)));
    for (let round = 0; round < ROUNDS; round++) {
      const results = await Promise.allSettled([
        race.one.vfs.copy(me, p('/base'), p(`/copy${round}-1`)),
        race.two.vfs.copy(me, p('/base'), p(`/copy${round}-2`)),
      ]);
      expectOutcome(results, 1, [QuotaExceededError], `round ${round}`);
      expect(await storageUsed(race.one, me.userId)).toBe(800);
      for (const n of [1, 2]) await race.one.vfs.delete(me, p(`/copy${round}-${n}`)).catch(() => undefined);
    }
    await expectInvariants(race.t.databaseUrl, { quiescent: true });
  });
});
