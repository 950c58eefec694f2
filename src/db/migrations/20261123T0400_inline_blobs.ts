import type { Kysely } from 'kysely';
import type { SqlDialectName } from '../dialect.js';

/**
 * Small blobs keep their bytes in the database row (`content`), written in the same
 * transaction that points an entry at them: a small upload costs one transaction instead
 * of a pending row, a file, two fsyncs and a second transaction. Their durability is the
 * database's, like every other change to the tree. Large blobs keep `content` null.
 */
export function inlineBlobs(dialect: SqlDialectName) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .alterTable('blobs')
        .addColumn('content', dialect === 'postgres' ? 'bytea' : 'blob')
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('blobs').dropColumn('content').execute();
    },
  };
}
