import type { Kysely } from 'kysely';
import type { SqlDialectName } from '../dialect.js';

/**
 * State that every server process must agree on (DESIGN.md decision 6):
 *
 * - `shared_versions`: one counter per kind of change ('auth': credentials, accounts, groups,
 *   sessions; 'settings': server switches). A change bumps its counter in the same transaction;
 *   each process reads the counters at most once a second and drops what it cached under an
 *   older value, so a revocation reaches every process within a second.
 * - `throttles`: failed-attempt counters in fixed windows, one row per hashed key (an address,
 *   an account, an account from an address), so a guesser meets the same allowance on every
 *   process. Rows past their window are swept; the row count is capped.
 */
export function sharedState(_dialect: SqlDialectName) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('shared_versions')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('version', 'bigint', (c) => c.notNull().defaultTo(0))
        .execute();
      await db
        .insertInto('shared_versions' as never)
        .values([
          { name: 'auth', version: 0 },
          { name: 'settings', version: 0 },
        ] as never)
        .execute();
      await db.schema
        .createTable('throttles')
        // A hash of the key: the table holds no address or email in clear.
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('failures', 'integer', (c) => c.notNull())
        .addColumn('window_ends', 'bigint', (c) => c.notNull())
        .addColumn('last_failure', 'bigint', (c) => c.notNull())
        // When the row may be swept: the end of its window, or of the delay it imposes.
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('throttles_expiry').on('throttles').column('expires_at').execute();
    },

    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('throttles').execute();
      await db.schema.dropTable('shared_versions').execute();
    },
  };
}
