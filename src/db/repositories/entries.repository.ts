import { sql } from 'kysely';
import type { Entry, EntryKind, SortDirection, SortField } from '../../core/index.js';
import type { Tx } from '../database.js';
import type { SqlDialectName } from '../dialect.js';
import { EntryNameTakenError } from '../errors.js';
import { batchesOf } from './batches.js';
import { touchAncestorRows } from './entry-etags.js';
import { toEntry, type EntryRow } from './entry-row.js';
import { searchEntries, type NameSearch } from './entry-search.js';
import {
  ancestryOf,
  assertWithinBound,
  cutOffEntries,
  strayTopEntries,
  type CutOffEntry,
  deleteSubtreeRows,
  subtreeBlobReferences,
  summariseSubtree,
  type SubtreeSummary,
} from './entry-walks.js';

export type { Bounds, NameSearch, MediaConditions } from './entry-search.js';
export { MAX_TREE_DEPTH, type CutOffEntry, type SubtreeSummary } from './entry-walks.js';

/** How a transaction holds its tree's lock: see EntryRepository.lockTree. */
export type TreeLockMode = 'shared' | 'exclusive';

/** The first key of PostgreSQL advisory locks on a whole tree (the second is the owner's id). */
const TREE_LOCK_CLASS = 0x7472_6565; // 'tree'
const ADVISORY_LOCK: Record<TreeLockMode, string> = { shared: 'pg_advisory_xact_lock_shared', exclusive: 'pg_advisory_xact_lock' };

const SORT_COLUMNS = { name: 'name', size: 'size', modified: 'mtime', created: 'ctime' } as const;

export interface ListPageQuery {
  readonly parentId: number;
  readonly sort: SortField;
  readonly direction: SortDirection;
  readonly foldersFirst: boolean;
  readonly limit: number;
  /** Position after which the page starts, from the previous page's last entry. */
  readonly after?: EntryCursor;
}

/** A keyset position: the last entry's folder rank, sort value and id. */
export interface EntryCursor {
  readonly rank: number;
  readonly value: string | number;
  readonly id: number;
}

export interface NewEntry {
  readonly parentId: number | null;
  readonly ownerId: number;
  readonly name: string;
  readonly kind: EntryKind;
  readonly size: number;
  readonly blobId: string | null;
  readonly mtime: number;
  readonly ctime: number;
  readonly etag: string;
}

/** The entry tree (DESIGN.md decision 1): every query here is one statement. */
export class EntryRepository {
  /**
   * Resolves `names` below `rootId` in one recursive query. Returns the chain of entries
   * from the root (index 0) as far as it resolves: a chain shorter than names.length + 1
   * means the next name is missing, or the last entry found is a file with names left over.
   */
  async resolveChain(tx: Tx, rootId: number, names: readonly string[]): Promise<Entry[]> {
    if (names.length === 0) {
      const root = await this.byId(tx, rootId);
      return root ? [root] : [];
    }
    const values = sql.join(names.map((name, i) => sql`(${sql.lit(i + 1)}, ${name})`));
    const result = await sql<EntryRow & { depth: number }>`
      with recursive wanted(depth, name) as (values ${values}),
      walk(depth, id) as (
        select 0, id from entries where id = ${rootId}
        union all
        -- A member's link to a shared folder continues below the mount's root (mounts migration).
        select walk.depth + 1, coalesce(e.link_to, e.id)
        from walk
        join wanted on wanted.depth = walk.depth + 1
        join entries e on e.parent_id = walk.id and e.name = wanted.name
      )
      select walk.depth, e.*, b.sha256, b.sha1
      from walk join entries e on e.id = walk.id left join blobs b on b.id = e.blob_id
      order by walk.depth`.execute(tx);
    return result.rows.map(toEntry);
  }

  async byId(tx: Tx, id: number): Promise<Entry | null> {
    const row = await this.selectEntries(tx).where('e.id', '=', id).executeTakeFirst();
    return row ? toEntry(row) : null;
  }

  async child(tx: Tx, parentId: number, name: string): Promise<Entry | null> {
    const row = await this.selectEntries(tx).where('e.parent_id', '=', parentId).where('e.name', '=', name).executeTakeFirst();
    return row ? toEntry(row) : null;
  }

  /** One page of a folder in keyset order; folders first when asked. */
  async listPage(tx: Tx, query: ListPageQuery): Promise<Entry[]> {
    const column = SORT_COLUMNS[query.sort];
    const rank = query.foldersFirst ? sql<number>`(case when e.kind = 'folder' then 0 else 1 end)` : sql<number>`0`;
    const descending = query.direction === 'desc';
    let select = this.selectEntries(tx).where('e.parent_id', '=', query.parentId);
    const after = query.after;
    if (after) {
      const beyond = descending ? sql.raw('<') : sql.raw('>');
      const col = sql.ref(`e.${column}`);
      select = select.where(
        query.foldersFirst
          ? sql<boolean>`(${rank} > ${after.rank} or (${rank} = ${after.rank} and (${col} ${beyond} ${after.value} or (${col} = ${after.value} and e.id ${beyond} ${after.id}))))`
          : // A row-value comparison is an index range scan in both engines: pages start at the cursor.
            sql<boolean>`(${col}, e.id) ${beyond} (${after.value}, ${after.id})`,
      );
    }
    if (query.foldersFirst) select = select.orderBy(rank, 'asc');
    const rows = await select
      .orderBy(`e.${column}`, descending ? 'desc' : 'asc')
      .orderBy('e.id', descending ? 'desc' : 'asc')
      .limit(query.limit)
      .execute();
    return rows.map(toEntry);
  }

  cursorOf(entry: Entry, sort: SortField, foldersFirst: boolean): EntryCursor {
    const rank = foldersFirst && entry.kind === 'file' ? 1 : 0;
    const value = sort === 'name' ? entry.name : sort === 'size' ? entry.size : sort === 'modified' ? entry.mtime : entry.ctime;
    return { rank, value, id: entry.id };
  }

  /** Inserts unless (parent, name) is taken; returns null when it is. */
  async insertIfAbsent(tx: Tx, entry: NewEntry): Promise<Entry | null> {
    const row = await tx
      .insertInto('entries')
      .values({
        parent_id: entry.parentId,
        owner_id: entry.ownerId,
        name: entry.name,
        kind: entry.kind,
        size: entry.size,
        blob_id: entry.blobId,
        mtime: entry.mtime,
        ctime: entry.ctime,
        etag: entry.etag,
      })
      .onConflict((c) => c.columns(['parent_id', 'name']).doNothing())
      .returningAll()
      .executeTakeFirst();
    // A new entry's content hashes are its blob's; callers that have them fill them in.
    return row ? toEntry({ ...row, sha256: null, sha1: null }) : null;
  }

  /** Takes the row lock on a child (PostgreSQL; SQLite's transaction already holds the file lock). */
  async lockChild(tx: Tx, parentId: number, name: string, dialect: 'sqlite' | 'postgres'): Promise<Entry | null> {
    if (dialect === 'postgres') {
      await sql`select id from entries where parent_id = ${parentId} and name = ${name} for update`.execute(tx);
    }
    return this.child(tx, parentId, name);
  }

  /**
   * Serialises, on PostgreSQL, the transactions that change the shape of the tree holding
   * `entryId` until the caller's transaction ends: their checks (not into itself, what a
   * subtree holds) and their updates must see one consistent tree, or two crossing moves both
   * pass and form a cycle, and a delete sizes up a subtree that a move or a write then changes
   * (usage drifts, a blob keeps a reference). Folder moves, copies and every delete take it
   * `exclusive`; writes that only add or replace one entry take it `shared`, so they never
   * wait for each other. Keyed by the tree's owner, so other users never wait. Taken before
   * any other lock (rows, lock decisions) so that no two transactions wait on each other in
   * opposite orders. SQLite's BEGIN IMMEDIATE already serialises every writer.
   */
  async lockTree(tx: Tx, entryId: number, dialect: SqlDialectName, mode: TreeLockMode = 'exclusive'): Promise<void> {
    if (dialect !== 'postgres') return;
    await sql`select ${sql.raw(ADVISORY_LOCK[mode])}(${TREE_LOCK_CLASS}, cast(owner_id as integer)) from entries where id = ${entryId}`.execute(
      tx,
    );
  }

  /** The same lock, by the owner's id (see lockTree). */
  async lockOwnerTree(tx: Tx, ownerId: number, dialect: SqlDialectName, mode: TreeLockMode): Promise<void> {
    if (dialect !== 'postgres') return;
    await sql`select ${sql.raw(ADVISORY_LOCK[mode])}(${TREE_LOCK_CLASS}, ${ownerId}::int)`.execute(tx);
  }

  async setContent(tx: Tx, id: number, content: { size: number; blobId: string; mtime: number; etag: string }): Promise<void> {
    await tx
      .updateTable('entries')
      .set({ size: content.size, blob_id: content.blobId, mtime: content.mtime, etag: content.etag })
      .where('id', '=', id)
      .execute();
  }

  /** Unlinks an entry from its blob without touching reference counts (the caller moved the reference). */
  async detachBlob(tx: Tx, id: number): Promise<void> {
    await tx.updateTable('entries').set({ blob_id: null, size: 0 }).where('id', '=', id).execute();
  }

  async setMtime(tx: Tx, id: number, mtime: number): Promise<void> {
    await tx.updateTable('entries').set({ mtime }).where('id', '=', id).execute();
  }

  /** New ETag for these folders and all above them; see entry-etags.ts. */
  touchAncestors(tx: Tx, folderIds: readonly number[], etag: string, dialect: SqlDialectName): Promise<void> {
    return touchAncestorRows(tx, folderIds, etag, dialect);
  }

  /** MOVE and rename: one row. */
  async relocate(tx: Tx, id: number, parentId: number, name: string): Promise<void> {
    await tx.updateTable('entries').set({ parent_id: parentId, name }).where('id', '=', id).execute();
  }

  /** Counts and total file size below (and including) an entry; see entry-walks.ts. */
  summarise(tx: Tx, id: number): Promise<SubtreeSummary> {
    return summariseSubtree(tx, id);
  }

  /** How many entries of the subtree point at each blob. */
  blobReferences(tx: Tx, id: number): Promise<Map<string, number>> {
    return subtreeBlobReferences(tx, id);
  }

  /** Deletes an entry and everything below it in one statement. */
  deleteSubtree(tx: Tx, id: number): Promise<void> {
    return deleteSubtreeRows(tx, id);
  }

  /**
   * Copies a subtree under `parentId` as `name`, level by level: one insert per level per
   * batch, so the cost is in rows, never in bytes (blobs are shared).
   */
  async copySubtree(
    tx: Tx,
    sourceId: number,
    target: { parentId: number; name: string; ownerId: number; now: number; etagOf: (entry: Entry) => string },
  ): Promise<{ top: Entry; idMap: Map<number, number> }> {
    const source = await this.byId(tx, sourceId);
    if (!source) throw new Error(`Entry ${sourceId} vanished during copy`);
    const top = await this.insertIfAbsent(tx, {
      parentId: target.parentId,
      ownerId: target.ownerId,
      name: target.name,
      kind: source.kind,
      size: source.size,
      blobId: source.blobId,
      mtime: source.mtime,
      ctime: target.now,
      etag: target.etagOf(source),
    });
    if (!top) throw new EntryNameTakenError(`${target.name} was created at the same moment as this copy`);
    const idMap = new Map<number, number>([[source.id, top.id]]);
    let level = new Map<number, number>([[source.id, top.id]]);
    for (let depth = 1; level.size > 0; depth++) {
      assertWithinBound(sourceId, depth);
      const next = new Map<number, number>();
      const sourceParents = [...level.keys()];
      for (const batch of batchesOf(sourceParents)) {
        const children = await tx.selectFrom('entries').selectAll().where('parent_id', 'in', batch).orderBy('id').execute();
        for (const slice of batchesOf(children)) {
          const inserted = await tx
            .insertInto('entries')
            .values(
              slice.map((child) => ({
                parent_id: level.get(child.parent_id!)!,
                owner_id: target.ownerId,
                name: child.name,
                kind: child.kind,
                size: child.size,
                blob_id: child.blob_id,
                mtime: child.mtime,
                ctime: target.now,
                etag: child.etag,
              })),
            )
            .returning(['id', 'parent_id', 'name'])
            .execute();
          const newIdByKey = new Map(inserted.map((row) => [`${row.parent_id}/${row.name}`, Number(row.id)]));
          for (const child of slice) {
            const newId = newIdByKey.get(`${level.get(child.parent_id!)}/${child.name}`);
            if (newId === undefined) continue;
            idMap.set(Number(child.id), newId);
            if (child.kind === 'folder') next.set(Number(child.id), newId);
          }
        }
      }
      level = next;
    }
    return { top: { ...top, sha256: source.sha256, sha1: source.sha1 }, idMap };
  }

  /** Every entry pointing at a blob, for doctor. */
  async *allFiles(tx: Tx, batchSize = 1000): AsyncIterable<Entry> {
    let afterId = 0;
    for (;;) {
      const rows = await this.selectEntries(tx)
        .where('e.kind', '=', 'file')
        .where('e.id', '>', afterId)
        .orderBy('e.id')
        .limit(batchSize)
        .execute();
      for (const row of rows) yield toEntry(row);
      if (rows.length < batchSize) return;
      afterId = rows[rows.length - 1]!.id;
    }
  }

  async countAll(tx: Tx): Promise<number> {
    const row = await tx
      .selectFrom('entries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** An entry and its ancestors up to the top of its tree (the entry first), as ids and names, in one query. */
  ancestry(tx: Tx, id: number): Promise<Array<{ id: number; name: string }>> {
    return ancestryOf(tx, id);
  }

  /** The link in `folderId` to a shared folder's top `rootId`, if there is one (see the mounts migration). */
  async linkTo(tx: Tx, folderId: number, rootId: number): Promise<{ id: number; name: string } | null> {
    const row = await tx
      .selectFrom('entries')
      .select(['id', 'name'])
      .where('parent_id', '=', folderId)
      .where('link_to', '=', rootId)
      .executeTakeFirst();
    return row ? { id: Number(row.id), name: row.name } : null;
  }

  /** Entries cut off from every root (cycles, lost parents), for doctor; see entry-walks.ts. */
  cutOff(tx: Tx): Promise<CutOffEntry[]> {
    return cutOffEntries(tx);
  }

  /** Top-level entries that are no user's root, for doctor. */
  strayTops(tx: Tx): Promise<Array<{ id: number; ownerId: number; name: string }>> {
    return strayTopEntries(tx);
  }

  /** One page of the entries below a folder that match a search; see entry-search.ts. */
  search(tx: Tx, query: NameSearch, dialect: 'sqlite' | 'postgres'): Promise<Array<{ entry: Entry; names: string[] }>> {
    return searchEntries(tx, query, dialect);
  }

  private selectEntries(tx: Tx) {
    return tx.selectFrom('entries as e').leftJoin('blobs as b', 'b.id', 'e.blob_id').selectAll('e').select(['b.sha256', 'b.sha1']);
  }
}
