import type { Tx } from '../database.js';
import type { MediaTable } from '../schema.js';

export type MediaKind = 'image' | 'video' | 'pdf' | 'other';
export type ThumbState = 'ok' | 'none' | 'failed';

/** What is known of a photo or a video beyond its bytes. */
export interface MediaMetadata {
  /** Epoch milliseconds. */
  readonly takenAt: number | null;
  readonly cameraMake: string | null;
  readonly cameraModel: string | null;
  readonly lens: string | null;
  readonly latitude: number | null;
  readonly longitude: number | null;
  readonly width: number | null;
  readonly height: number | null;
  /** EXIF orientation, 1 to 8. */
  readonly orientation: number | null;
  readonly durationMs: number | null;
}

/** What the media indexer learnt about one content (one blob). */
export interface MediaRecord extends MediaMetadata {
  readonly blobId: string;
  readonly kind: MediaKind;
  readonly thumbState: ThumbState;
  readonly thumbBlobId: string | null;
  readonly thumbError: string | null;
  readonly indexedAt: number;
}

/** Rows of the `media` table, keyed by the content's blob (they go with it: on delete cascade). */
export class MediaRepository {
  async byBlob(tx: Tx, blobId: string): Promise<MediaRecord | null> {
    const row = await tx.selectFrom('media').selectAll().where('blob_id', '=', blobId).executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  /** Whether the content still exists (a row for a blob deleted meanwhile would break its foreign key). */
  async blobExists(tx: Tx, blobId: string): Promise<boolean> {
    return (await tx.selectFrom('blobs').select('id').where('id', '=', blobId).executeTakeFirst()) !== undefined;
  }

  /** Writes a content's row; the previous one (a re-index) is replaced and its thumbnail blob id returned. */
  async save(tx: Tx, record: MediaRecord): Promise<string | null> {
    const previous = await tx.selectFrom('media').select('thumb_blob_id').where('blob_id', '=', record.blobId).executeTakeFirst();
    const row = toRow(record);
    await tx
      .insertInto('media')
      .values(row)
      .onConflict((conflict) => conflict.column('blob_id').doUpdateSet(row))
      .execute();
    const old = previous?.thumb_blob_id ?? null;
    return old !== record.thumbBlobId ? old : null;
  }
}

function toRow(record: MediaRecord): MediaTable {
  return {
    blob_id: record.blobId,
    kind: record.kind,
    thumb_state: record.thumbState,
    thumb_blob_id: record.thumbBlobId,
    thumb_error: record.thumbError,
    taken_at: record.takenAt,
    camera_make: record.cameraMake,
    camera_model: record.cameraModel,
    lens: record.lens,
    latitude: record.latitude,
    longitude: record.longitude,
    width: record.width,
    height: record.height,
    orientation: record.orientation,
    duration_ms: record.durationMs,
    indexed_at: record.indexedAt,
  };
}

const numberOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

function toRecord(row: MediaTable): MediaRecord {
  return {
    blobId: row.blob_id,
    kind: row.kind as MediaKind,
    thumbState: row.thumb_state as ThumbState,
    thumbBlobId: row.thumb_blob_id,
    thumbError: row.thumb_error,
    takenAt: numberOrNull(row.taken_at),
    cameraMake: row.camera_make,
    cameraModel: row.camera_model,
    lens: row.lens,
    latitude: numberOrNull(row.latitude),
    longitude: numberOrNull(row.longitude),
    width: numberOrNull(row.width),
    height: numberOrNull(row.height),
    orientation: numberOrNull(row.orientation),
    durationMs: numberOrNull(row.duration_ms),
    indexedAt: Number(row.indexed_at),
  };
}
