import { sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';
import type { SqlDialectName } from '../dialect.js';

/** The core schema: settings, storage policies, groups, users, blobs and the entry tree. */
export function initial(dialect: SqlDialectName) {
  const id = dialect === 'postgres' ? 'bigserial' : 'integer';
  const idOptions = (c: ColumnDefinitionBuilder) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement());
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('settings')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('storage_policies')
        .addColumn('id', id, idOptions)
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('settings', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('groups')
        .addColumn('id', id, idOptions)
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('permissions', 'text', (c) => c.notNull())
        .addColumn('max_storage', 'bigint')
        .addColumn('storage_policy_ids', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('built_in', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('users')
        .addColumn('id', id, idOptions)
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('group_id', 'bigint', (c) => c.notNull().references('groups.id'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('storage_used', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('root_id', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addCheckConstraint('users_storage_used_nonnegative', sql`storage_used >= 0`)
        .execute();

      await db.schema
        .createTable('blobs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('policy_id', 'bigint', (c) => c.notNull().references('storage_policies.id'))
        .addColumn('storage_key', 'text', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('sha256', 'text')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('ref_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('touched_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('blobs_state_touched').on('blobs').columns(['state', 'touched_at']).execute();

      await db.schema
        .createTable('entries')
        .addColumn('id', id, idOptions)
        .addColumn('parent_id', 'bigint', (c) => c.references('entries.id'))
        .addColumn('owner_id', 'bigint', (c) => c.notNull().references('users.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('blob_id', 'text', (c) => c.references('blobs.id'))
        .addColumn('mtime', 'bigint', (c) => c.notNull())
        .addColumn('ctime', 'bigint', (c) => c.notNull())
        .addColumn('etag', 'text', (c) => c.notNull())
        .addUniqueConstraint('entries_parent_name', ['parent_id', 'name'])
        .addCheckConstraint('entries_kind', sql`kind in ('file', 'folder')`)
        .execute();
      // Keyset paging by each sort order stays an index range scan in large folders.
      await db.schema.createIndex('entries_parent_size').on('entries').columns(['parent_id', 'size', 'id']).execute();
      await db.schema.createIndex('entries_parent_mtime').on('entries').columns(['parent_id', 'mtime', 'id']).execute();
      await db.schema.createIndex('entries_parent_ctime').on('entries').columns(['parent_id', 'ctime', 'id']).execute();
      await db.schema.createIndex('entries_blob').on('entries').column('blob_id').execute();
      await db.schema.createIndex('entries_owner').on('entries').column('owner_id').execute();
    },

    async down(db: Kysely<unknown>): Promise<void> {
      for (const table of ['entries', 'blobs', 'users', 'groups', 'storage_policies', 'settings']) {
        await db.schema.dropTable(table).execute();
      }
    },
  };
}
