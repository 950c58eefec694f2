import type { Kysely } from 'kysely';
import type { SqlDialectName } from '../dialect.js';

/**
 * What the media indexer learnt about one content (issue 12): its thumbnail and its metadata,
 * keyed by the blob of the content, so that a new content (an overwrite) gets its own row and
 * the row goes with the blob (on delete cascade). The thumbnail is an internal blob in the
 * default policy, charged to no one; gc keeps it while a row points at it and removes it after.
 */
export function media(_dialect: SqlDialectName) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('media')
        .addColumn('blob_id', 'text', (c) => c.primaryKey().references('blobs.id').onDelete('cascade'))
        // image, video, pdf, or other (nothing to index).
        .addColumn('kind', 'text', (c) => c.notNull())
        // ok (thumb_blob_id set), none (no thumbnail can exist: type or tool missing), failed (with thumb_error).
        .addColumn('thumb_state', 'text', (c) => c.notNull())
        .addColumn('thumb_blob_id', 'text')
        .addColumn('thumb_error', 'text')
        .addColumn('taken_at', 'bigint')
        .addColumn('camera_make', 'text')
        .addColumn('camera_model', 'text')
        .addColumn('lens', 'text')
        .addColumn('latitude', 'double precision')
        .addColumn('longitude', 'double precision')
        .addColumn('width', 'integer')
        .addColumn('height', 'integer')
        .addColumn('orientation', 'integer')
        .addColumn('duration_ms', 'bigint')
        .addColumn('indexed_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('media_thumb_blob').on('media').column('thumb_blob_id').execute();
      await db.schema.createIndex('media_taken_at').on('media').columns(['kind', 'taken_at']).execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('media').execute();
    },
  };
}
