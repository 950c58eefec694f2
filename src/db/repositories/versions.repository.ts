import { sql } from 'kysely';
import type { Tx } from '../database.js';
import type { FileVersionsTable } from '../schema.js';
import { MAX_TREE_DEPTH } from './entry-walks.js';

/** An old content of a file: it holds one reference to its blob, and its bytes stay charged. */
export interface VersionRecord {
  readonly id: number;
  readonly entryId: number;
  readonly ownerId: number;
  readonly blobId: string;
  readonly size: number;
  readonly mtime: number;
  /** When it stopped being the file's content. */
  readonly createdAt: number;
  readonly createdBy: number | null;
}

export type NewVersion = Omit<VersionRecord, 'id'>;

/** Rows of `file_versions` (see the 20261207T1200_history migration). */
export class VersionRepository {
  async insert(tx: Tx, version: NewVersion): Promise<VersionRecord> {
    const row = await tx
      .insertInto('file_versions')
      .values({
        entry_id: version.entryId,
        owner_id: version.ownerId,
        blob_id: version.blobId,
        size: version.size,
        mtime: version.mtime,
        created_at: version.createdAt,
        created_by: version.createdBy,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { ...version, id: Number(row.id) };
  }

  /** A file's versions, newest first. */
  async ofEntry(tx: Tx, entryId: number): Promise<VersionRecord[]> {
    const rows = await tx
      .selectFrom('file_versions')
      .selectAll()
      .where('entry_id', '=', entryId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    return rows.map(toVersion);
  }

  async byId(tx: Tx, id: number): Promise<VersionRecord | null> {
    const row = await tx.selectFrom('file_versions').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toVersion(row) : null;
  }

  /** Deletes version rows; returns the ids this statement deleted (a concurrent delete may have taken some). */
  async delete(tx: Tx, ids: readonly number[]): Promise<Set<number>> {
    if (ids.length === 0) return new Set();
    const rows = await tx
      .deleteFrom('file_versions')
      .where('id', 'in', [...ids])
      .returning('id')
      .execute();
    return new Set(rows.map((row) => Number(row.id)));
  }

  /** Points every version of `fromEntryId` at `toEntryId` (a file that takes over another's history). */
  async reassign(tx: Tx, fromEntryId: number, toEntryId: number): Promise<void> {
    await tx.updateTable('file_versions').set({ entry_id: toEntryId }).where('entry_id', '=', fromEntryId).execute();
  }

  /** The versions of every file in a subtree (to release them before the rows go). */
  async inSubtree(tx: Tx, entryId: number): Promise<VersionRecord[]> {
    const result = await sql<Selectable>`
      with recursive sub(id, depth) as (
        select id, 0 from entries where id = ${entryId}
        union all
        select e.id, sub.depth + 1 from entries e join sub on e.parent_id = sub.id
        where sub.depth < ${MAX_TREE_DEPTH}
      )
      select v.* from file_versions v where v.entry_id in (select id from sub)`.execute(tx);
    return result.rows.map(toVersion);
  }

  /** An owner's versions, oldest first (quota pressure and retention). */
  async oldestOf(tx: Tx, ownerId: number, limit: number): Promise<VersionRecord[]> {
    const rows = await tx
      .selectFrom('file_versions')
      .selectAll()
      .where('owner_id', '=', ownerId)
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toVersion);
  }

  /** Files that have versions, for the retention job (keyset over entry ids). */
  async entriesWithVersions(tx: Tx, afterEntryId: number, limit: number): Promise<number[]> {
    const rows = await tx
      .selectFrom('file_versions')
      .select('entry_id')
      .distinct()
      .where('entry_id', '>', afterEntryId)
      .orderBy('entry_id')
      .limit(limit)
      .execute();
    return rows.map((row) => Number(row.entry_id));
  }
}

type Selectable = { [K in keyof FileVersionsTable]: K extends 'id' ? number : FileVersionsTable[K] };

function toVersion(row: Selectable): VersionRecord {
  return {
    id: Number(row.id),
    entryId: Number(row.entry_id),
    ownerId: Number(row.owner_id),
    blobId: row.blob_id,
    size: Number(row.size),
    mtime: Number(row.mtime),
    createdAt: Number(row.created_at),
    createdBy: row.created_by === null ? null : Number(row.created_by),
  };
}
