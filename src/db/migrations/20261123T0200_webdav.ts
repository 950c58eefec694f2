import type { Kysely } from 'kysely';
import type { SqlDialectName } from '../dialect.js';

/** WebDAV: per-device accounts, dead properties and locks, all keyed by entry id. */
export function webdav(dialect: SqlDialectName) {
  const id = dialect === 'postgres' ? 'bigserial' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      let accounts = db.schema.createTable('dav_accounts');
      accounts =
        dialect === 'postgres'
          ? accounts.addColumn('id', id, (c) => c.primaryKey())
          : accounts.addColumn('id', id, (c) => c.primaryKey().autoIncrement());
      await accounts
        .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        // The first characters of the generated password, stored in clear to find the account
        // without running the KDF against every account of the user.
        .addColumn('key_id', 'text', (c) => c.notNull().unique())
        .addColumn('secret_hash', 'text', (c) => c.notNull())
        .addColumn('root_id', 'bigint', (c) => c.notNull().references('entries.id').onDelete('cascade'))
        .addColumn('read_only', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('expires_at', 'bigint')
        .addColumn('last_used_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('dav_accounts_user_name', ['user_id', 'name'])
        .execute();

      await db.schema
        .createTable('dead_properties')
        .addColumn('entry_id', 'bigint', (c) => c.notNull().references('entries.id').onDelete('cascade'))
        .addColumn('namespace', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('dead_properties_pk', ['entry_id', 'namespace', 'name'])
        .execute();

      await db.schema
        .createTable('locks')
        .addColumn('token', 'text', (c) => c.primaryKey())
        .addColumn('entry_id', 'bigint', (c) => c.notNull().references('entries.id').onDelete('cascade'))
        .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('depth', 'text', (c) => c.notNull())
        .addColumn('owner', 'text')
        .addColumn('timeout_seconds', 'integer', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('locks_entry').on('locks').columns(['entry_id', 'expires_at']).execute();
      // "Is any lock active at all?" runs on every write: an index range, not a scan.
      await db.schema.createIndex('locks_expiry').on('locks').column('expires_at').execute();
      // WebDAV clients (rclone's owncloud/nextcloud modes) compare SHA-1 checksums.
      await db.schema.alterTable('blobs').addColumn('sha1', 'text').execute();
    },

    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('blobs').dropColumn('sha1').execute();
      for (const table of ['locks', 'dead_properties', 'dav_accounts']) await db.schema.dropTable(table).execute();
    },
  };
}
