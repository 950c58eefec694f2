import { sql, type Selectable } from 'kysely';
import type { Entry } from '../../core/index.js';
import type { Tx } from '../database.js';
import type { PhotoLibrariesTable } from '../schema.js';
import { toEntry, type EntryRow } from './entry-row.js';
import { MAX_TREE_DEPTH } from './entry-walks.js';
import type { MediaKind } from './media.repository.js';

/** A folder marked as a photo library (issue 12). */
export interface PhotoLibraryRecord {
  readonly id: number;
  /** The user the library's runs act as. */
  readonly userId: number;
  readonly rootId: number;
  readonly importId: number | null;
  readonly createdAt: number;
}

/** A mark on an entry changed under a library; a run removes it only if its version is unchanged. */
export interface PhotoChange {
  readonly entryId: number;
  readonly version: number;
}

/** A photo or video of a library's timeline: the file, and when it was taken (its mtime when unknown). */
export interface TimelineItem {
  readonly entry: Entry;
  readonly kind: MediaKind;
  readonly takenAt: number;
  readonly width: number | null;
  readonly height: number | null;
  readonly durationMs: number | null;
  readonly cameraMake: string | null;
  readonly cameraModel: string | null;
  readonly lens: string | null;
  readonly latitude: number | null;
  readonly longitude: number | null;
}

/** Rows of `photo_libraries` and `photo_changes`. */
export class PhotoLibraryRepository {
  async insert(tx: Tx, library: Omit<PhotoLibraryRecord, 'id'>): Promise<PhotoLibraryRecord> {
    const row = await tx
      .insertInto('photo_libraries')
      .values({ user_id: library.userId, root_id: library.rootId, import_id: library.importId, created_at: library.createdAt })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toLibrary(row);
  }

  async byId(tx: Tx, id: number): Promise<PhotoLibraryRecord | null> {
    const row = await tx.selectFrom('photo_libraries').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toLibrary(row) : null;
  }

  async byRoot(tx: Tx, rootId: number): Promise<PhotoLibraryRecord | null> {
    const row = await tx.selectFrom('photo_libraries').selectAll().where('root_id', '=', rootId).executeTakeFirst();
    return row ? toLibrary(row) : null;
  }

  /** Every library (few: one per user or mount at most in practice), or a user's. */
  async list(tx: Tx, userId?: number): Promise<PhotoLibraryRecord[]> {
    let query = tx.selectFrom('photo_libraries').selectAll().orderBy('id');
    if (userId !== undefined) query = query.where('user_id', '=', userId);
    return (await query.execute()).map(toLibrary);
  }

  async delete(tx: Tx, id: number): Promise<boolean> {
    await tx.deleteFrom('photo_changes').where('library_id', '=', id).execute();
    const result = await tx.deleteFrom('photo_libraries').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Marks entries changed; returns the time of the library's oldest unprocessed change. */
  async mark(tx: Tx, libraryId: number, entryIds: readonly number[], now: number): Promise<number> {
    for (const entryId of entryIds) {
      await tx
        .insertInto('photo_changes')
        .values({ library_id: libraryId, entry_id: entryId, version: 1, first_at: now, changed_at: now })
        .onConflict((conflict) =>
          conflict.columns(['library_id', 'entry_id']).doUpdateSet({ version: sql`photo_changes.version + 1`, changed_at: now }),
        )
        .execute();
    }
    const oldest = await tx
      .selectFrom('photo_changes')
      .select((eb) => eb.fn.min('first_at').as('first'))
      .where('library_id', '=', libraryId)
      .executeTakeFirst();
    return oldest?.first === null || oldest?.first === undefined ? now : Number(oldest.first);
  }

  async changes(tx: Tx, libraryId: number, limit: number): Promise<PhotoChange[]> {
    const rows = await tx
      .selectFrom('photo_changes')
      .select(['entry_id', 'version'])
      .where('library_id', '=', libraryId)
      .orderBy('entry_id')
      .limit(limit)
      .execute();
    return rows.map((row) => ({ entryId: Number(row.entry_id), version: Number(row.version) }));
  }

  /** Removes the marks a run processed, unless a write bumped them meanwhile. */
  async settle(tx: Tx, libraryId: number, done: readonly PhotoChange[]): Promise<void> {
    for (const change of done) {
      await tx
        .deleteFrom('photo_changes')
        .where('library_id', '=', libraryId)
        .where('entry_id', '=', change.entryId)
        .where('version', '=', change.version)
        .execute();
    }
  }

  /** Marks left for the next round count their deferral from now (else the cap would rerun them at once). */
  async defer(tx: Tx, libraryId: number, entryIds: readonly number[], now: number): Promise<void> {
    if (entryIds.length === 0) return;
    await tx
      .updateTable('photo_changes')
      .set({ first_at: now })
      .where('library_id', '=', libraryId)
      .where('entry_id', 'in', entryIds)
      .execute();
  }

  async pendingCount(tx: Tx, libraryId: number): Promise<number> {
    const row = await tx
      .selectFrom('photo_changes')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('library_id', '=', libraryId)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** Files (other than `exceptId`) whose content has this SHA-256: the candidates for a duplicate. */
  async sameContent(tx: Tx, sha256: string, exceptId: number): Promise<number[]> {
    const rows = await tx
      .selectFrom('entries as e')
      .innerJoin('blobs as b', 'b.id', 'e.blob_id')
      .select('e.id')
      .where('b.sha256', '=', sha256)
      .where('e.id', '<>', exceptId)
      .limit(100)
      .execute();
    return rows.map((row) => Number(row.id));
  }

  /** Ids of the files below a folder (a folder moved or copied in): at most `limit`. */
  async filesBelow(tx: Tx, folderId: number, limit: number): Promise<number[]> {
    const result = await sql<{ id: number }>`
      with recursive down(id, depth) as (
        select id, 0 from entries where id = ${folderId}
        union all
        select e.id, down.depth + 1 from entries e join down on e.parent_id = down.id
        where e.kind = 'folder' and down.depth < ${MAX_TREE_DEPTH}
      )
      select e.id from down join entries e on e.parent_id = down.id and e.kind = 'file' order by e.id limit ${limit}`.execute(tx);
    return result.rows.map((row) => Number(row.id));
  }

  /**
   * A page of the photos and videos below `rootId`, newest first (date taken, else mtime),
   * after the cursor `(takenAt, id)`. The walk down is bounded like every tree walk.
   */
  async timeline(tx: Tx, rootId: number, page: { limit: number; before?: { takenAt: number; id: number } }): Promise<TimelineItem[]> {
    const before = page.before;
    const result = await sql<EntryRow & Record<string, unknown>>`
      with recursive down(id, depth) as (
        select id, 0 from entries where id = ${rootId}
        union all
        select e.id, down.depth + 1 from entries e join down on e.parent_id = down.id
        where e.kind = 'folder' and down.depth < ${MAX_TREE_DEPTH}
      ),
      items as (
        select e.*, b.sha256, b.sha1, m.kind as media_kind, coalesce(m.taken_at, e.mtime) as taken,
          m.width as m_width, m.height as m_height, m.duration_ms as m_duration, m.camera_make as m_make,
          m.camera_model as m_model, m.lens as m_lens, m.latitude as m_lat, m.longitude as m_lon
        from down
        join entries e on e.parent_id = down.id and e.kind = 'file'
        join blobs b on b.id = e.blob_id
        join media m on m.blob_id = e.blob_id and m.kind in ('image', 'video')
      )
      select * from items
      ${before ? sql`where taken < ${before.takenAt} or (taken = ${before.takenAt} and id < ${before.id})` : sql``}
      order by taken desc, id desc
      limit ${page.limit}`.execute(tx);
    return result.rows.map((row) => ({
      entry: toEntry(row),
      kind: row.media_kind as MediaKind,
      takenAt: Number(row.taken),
      width: numberOrNull(row.m_width),
      height: numberOrNull(row.m_height),
      durationMs: numberOrNull(row.m_duration),
      cameraMake: (row.m_make as string | null) ?? null,
      cameraModel: (row.m_model as string | null) ?? null,
      lens: (row.m_lens as string | null) ?? null,
      latitude: numberOrNull(row.m_lat),
      longitude: numberOrNull(row.m_lon),
    }));
  }
}

function toLibrary(row: Selectable<PhotoLibrariesTable>): PhotoLibraryRecord {
  return {
    id: Number(row.id),
    userId: Number(row.user_id),
    rootId: Number(row.root_id),
    importId: row.import_id === null ? null : Number(row.import_id),
    createdAt: Number(row.created_at),
  };
}

const numberOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
