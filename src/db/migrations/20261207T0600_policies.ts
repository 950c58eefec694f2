import type { Kysely } from 'kysely';
import type { SqlDialectName } from '../dialect.js';

/**
 * Folders bound to a storage policy (issue 11): every new file below a bound folder goes to its
 * policy, the nearest binding up the tree winning. A binding goes with its folder; a policy
 * that a binding names cannot be deleted (the foreign key refuses it).
 */
export function policies(_dialect: SqlDialectName) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('folder_policies')
        .addColumn('entry_id', 'bigint', (c) => c.primaryKey().references('entries.id').onDelete('cascade'))
        .addColumn('policy_id', 'bigint', (c) => c.notNull().references('storage_policies.id'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('folder_policies_policy').on('folder_policies').column('policy_id').execute();
      await db.schema.createIndex('blobs_policy').on('blobs').column('policy_id').execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropIndex('blobs_policy').execute();
      await db.schema.dropTable('folder_policies').execute();
    },
  };
}
