import { sql } from 'kysely';
import { TreeDamagedError } from '../../core/index.js';
import type { Tx } from '../database.js';

/**
 * The recursive walks over the entry tree, each bounded (DESIGN.md decision 1): a walk stops
 * at MAX_TREE_DEPTH levels, so a damaged tree (a parent cycle planted in the database, or a
 * lost parent) cannot hang a request or the connection it holds. A walk that reaches the
 * bound throws TreeDamagedError instead of answering from a truncated tree. Paths are at most
 * 256 names (core/names.ts); moves can nest deeper, but not by this much in any real tree.
 */
export const MAX_TREE_DEPTH = 4096;

export interface SubtreeSummary {
  readonly files: number;
  readonly folders: number;
  readonly size: number;
}

/** Counts and total file size below (and including) an entry. */
export async function summariseSubtree(tx: Tx, id: number): Promise<SubtreeSummary> {
  // The columns travel inside the recursion: a final join back to entries would make the
  // planner scan the whole table for a one-file subtree.
  const result = await sql<{ files: number | null; folders: number | null; size: number | null; depth: number | null }>`
    with recursive sub(id, kind, size, depth) as (
      select id, kind, size, 0 from entries where id = ${id}
      union all
      select e.id, e.kind, e.size, sub.depth + 1 from entries e join sub on e.parent_id = sub.id
      where sub.depth < ${MAX_TREE_DEPTH}
    )
    select
      sum(case when kind = 'file' then 1 else 0 end) as files,
      sum(case when kind = 'folder' then 1 else 0 end) as folders,
      sum(case when kind = 'file' then size else 0 end) as size,
      max(depth) as depth
    from sub`.execute(tx);
  const row = result.rows[0];
  assertWithinBound(id, row?.depth);
  return { files: Number(row?.files ?? 0), folders: Number(row?.folders ?? 0), size: Number(row?.size ?? 0) };
}

/** How many entries of the subtree point at each blob. */
export async function subtreeBlobReferences(tx: Tx, id: number): Promise<Map<string, number>> {
  const result = await sql<{ blob_id: string | null; refs: number; depth: number }>`
    with recursive sub(id, blob_id, depth) as (
      select id, blob_id, 0 from entries where id = ${id}
      union all
      select e.id, e.blob_id, sub.depth + 1 from entries e join sub on e.parent_id = sub.id
      where sub.depth < ${MAX_TREE_DEPTH}
    )
    select blob_id, count(*) as refs, max(depth) as depth from sub group by blob_id`.execute(tx);
  for (const row of result.rows) assertWithinBound(id, row.depth);
  return new Map(result.rows.flatMap((row) => (row.blob_id === null ? [] : [[row.blob_id, Number(row.refs)] as const])));
}

/**
 * Deletes an entry and everything below it in one statement. Children first is not needed:
 * the statement removes the whole set before the self-referencing foreign key is checked. A
 * walk cut by the bound leaves children behind, which that key then refuses: nothing is
 * half-deleted (callers summarise first, which reports the damage).
 */
export async function deleteSubtreeRows(tx: Tx, id: number): Promise<void> {
  await sql`
    delete from entries where id in (
      with recursive sub(id, depth) as (
        select id, 0 from entries where id = ${id}
        union all
        select e.id, sub.depth + 1 from entries e join sub on e.parent_id = sub.id
        where sub.depth < ${MAX_TREE_DEPTH}
      )
      select id from sub
    )`.execute(tx);
}

/**
 * An entry and its ancestors up to the top of its tree (the entry first), as ids and names, in
 * one query. A chain that does not end at a top-level entry (a cycle, or a parent that is gone)
 * is damage, not an answer.
 */
export async function ancestryOf(tx: Tx, id: number): Promise<Array<{ id: number; name: string }>> {
  const result = await sql<{ id: number; parent_id: number | null; name: string }>`
    with recursive up(id, parent_id, name, depth) as (
      select id, parent_id, name, 0 from entries where id = ${id}
      union all
      select e.id, e.parent_id, e.name, up.depth + 1 from entries e join up on e.id = up.parent_id
      where up.depth < ${MAX_TREE_DEPTH}
    )
    select id, parent_id, name from up order by depth`.execute(tx);
  const top = result.rows[result.rows.length - 1];
  if (top && top.parent_id !== null) throw new TreeDamagedError(id);
  return result.rows.map((row) => ({ id: Number(row.id), name: row.name }));
}

/** Throws when a walk from `id` went as deep as the bound allows. */
export function assertWithinBound(id: number, depth: number | null | undefined): void {
  if (depth !== null && depth !== undefined && Number(depth) >= MAX_TREE_DEPTH) throw new TreeDamagedError(id);
}

/** An entry that no walk down from a top-level entry reaches (for doctor). */
export interface CutOffEntry {
  readonly id: number;
  readonly parentId: number | null;
  readonly ownerId: number;
  readonly name: string;
  /** Whether the row its parent_id names exists at all. */
  readonly parentExists: boolean;
}

/**
 * Entries cut off from every root: on a parent cycle, below a parent that is gone (possible
 * only where the foreign key was not enforced), below either of those, or deeper than the bound.
 */
export async function cutOffEntries(tx: Tx): Promise<CutOffEntry[]> {
  const result = await sql<{ id: number; parent_id: number | null; owner_id: number; name: string; parent_exists: number }>`
    with recursive reach(id, depth) as (
      select id, 0 from entries where parent_id is null
      union all
      select e.id, reach.depth + 1 from entries e join reach on e.parent_id = reach.id
      where reach.depth < ${MAX_TREE_DEPTH}
    )
    select e.id, e.parent_id, e.owner_id, e.name,
      case when exists (select 1 from entries p where p.id = e.parent_id) then 1 else 0 end as parent_exists
    from entries e
    where e.id not in (select id from reach)
    order by e.id`.execute(tx);
  return result.rows.map((row) => ({
    id: Number(row.id),
    parentId: row.parent_id === null ? null : Number(row.parent_id),
    ownerId: Number(row.owner_id),
    name: row.name,
    parentExists: Number(row.parent_exists) === 1,
  }));
}

/** Top-level entries that are no user's root folder nor a trashed subtree's top (for doctor). */
export async function strayTopEntries(tx: Tx): Promise<Array<{ id: number; ownerId: number; name: string }>> {
  const result = await sql<{ id: number; owner_id: number; name: string }>`
    select e.id, e.owner_id, e.name from entries e
    where e.parent_id is null and e.mount_id is null and not exists (select 1 from users u where u.root_id = e.id)
      and not exists (select 1 from trash t where t.entry_id = e.id)
    order by e.id`.execute(tx);
  return result.rows.map((row) => ({ id: Number(row.id), ownerId: Number(row.owner_id), name: row.name }));
}
