import type { Kysely } from 'kysely';
import type { SqlDialectName } from '../dialect.js';

/**
 * Locks belong to the principal that took them (DESIGN.md, security decisions): `holder` names
 * it ("dav:<account id>", "user:<user id>" for the API). Rows from before have none and stay
 * usable by any principal of their user until they expire. The index counts a user's locks
 * for the per-user limit.
 */
export function lockPrincipals(_dialect: SqlDialectName) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('locks').addColumn('holder', 'text').execute();
      await db.schema.createIndex('locks_user').on('locks').columns(['user_id', 'expires_at']).execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropIndex('locks_user').execute();
      await db.schema.alterTable('locks').dropColumn('holder').execute();
    },
  };
}
