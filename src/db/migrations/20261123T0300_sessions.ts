import type { Kysely } from 'kysely';
import type { SqlDialectName } from '../dialect.js';

/**
 * API sign-ins: one row per refresh-token family (a login and every refresh after it). Only
 * the family's current refresh token may be used; presenting an older one is reuse and
 * revokes the family (and the access tokens it issued).
 */
export function sessions(_dialect: SqlDialectName) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('sessions')
        // The family id, `root_token_id` in the tokens: a random UUID.
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
        // `jti` of the one refresh token that may be used next.
        .addColumn('token_id', 'text', (c) => c.notNull())
        .addColumn('generation', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('user_agent', 'text')
        .addColumn('address', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('refreshed_at', 'bigint', (c) => c.notNull())
        // When the current refresh token expires; the row may go some time after.
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .addColumn('revoked_reason', 'text')
        .execute();
      await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();
      await db.schema.createIndex('sessions_expiry').on('sessions').column('expires_at').execute();
    },

    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('sessions').execute();
    },
  };
}
