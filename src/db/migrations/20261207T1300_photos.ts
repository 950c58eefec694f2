import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { SqlDialectName } from '../dialect.js';

/**
 * Photo libraries (issue 12): a folder marked as a library, with an optional import folder,
 * acted on as the user who marked it; and the entries changed under it since its last run
 * (only these are processed: never a whole-tree rescan). A change row is bumped (`version`)
 * by each write, so a run removes only the marks it saw; `first_at` is the first change not
 * yet processed, from which the maximum deferral counts.
 */
export function photos(dialect: SqlDialectName) {
  const id = dialect === 'postgres' ? 'bigserial' : 'integer';
  const idOptions = (c: ColumnDefinitionBuilder) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement());
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('photo_libraries')
        .addColumn('id', id, idOptions)
        .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('root_id', 'bigint', (c) => c.notNull().unique().references('entries.id').onDelete('cascade'))
        .addColumn('import_id', 'bigint', (c) => c.references('entries.id').onDelete('set null'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('photo_changes')
        .addColumn('library_id', 'bigint', (c) => c.notNull().references('photo_libraries.id').onDelete('cascade'))
        .addColumn('entry_id', 'bigint', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('first_at', 'bigint', (c) => c.notNull())
        .addColumn('changed_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('photo_changes_pk', ['library_id', 'entry_id'])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('photo_changes').execute();
      await db.schema.dropTable('photo_libraries').execute();
    },
  };
}
