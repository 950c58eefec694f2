import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { SqlDialectName } from '../dialect.js';

/**
 * Sync with external WebDAV servers (issue 13).
 *
 * - `sync_accounts`: a user's account on a remote server; the password sealed by the secret box
 *   (DESIGN.md: remote credentials are encrypted at rest). `any_address` is set for accounts the
 *   operator created through the CLI, which may reach private addresses.
 * - `sync_pairs`: a remote folder and a local folder kept in step, with direction, interval,
 *   what deletions do, excludes (JSON array of globs), the last run's outcome, and the claim of
 *   the run in progress (`run_token`, `run_until`).
 * - `sync_state`: per pair and path (the NFC form, the key), what both sides held when they
 *   last agreed: the remote's own spelling of the path, its ETag, size and mtime, and the local
 *   entry and ETag. `pending_op`/`pending_etag` journal a transfer in flight, so that a run
 *   killed between the transfer and this row's update recognises its own work on resume.
 */
export function sync(dialect: SqlDialectName) {
  const id = dialect === 'postgres' ? 'bigserial' : 'integer';
  const idOptions = (c: ColumnDefinitionBuilder) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement());
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('sync_accounts')
        .addColumn('id', id, idOptions)
        .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('username', 'text')
        .addColumn('password_sealed', 'text')
        .addColumn('any_address', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sync_accounts_user').on('sync_accounts').column('user_id').execute();
      await db.schema
        .createTable('sync_pairs')
        .addColumn('id', id, idOptions)
        .addColumn('account_id', 'bigint', (c) => c.notNull().references('sync_accounts.id').onDelete('cascade'))
        .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('remote_path', 'text', (c) => c.notNull())
        .addColumn('local_path', 'text', (c) => c.notNull())
        .addColumn('direction', 'text', (c) => c.notNull())
        .addColumn('deletes', 'text', (c) => c.notNull())
        .addColumn('interval_seconds', 'integer')
        .addColumn('excludes', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('paused', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_run_at', 'bigint')
        .addColumn('last_status', 'text')
        .addColumn('last_error', 'text')
        .addColumn('last_summary', 'text')
        // A run's claim on the pair (a token and until when): one run per pair across every process.
        .addColumn('run_token', 'text')
        .addColumn('run_until', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sync_pairs_user').on('sync_pairs').column('user_id').execute();
      await db.schema
        .createTable('sync_state')
        .addColumn('pair_id', 'bigint', (c) => c.notNull().references('sync_pairs.id').onDelete('cascade'))
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('remote_path', 'text', (c) => c.notNull())
        .addColumn('is_folder', 'integer', (c) => c.notNull())
        .addColumn('remote_etag', 'text')
        .addColumn('remote_size', 'bigint')
        .addColumn('remote_mtime', 'bigint')
        .addColumn('remote_seen', 'integer', (c) => c.notNull())
        .addColumn('local_entry_id', 'bigint')
        .addColumn('local_etag', 'text')
        .addColumn('local_seen', 'integer', (c) => c.notNull())
        .addColumn('pending_op', 'text')
        .addColumn('pending_etag', 'text')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('sync_state_pk', ['pair_id', 'path'])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('sync_state').execute();
      await db.schema.dropTable('sync_pairs').execute();
      await db.schema.dropTable('sync_accounts').execute();
    },
  };
}
