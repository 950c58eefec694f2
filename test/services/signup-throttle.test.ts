// The sign-up allowance (10 an hour per client address) lives in the shared `throttles` table:
// two app instances on one database (two workers or nodes) share it, sequentially and when
// their attempts race.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { RateLimitedError } from '../../src/core/index.js';
import { DIALECTS } from '../support/databases.js';
import { startTestApp, type TestApp } from '../support/app.js';

const PASSWORD = 'correct horse battery';

describe.each(DIALECTS)('sign-ups per address across app instances on %s', (dialect) => {
  let t: TestApp;
  let other: App;
  beforeAll(async () => {
    t = await startTestApp(dialect);
    other = await t.reopen();
  });
  afterAll(() => t?.close());

  let counter = 0;
  const signUp = (app: App, address: string) =>
    app.users.signUp({ email: `signup-${++counter}@example.test`, password: PASSWORD }, address);

  it('counts the attempts of both instances against one allowance of 10, other addresses unaffected', async () => {
    for (let i = 0; i < 10; i++) await signUp(i % 2 === 0 ? t.app : other, '203.0.113.7');
    for (const app of [t.app, other]) {
      const refused = await signUp(app, '203.0.113.7').catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(RateLimitedError);
      expect((refused as RateLimitedError).message).toMatch(/^Too many sign-ups from this address; try again in \d+ seconds$/);
    }
    await expect(signUp(other, '203.0.113.8')).resolves.toMatchObject({ email: expect.stringMatching(/@example\.test$/) });
  });

  // PostgreSQL: two SQLite instances racing writes on one file wait on its single writer instead.
  it.runIf(dialect === 'postgres')(
    'lets exactly 10 of 16 simultaneous attempts from one address through, split over both instances, in each of 3 rounds',
    async () => {
      for (let round = 0; round < 3; round++) {
        const address = `198.51.100.${round + 1}`;
        const outcomes = await Promise.allSettled(Array.from({ length: 16 }, (_, i) => signUp(i % 2 === 0 ? t.app : other, address)));
        const refused = outcomes.filter((o) => o.status === 'rejected');
        expect(
          outcomes.filter((o) => o.status === 'fulfilled'),
          `round ${round}`,
        ).toHaveLength(10);
        for (const o of refused) expect((o as PromiseRejectedResult).reason).toBeInstanceOf(RateLimitedError);
      }
    },
  );
});
