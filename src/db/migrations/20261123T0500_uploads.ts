import type { Kysely } from 'kysely';
import type { SqlDialectName } from '../dialect.js';

/**
 * REST API upload sessions (Cloudreve V4 contract, section 15): the session and which of
 * its chunks are stored, in the database so that every node sees them (DESIGN.md decision
 * 6). The chunk bytes live in the data directory, under uploads/<session id>/.
 */
export function uploads(_dialect: SqlDialectName) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('upload_sessions')
        // A random UUID, the contract's session_id.
        .addColumn('id', 'text', (c) => c.primaryKey())
        // Who may send chunks: the user who opened the session.
        .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
        // Whose space the file goes to (an administrator may upload into another user's).
        .addColumn('owner_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('uri', 'text', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('chunk_size', 'bigint', (c) => c.notNull())
        // The client's last_modified, for the file's modification time; null means "when it completes".
        .addColumn('mtime', 'bigint')
        // The empty file standing in for a new file until it completes, and its etag when made:
        // no foreign key, the etag tells whether that entry is still the untouched placeholder.
        .addColumn('placeholder_id', 'bigint')
        .addColumn('placeholder_etag', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        // A lease: the node assembling the file renews it; a stale one may be taken over.
        .addColumn('committing_at', 'bigint')
        // Kept until expiry so that a chunk re-sent after completion is answered as done.
        .addColumn('completed_at', 'bigint')
        .execute();
      await db.schema.createIndex('upload_sessions_expiry').on('upload_sessions').column('expires_at').execute();
      await db.schema.createIndex('upload_sessions_placeholder').on('upload_sessions').column('placeholder_id').execute();
      await db.schema.createIndex('upload_sessions_user').on('upload_sessions').column('user_id').execute();
      await db.schema.createIndex('upload_sessions_owner').on('upload_sessions').column('owner_id').execute();

      await db.schema
        .createTable('upload_chunks')
        .addColumn('session_id', 'text', (c) => c.notNull().references('upload_sessions.id').onDelete('cascade'))
        .addColumn('chunk_index', 'integer', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('upload_chunks_pk', ['session_id', 'chunk_index'])
        .execute();
    },

    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('upload_chunks').execute();
      await db.schema.dropTable('upload_sessions').execute();
    },
  };
}
