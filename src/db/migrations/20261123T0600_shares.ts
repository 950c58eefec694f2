import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { SqlDialectName } from '../dialect.js';

/**
 * Share links (Cloudreve V4 contract, section 17). A share points at its entry by id, so a
 * rename or move keeps the link; deleting the entry deletes its shares with it (cascade), and
 * the link then answers "not found".
 */
export function shares(dialect: SqlDialectName) {
  const id = dialect === 'postgres' ? 'bigserial' : 'integer';
  const idOptions = (c: ColumnDefinitionBuilder) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement());
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('shares')
        .addColumn('id', id, idOptions)
        // What links and share URIs name (/s/{key}, cloudreve://{key}@share): random, so that
        // a share cannot be found by counting; the id stays inside the server.
        .addColumn('link_key', 'text', (c) => c.notNull())
        .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('entry_id', 'bigint', (c) => c.notNull().references('entries.id').onDelete('cascade'))
        // In clear: the owner sees it again and it is part of the link they hand out (as in Cloudreve).
        .addColumn('password', 'text')
        .addColumn('expires_at', 'bigint')
        // Downloads left before the link stops working; null for no limit.
        .addColumn('remaining_downloads', 'integer')
        .addColumn('downloads', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('views', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('share_view', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('show_readme', 'integer', (c) => c.notNull().defaultTo(0))
        // Bumped by every edit: download URLs signed for an earlier revision stop working.
        .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      // "My shares" pages by id; the entry index serves the cascade when an entry is deleted.
      await db.schema.createIndex('shares_user').on('shares').columns(['user_id', 'id']).execute();
      await db.schema.createIndex('shares_entry').on('shares').column('entry_id').execute();
      await db.schema.createIndex('shares_link_key').on('shares').column('link_key').unique().execute();
    },

    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('shares').execute();
    },
  };
}
