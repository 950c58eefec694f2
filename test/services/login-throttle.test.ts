// The failed-password throttle on a real database (both kinds), with an injected clock: what
// waits and what never does, that a blocked flood costs no query, that IPv6 counts by /64,
// and that the table stays bounded.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginThrottle, throttleNetwork, type ThrottleLimits, type ThrottleStore } from '../../src/auth/index.js';
import { RateLimitedError } from '../../src/core/index.js';
import { ThrottleRepository } from '../../src/db/index.js';
import { DatabaseThrottleStore } from '../../src/services/index.js';
import { DIALECTS } from '../support/databases.js';
import { startTestApp, type TestApp } from '../support/app.js';

const LIMITS: ThrottleLimits = {
  perAddress: 30,
  perAccountAddress: 10,
  windowMs: 300_000,
  perAccount: 20,
  accountWindowMs: 3600_000,
  accountDelayMs: 2000,
  maxAccountDelayMs: 300_000,
};

describe('throttleNetwork', () => {
  it.each([
    ['192.0.2.7', '192.0.2.7'],
    ['::ffff:192.0.2.7', '192.0.2.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:DB8:1:2::9', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['[2001:db8:0:0:ffff::1]', '2001:db8:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
  ])('%s counts as %s', (address, network) => {
    expect(throttleNetwork(address)).toBe(network);
  });
});

describe.each(DIALECTS)('LoginThrottle on %s', (dialect) => {
  let t: TestApp;
  let now = 1_800_000_000_000;
  let counter = 0;
  beforeAll(async () => {
    t = await startTestApp(dialect);
  });
  afterAll(async () => t.close());

  /** A throttle over the real table, and how many queries it made. */
  function newThrottle(options: { maxRows?: number; sweepEveryFailures?: number } = {}) {
    const store = new DatabaseThrottleStore(t.app.database, new ThrottleRepository(), {
      clock: () => now,
      maxRows: options.maxRows ?? 100_000,
      sweepEveryFailures: options.sweepEveryFailures,
    });
    const queries = { reads: 0, writes: 0 };
    const counted: ThrottleStore = {
      read: (keys, at) => (queries.reads++, store.read(keys, at)),
      fail: (failures, at) => (queries.writes++, store.fail(failures, at)),
      clear: (key) => (queries.writes++, store.clear(key)),
    };
    return { throttle: new LoginThrottle(counted, randomBytes(32), LIMITS, () => now), store, queries };
  }
  const account = () => `someone${++counter}@example.test`;
  const refused = (attempt: Promise<unknown>) =>
    attempt.then(
      () => null,
      (error: unknown) => (error instanceof RateLimitedError ? error.retryAfterSeconds : Promise.reject(error)),
    );

  it('refuses an account from an address after 10 failures, from memory until the window ends; never the owner elsewhere', async () => {
    const { throttle, queries } = newThrottle();
    const victim = account();
    for (let i = 0; i < 10; i++) await (await throttle.attempt('dav', victim, '192.0.2.1')).failed();
    expect(await refused(throttle.attempt('dav', victim, '192.0.2.1'))).toBe(300);
    const before = { ...queries };
    for (let i = 0; i < 1000; i++) expect(await refused(throttle.attempt('dav', victim, '192.0.2.1'))).toBeGreaterThan(0);
    // A thousand refusals, not one query: the block is answered from memory.
    expect(queries).toEqual(before);
    // The owner, from an address that has not failed, is let through.
    const owner = await throttle.attempt('dav', victim, '198.51.100.9');
    await owner.succeeded();
    // The window over, the address may try again.
    now += LIMITS.windowMs + 1;
    expect(await refused(throttle.attempt('dav', victim, '192.0.2.1'))).toBeNull();
  });

  it('refuses an address after 30 failures on any accounts, the right password included', async () => {
    const { throttle } = newThrottle();
    for (let i = 0; i < 30; i++) await (await throttle.attempt('login', account(), '192.0.2.2')).failed();
    expect(await refused(throttle.attempt('login', account(), '192.0.2.2'))).toBeGreaterThan(0);
    // Another scope counts on its own.
    expect(await refused(throttle.attempt('share', account(), '192.0.2.2'))).toBeNull();
  });

  it('failures spread over many addresses make the addresses that failed wait a growing delay; a clean address never waits', async () => {
    const { throttle } = newThrottle();
    const victim = account();
    const addresses = Array.from({ length: 40 }, (_, i) => `203.0.113.${i + 1}`);
    for (const address of addresses.slice(0, 20)) await (await throttle.attempt('dav', victim, address)).failed();
    now += 1001; // past this process's one-second snapshot of the counts
    expect(await refused(throttle.attempt('dav', victim, addresses[0]!))).toBe(1);
    expect(await refused(throttle.attempt('dav', victim, '198.51.100.10'))).toBeNull();
    now += 1000;
    expect(await refused(throttle.attempt('dav', victim, addresses[0]!))).toBeNull();
    // Twenty more failures: the delay doubles.
    for (const address of addresses.slice(20)) await (await throttle.attempt('dav', victim, address)).failed();
    now += 1001;
    expect(await refused(throttle.attempt('dav', victim, addresses[0]!))).toBe(3);
    expect(await refused(throttle.attempt('dav', victim, '198.51.100.11'))).toBeNull();
  });

  it('counts IPv6 addresses by their /64', async () => {
    const { throttle } = newThrottle();
    const victim = account();
    for (let i = 0; i < 10; i++) await (await throttle.attempt('dav', victim, `2001:db8:5:6::${i + 1}`)).failed();
    expect(await refused(throttle.attempt('dav', victim, '2001:db8:5:6:ffff::1'))).toBeGreaterThan(0);
    expect(await refused(throttle.attempt('dav', victim, '2001:db8:5:7::1'))).toBeNull();
  });

  it('a right password clears its address’s failures on the account (a typo before it)', async () => {
    const { throttle } = newThrottle();
    const owner = account();
    for (let i = 0; i < 9; i++) await (await throttle.attempt('login', owner, '192.0.2.3')).failed();
    await (await throttle.attempt('login', owner, '192.0.2.3')).succeeded();
    for (let i = 0; i < 9; i++) await (await throttle.attempt('login', owner, '192.0.2.3')).failed();
    expect(await refused(throttle.attempt('login', owner, '192.0.2.3'))).toBeNull();
  });

  it('keeps the table bounded: at most maxRows plus three rows per failure between sweeps, and expired rows go', async () => {
    await t.app.database.transaction((tx) => tx.deleteFrom('throttles').execute());
    const maxRows = 30;
    const sweepEveryFailures = 10;
    const { throttle, store } = newThrottle({ maxRows, sweepEveryFailures });
    let most = 0;
    for (let i = 0; i < 300; i++) {
      await (await throttle.attempt('dav', account(), `10.${i >> 8}.${i & 255}.1`)).failed();
      most = Math.max(most, await store.count());
    }
    console.log(`throttle rows (${dialect}): at most ${most} while 300 failures from 300 addresses on 300 accounts (maxRows ${maxRows})`);
    expect(most).toBeLessThanOrEqual(maxRows + 3 * sweepEveryFailures);
    now += LIMITS.accountWindowMs + LIMITS.maxAccountDelayMs + 1;
    for (let i = 0; i < sweepEveryFailures; i++) await (await throttle.attempt('dav', account(), '10.255.255.1')).failed();
    // Only the rows of the failures after the sweep remain: everything older expired.
    expect(await store.count()).toBeLessThanOrEqual(3 * sweepEveryFailures);
  });
});
