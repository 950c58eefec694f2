import { appendFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { treeViolations } from './invariants.js';
import type { Reply } from './race-clients.js';
import type { TwoServers } from './two-servers.js';

/**
 * Runs a race many times and checks, after every round, what the clients saw against what
 * the database holds. Every round runs to its end and is judged, so a failure reports how
 * often the race is lost, not only that it can be.
 *
 * How many rounds: CUMULUS_RACE_ROUNDS (default 30), cut short once CUMULUS_RACE_BUDGET_SECONDS
 * (default 10) have passed and at least 5 rounds ran, so a loaded machine runs fewer rounds
 * rather than timing out. Nothing asserts on time. CUMULUS_RACE_REPORT names a file that gets
 * one JSON line per race with its counts.
 */
const ROUNDS = Number(process.env.CUMULUS_RACE_ROUNDS ?? 30);
const BUDGET_MS = Number(process.env.CUMULUS_RACE_BUDGET_SECONDS ?? 10) * 1000;
const MIN_ROUNDS = Math.min(5, ROUNDS);

/** A test's timeout that covers the rounds' budget with room to spare. */
export const RACE_TIMEOUT_MS = BUDGET_MS + 120_000;

/** What one round records: the answers the clients got and what was wrong with them. */
export class RoundLog {
  readonly problems: string[] = [];

  /** Records answers: a 5xx (but 507, over quota) is a problem whatever the race. Returns them for the round's own checks. */
  saw<T extends Reply[]>(...replies: T): T {
    for (const reply of replies) {
      if (reply.status >= 500 && reply.status !== 507)
        this.problems.push(`${reply.request} on ${reply.server} answered ${reply.status}: ${reply.text.slice(0, 300)}`);
    }
    return replies;
  }

  /** Records a problem unless `condition` holds. */
  check(condition: boolean, message: string): void {
    if (!condition) this.problems.push(message);
  }
}

/** Locks now in force that conflict: two on one entry where one is exclusive, or a depth-infinity lock above another with either exclusive. */
export async function lockViolations(database: Database, now = Date.now()): Promise<string[]> {
  const locks = await database.db
    .selectFrom('locks')
    .select(['token', 'entry_id', 'scope', 'depth'])
    .where('expires_at', '>', now)
    .execute();
  if (locks.length === 0) return [];
  const parents = new Map(
    (await database.db.selectFrom('entries').select(['id', 'parent_id']).execute()).map((e) => [
      Number(e.id),
      e.parent_id === null ? null : Number(e.parent_id),
    ]),
  );
  const byEntry = new Map<number, typeof locks>();
  for (const lock of locks) byEntry.set(Number(lock.entry_id), [...(byEntry.get(Number(lock.entry_id)) ?? []), lock]);
  const problems: string[] = [];
  for (const [entryId, held] of byEntry) {
    if (held.length > 1 && held.some((l) => l.scope === 'exclusive')) {
      problems.push(`entry #${entryId} holds ${held.length} locks, one of them exclusive (${held.map((l) => l.scope).join(', ')})`);
    }
    // Walk up (bounded: a damaged tree is reported by the tree checks, not hung on here).
    let above = parents.get(entryId) ?? null;
    for (let steps = 0; above !== null && steps < 1000; steps++, above = parents.get(above) ?? null) {
      for (const outer of byEntry.get(above) ?? []) {
        if (outer.depth !== 'infinity') continue;
        if (outer.scope === 'exclusive' || held.some((l) => l.scope === 'exclusive')) {
          problems.push(`entry #${entryId}'s lock conflicts with depth-infinity ${outer.scope} lock on #${above}`);
        }
      }
    }
  }
  return problems;
}

/** Every invariant the database must keep between rounds. */
export async function invariantViolations(servers: TwoServers): Promise<string[]> {
  return [...(await treeViolations(servers.database)), ...(await lockViolations(servers.database))];
}

/**
 * Runs `round` up to ROUNDS times and fails the test listing every round that went wrong.
 * Invariants already broken before a round are not charged to it again.
 */
export async function runRounds(servers: TwoServers, race: string, round: (index: number, log: RoundLog) => Promise<void>): Promise<void> {
  const started = Date.now();
  const logged = { A: servers.a.output().length, B: servers.b.output().length };
  const failures: string[] = [];
  let failedRounds = 0;
  let known = new Set((await invariantViolations(servers)).map(sameKind));
  let index = 0;
  for (; index < ROUNDS && (index < MIN_ROUNDS || Date.now() - started < BUDGET_MS); index++) {
    const log = new RoundLog();
    try {
      await round(index, log);
    } catch (error) {
      log.problems.push(`round threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
    const now = await invariantViolations(servers);
    const fresh = now.filter((problem) => !known.has(sameKind(problem)));
    known = new Set(now.map(sameKind));
    const problems = [...log.problems, ...fresh.map((problem) => `invariant: ${problem}`)];
    if (problems.length > 0) {
      failedRounds++;
      failures.push(...problems.map((problem) => `round ${index}: ${problem}`));
    }
  }
  const summary = { race, dialect: servers.dialect, rounds: index, failedRounds, seconds: Math.round((Date.now() - started) / 100) / 10 };
  if (process.env.CUMULUS_RACE_REPORT) appendFileSync(process.env.CUMULUS_RACE_REPORT, `${JSON.stringify(summary)}\n`);
  if (failures.length > 0) failures.push(...serverErrors(servers, logged));
  expect(failures, `${race} on ${servers.dialect}: ${failedRounds} of ${index} rounds went wrong`).toEqual([]);
}

/**
 * A violation as it stays from round to round: a usage mismatch by how far off it is, so that
 * a drift an earlier round caused is not charged again to each round that changes the usage.
 */
function sameKind(problem: string): string {
  const usage = /^user #(\d+) is charged (-?\d+) bytes but owns (-?\d+)$/.exec(problem);
  return usage ? `user #${usage[1]} is off by ${Number(usage[2]) - Number(usage[3])} bytes` : problem;
}

/** The distinct errors the processes logged (pino level 50 and up), so a failure shows what broke on the server. */
function serverErrors(servers: TwoServers, since: Record<'A' | 'B', number>): string[] {
  const seen = new Set<string>();
  for (const server of [servers.a, servers.b]) {
    for (const line of server.output().slice(since[server.name]).split('\n')) {
      if (!/"level":(?:5|6)0/.test(line)) continue;
      try {
        const entry = JSON.parse(line) as { msg?: string; err?: { message?: string } };
        seen.add(`server ${server.name} logged: ${entry.msg ?? ''} ${entry.err?.message ?? ''}`.trim());
      } catch {
        seen.add(`server ${server.name} logged: ${line.slice(0, 300)}`);
      }
    }
  }
  return [...seen].slice(0, 10);
}
