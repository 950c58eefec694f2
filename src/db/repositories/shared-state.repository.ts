import { sql } from 'kysely';
import type { Tx } from '../database.js';

/** Counters bumped with every change of a kind ('auth', 'settings'), read by every process. */
export class SharedVersionRepository {
  async all(tx: Tx): Promise<Map<string, number>> {
    const rows = await tx.selectFrom('shared_versions').select(['name', 'version']).execute();
    return new Map(rows.map((row) => [row.name, Number(row.version)]));
  }

  /** Call last in a transaction: the row stays locked (PostgreSQL) until the commit. */
  async bump(tx: Tx, name: string): Promise<void> {
    await tx
      .insertInto('shared_versions')
      .values({ name, version: 1 })
      .onConflict((c) => c.column('name').doUpdateSet({ version: sql`shared_versions.version + 1` }))
      .execute();
  }
}

export interface ThrottleRecord {
  readonly key: string;
  readonly failures: number;
  readonly windowEnds: number;
  readonly lastFailure: number;
}

/** Failed-attempt counters in fixed windows, one row per hashed key. */
export class ThrottleRepository {
  async live(tx: Tx, keys: readonly string[], now: number): Promise<ThrottleRecord[]> {
    if (keys.length === 0) return [];
    const rows = await tx
      .selectFrom('throttles')
      .select(['key', 'failures', 'window_ends', 'last_failure'])
      .where('key', 'in', keys)
      .where('window_ends', '>', now)
      .execute();
    return rows.map(toRecord);
  }

  /** One more failure of `key`: a window that has ended starts again at 1. */
  async fail(tx: Tx, failure: { key: string; windowMs: number; keepMs: number }, now: number): Promise<ThrottleRecord> {
    const ended = sql<boolean>`throttles.window_ends <= ${now}`;
    const row = await tx
      .insertInto('throttles')
      .values({
        key: failure.key,
        failures: 1,
        window_ends: now + failure.windowMs,
        last_failure: now,
        expires_at: now + failure.keepMs,
      })
      .onConflict((c) =>
        c.column('key').doUpdateSet({
          failures: sql`case when ${ended} then 1 else throttles.failures + 1 end`,
          window_ends: sql`case when ${ended} then ${now + failure.windowMs} else throttles.window_ends end`,
          last_failure: now,
          expires_at: sql`case when ${ended} then ${now + failure.keepMs} else throttles.expires_at end`,
        }),
      )
      .returning(['key', 'failures', 'window_ends', 'last_failure'])
      .executeTakeFirstOrThrow();
    return toRecord(row);
  }

  async clear(tx: Tx, key: string): Promise<void> {
    await tx.deleteFrom('throttles').where('key', '=', key).execute();
  }

  /** Deletes rows past their keep time; then, past `maxRows`, the rows that would expire first. How many went. */
  async sweep(tx: Tx, now: number, maxRows: number): Promise<number> {
    const expired = await tx.deleteFrom('throttles').where('expires_at', '<=', now).executeTakeFirst();
    let removed = Number(expired.numDeletedRows);
    const { count } = await tx
      .selectFrom('throttles')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    const excess = Number(count) - maxRows;
    if (excess > 0) {
      const oldest = tx.selectFrom('throttles').select('key').orderBy('expires_at').limit(excess);
      const trimmed = await tx.deleteFrom('throttles').where('key', 'in', oldest).executeTakeFirst();
      removed += Number(trimmed.numDeletedRows);
    }
    return removed;
  }

  async count(tx: Tx): Promise<number> {
    const { count } = await tx
      .selectFrom('throttles')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    return Number(count);
  }
}

function toRecord(row: { key: string; failures: number; window_ends: number; last_failure: number }): ThrottleRecord {
  return { key: row.key, failures: Number(row.failures), windowEnds: Number(row.window_ends), lastFailure: Number(row.last_failure) };
}
