import type { Kysely } from 'kysely';
import type { SqlDialectName } from '../dialect.js';

/**
 * Versions and trash (issue 12). A version is an old content of a file: it holds one reference
 * to its blob and its bytes stay charged to the owner. A trashed entry is the top of a subtree
 * taken out of its owner's tree (parent_id null), with where it came from; below it the rows
 * keep their ids. A departure remembers, for two minutes, which file a principal moved away
 * from or deleted in a folder, so that a save through a temporary name keeps the file's id.
 */
export function history(dialect: SqlDialectName) {
  const id = dialect === 'postgres' ? 'bigserial' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('file_versions')
        .addColumn('id', id, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('entry_id', 'bigint', (c) => c.notNull().references('entries.id').onDelete('cascade'))
        .addColumn('owner_id', 'bigint', (c) => c.notNull())
        .addColumn('blob_id', 'text', (c) => c.notNull().references('blobs.id'))
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('mtime', 'bigint', (c) => c.notNull())
        // When it stopped being the current content.
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('created_by', 'bigint')
        .execute();
      await db.schema.createIndex('file_versions_entry').on('file_versions').columns(['entry_id', 'created_at']).execute();
      await db.schema.createIndex('file_versions_blob').on('file_versions').column('blob_id').execute();
      await db.schema.createIndex('file_versions_owner').on('file_versions').columns(['owner_id', 'created_at']).execute();
      await db.schema
        .createTable('trash')
        .addColumn('entry_id', 'bigint', (c) => c.primaryKey().references('entries.id').onDelete('cascade'))
        .addColumn('owner_id', 'bigint', (c) => c.notNull())
        // JSON array of names from the owner's root to where the entry was.
        .addColumn('restore_path', 'text', (c) => c.notNull())
        .addColumn('trashed_at', 'bigint', (c) => c.notNull())
        .addColumn('trashed_by', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('trash_owner').on('trash').columns(['owner_id', 'trashed_at']).execute();
      await db.schema
        .createTable('departures')
        .addColumn('parent_id', 'bigint', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('entry_id', 'bigint', (c) => c.notNull().references('entries.id').onDelete('cascade'))
        .addColumn('holder', 'text', (c) => c.notNull())
        .addColumn('departed_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('departures_place').on('departures').columns(['parent_id', 'name', 'departed_at']).execute();
      await db.schema.createIndex('departures_entry').on('departures').column('entry_id').execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('departures').execute();
      await db.schema.dropTable('trash').execute();
      await db.schema.dropTable('file_versions').execute();
    },
  };
}
