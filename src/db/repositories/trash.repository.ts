import { sql } from 'kysely';
import type { Tx } from '../database.js';
import { MAX_TREE_DEPTH } from './entry-walks.js';

/** The top of a trashed subtree: the entry keeps its id and name, out of its owner's tree. */
export interface TrashRecord {
  readonly entryId: number;
  readonly ownerId: number;
  /** Names from the owner's root to where the entry was (its own name last). */
  readonly restorePath: string[];
  readonly trashedAt: number;
  /** The principal that deleted it (a lock holder or label: "dav:7", "user:3"). */
  readonly trashedBy: string;
}

/** A file a principal moved away from or deleted in a folder. */
export interface Departure {
  readonly parentId: number;
  readonly name: string;
  readonly entryId: number;
  readonly holder: string;
  readonly departedAt: number;
}

/** Rows of `trash` and `departures` (see the 20261207T1200_history migration). */
export class TrashRepository {
  async insert(tx: Tx, record: TrashRecord): Promise<void> {
    await tx
      .insertInto('trash')
      .values({
        entry_id: record.entryId,
        owner_id: record.ownerId,
        restore_path: JSON.stringify(record.restorePath),
        trashed_at: record.trashedAt,
        trashed_by: record.trashedBy,
      })
      .execute();
  }

  /** Takes a trashed top out of its owner's tree (its row stays, parent-less). */
  async takeOut(tx: Tx, entryId: number): Promise<void> {
    await tx.updateTable('entries').set({ parent_id: null }).where('id', '=', entryId).execute();
  }

  async byEntry(tx: Tx, entryId: number): Promise<TrashRecord | null> {
    const row = await tx.selectFrom('trash').selectAll().where('entry_id', '=', entryId).executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  /** Whether this statement deleted the row (a concurrent purge may have). */
  async delete(tx: Tx, entryId: number): Promise<boolean> {
    const result = await tx.deleteFrom('trash').where('entry_id', '=', entryId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** An owner's trash, newest first. */
  async ofOwner(tx: Tx, ownerId: number): Promise<TrashRecord[]> {
    const rows = await tx
      .selectFrom('trash')
      .selectAll()
      .where('owner_id', '=', ownerId)
      .orderBy('trashed_at', 'desc')
      .orderBy('entry_id', 'desc')
      .execute();
    return rows.map(toRecord);
  }

  /** Trash older than `before`, oldest first, of one owner or of everyone. */
  async olderThan(tx: Tx, before: number, limit: number, ownerId?: number): Promise<TrashRecord[]> {
    let query = tx.selectFrom('trash').selectAll().where('trashed_at', '<', before);
    if (ownerId !== undefined) query = query.where('owner_id', '=', ownerId);
    const rows = await query.orderBy('trashed_at').orderBy('entry_id').limit(limit).execute();
    return rows.map(toRecord);
  }

  /**
   * Whether an entry lies in a trashed subtree: the top of its tree is a trash row. One
   * bounded walk up (a view rooted in a trashed folder is refused).
   */
  async isTrashed(tx: Tx, entryId: number): Promise<boolean> {
    const result = await sql<{ trashed: number }>`
      with recursive up(id, parent_id, depth) as (
        select id, parent_id, 0 from entries where id = ${entryId}
        union all
        select e.id, e.parent_id, up.depth + 1 from entries e join up on e.id = up.parent_id
        where up.depth < ${MAX_TREE_DEPTH}
      )
      select count(*) as trashed from up join trash t on t.entry_id = up.id where up.parent_id is null`.execute(tx);
    return Number(result.rows[0]?.trashed ?? 0) > 0;
  }

  async recordDeparture(tx: Tx, departure: Departure): Promise<void> {
    // The window is short: rows older than it are of no use, and go here rather than in a job.
    await tx
      .deleteFrom('departures')
      .where('departed_at', '<', departure.departedAt - DEPARTURE_KEEP_MS)
      .execute();
    await tx
      .insertInto('departures')
      .values({
        parent_id: departure.parentId,
        name: departure.name,
        entry_id: departure.entryId,
        holder: departure.holder,
        departed_at: departure.departedAt,
      })
      .execute();
  }

  /** The latest file `holder` moved away from or deleted at (parent, name) since `since`. */
  async departureAt(tx: Tx, place: { parentId: number; name: string; holder: string; since: number }): Promise<Departure | null> {
    const row = await tx
      .selectFrom('departures')
      .selectAll()
      .where('parent_id', '=', place.parentId)
      .where('name', '=', place.name)
      .where('holder', '=', place.holder)
      .where('departed_at', '>=', place.since)
      .orderBy('departed_at', 'desc')
      .executeTakeFirst();
    return row
      ? {
          parentId: Number(row.parent_id),
          name: row.name,
          entryId: Number(row.entry_id),
          holder: row.holder,
          departedAt: Number(row.departed_at),
        }
      : null;
  }

  async forgetDepartures(tx: Tx, entryId: number): Promise<void> {
    await tx.deleteFrom('departures').where('entry_id', '=', entryId).execute();
  }
}

/** Departures older than this are pruned (the safe-save window itself is shorter). */
const DEPARTURE_KEEP_MS = 10 * 60_000;

function toRecord(row: { entry_id: number; owner_id: number; restore_path: string; trashed_at: number; trashed_by: string }): TrashRecord {
  return {
    entryId: Number(row.entry_id),
    ownerId: Number(row.owner_id),
    restorePath: JSON.parse(row.restore_path) as string[],
    trashedAt: Number(row.trashed_at),
    trashedBy: row.trashed_by,
  };
}
