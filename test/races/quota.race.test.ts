import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { QuotaExceededError, parsePath } from '../../src/core/index.js';
import { DIALECTS } from '../support/databases.js';
import { bodyOf, startTestApp, type TestApp } from '../support/app.js';
import { storageUsed } from '../support/inspect.js';
import { expectInvariants } from '../support/invariants.js';
import { expectOutcome, secondNode } from './race-support.js';

const p = parsePath;
const ROUNDS = 15;
const QUOTA = 1000;

/** Two changes that each fit the quota but not together: exactly one commits. */
describe.each(DIALECTS)('concurrent writes against a quota on %s', (dialect) => {
  let t: TestApp;
  let one: App;
  let two: App;

  beforeAll(async () => {
    // Both paths: small bodies kept inline in their row, larger ones in the backend.
    t = await startTestApp(dialect, { config: { storage: { inlineMaxBytes: 512 } } });
    one = t.app;
    two = await secondNode(t, dialect);
  });
  afterAll(() => t.close());

  it('two new files (PUT, or an overwrite that grows) never both fit', async () => {
    const me = (await t.newUser(undefined, { quota: QUOTA })).principal;
    for (let round = 0; round < ROUNDS; round++) {
      // Even rounds: 600-byte bodies go to the backend; odd rounds: 400-byte bodies stay
      // inline, above a 300-byte file. One fits, two do not.
      const size = round % 2 === 0 ? 600 : 400;
      if (round % 2 === 1) await one.vfs.write(me, p('/pad'), bodyOf('p'.repeat(300)));
      const grow = round % 3 === 0;
      if (grow) await one.vfs.write(me, p('/g'), bodyOf('x'));
      const target = (n: number) => (grow ? (n === 1 ? '/g' : '/h') : `/w${round}-${n}`);
      const results = await Promise.allSettled([
        one.vfs.write(me, p(target(1)), bodyOf('a'.repeat(size))),
        two.vfs.write(me, p(target(2)), bodyOf('b'.repeat(size))),
      ]);
      expectOutcome(results, 1, [QuotaExceededError], `round ${round}`);
      expect(await storageUsed(one, me.userId)).toBeLessThanOrEqual(QUOTA);
      for (const path of [target(1), target(2), '/g', '/pad']) await one.vfs.delete(me, p(path)).catch(() => undefined);
      expect(await storageUsed(one, me.userId)).toBe(0);
    }
    await expectInvariants(t.databaseUrl, { quiescent: true });
  });

  it('two copies of a file that fits once more never both fit', async () => {
    const me = (await t.newUser(undefined, { quota: QUOTA })).principal;
    await one.vfs.write(me, p('/base'), bodyOf('c'.repeat(400)));
    for (let round = 0; round < ROUNDS; round++) {
      const results = await Promise.allSettled([
        one.vfs.copy(me, p('/base'), p(`/copy${round}-1`)),
        two.vfs.copy(me, p('/base'), p(`/copy${round}-2`)),
      ]);
      expectOutcome(results, 1, [QuotaExceededError], `round ${round}`);
      expect(await storageUsed(one, me.userId)).toBe(800);
      for (const n of [1, 2]) await one.vfs.delete(me, p(`/copy${round}-${n}`)).catch(() => undefined);
    }
    await expectInvariants(t.databaseUrl, { quiescent: true });
  });
});
