import type { Kysely } from 'kysely';
import type { SqlDialectName } from '../dialect.js';

/**
 * The refresh token a rotation replaced, so that a client refreshing twice at once (OpenList
 * refreshes before each request, without a mutex) is not taken for a thief: within a short
 * grace period the replaced token gets a pair for the current one instead of ending the session.
 */
export function refreshGrace(_dialect: SqlDialectName) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('sessions').addColumn('previous_token_id', 'text').execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('sessions').dropColumn('previous_token_id').execute();
    },
  };
}
