import { afterAll, beforeAll, expect } from 'vitest';
import type { App } from '../../src/app.js';
import type { SqlDialectName } from '../../src/db/index.js';
import { startTestApp, type TestApp } from '../support/app.js';

/**
 * The second "node" of a race: another App with its own connection pool on PostgreSQL. On
 * SQLite the same App: two SQLite connections in one process would block each other's event
 * loop (the driver is synchronous), and one connection serialises transactions as BEGIN
 * IMMEDIATE does between processes.
 */
export async function secondNode(t: TestApp, dialect: SqlDialectName): Promise<App> {
  return dialect === 'postgres' ? t.reopen() : t.app;
}

/** Asserts how many of the racers won, and that every loser failed with one of `expected`. */
export function expectOutcome(
  results: ReadonlyArray<PromiseSettledResult<unknown>>,
  winners: number,
  expected: ReadonlyArray<abstract new (...args: never[]) => Error>,
  label: string,
): void {
  const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  for (const reason of lost)
    expect(
      expected.some((type) => reason instanceof type),
      `${label}: ${String(reason)}`,
    ).toBe(true);
  expect(results.length - lost.length, label).toBe(winners);
}

export interface RacingApps {
  readonly t: TestApp;
  readonly one: App;
  readonly two: App;
}

/** A test app and its second node for the tests of a describe block (started in beforeAll, closed in afterAll). */
export function useRacingApps(dialect: SqlDialectName, options: Parameters<typeof startTestApp>[1] = {}): RacingApps {
  const apps: { t?: TestApp; two?: App } = {};
  beforeAll(async () => {
    apps.t = await startTestApp(dialect, options);
    apps.two = await secondNode(apps.t, dialect);
  });
  afterAll(() => apps.t?.close());
  return {
    get t() {
      return apps.t!;
    },
    get one() {
      return apps.t!.app;
    },
    get two() {
      return apps.two!;
    },
  };
}
