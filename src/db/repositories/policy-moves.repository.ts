import { sql, type RawBuilder } from 'kysely';
import type { Tx } from '../database.js';
import { batchesOf } from './batches.js';
import { MAX_TREE_DEPTH } from './entry-walks.js';

/** Which files a `policy migrate` moves: not yet in `to`, optionally only from one policy, one owner, one folder's subtree. */
export interface MoveScope {
  readonly to: number;
  readonly from?: number;
  readonly ownerId?: number;
  readonly folderId?: number;
}

export interface MoveCandidate {
  readonly blobId: string;
  readonly size: number;
  readonly policyId: number;
}

/**
 * The queries of a storage-policy migration (issue 11): blobs used in the scope and still
 * elsewhere, and the switch of entries from an old blob to its copy. Each query walks the
 * folder's subtree (bounded) when the scope has one.
 */
export class PolicyMoveRepository {
  /** Up to `limit` blobs after `afterId` (by id) that files in the scope use and that are not in `to` yet. */
  async candidates(tx: Tx, scope: MoveScope, afterId: string, limit: number): Promise<MoveCandidate[]> {
    const result = await sql<{ id: string; size: number; policy_id: number }>`
      ${subtree(scope)} select b.id, b.size, b.policy_id from blobs b
      where ${blobConditions(scope)} and b.id > ${afterId}
      and exists (select 1 from entries e where e.blob_id = b.id and ${entryConditions(scope)})
      order by b.id limit ${limit}`.execute(tx);
    return result.rows.map((row) => ({ blobId: row.id, size: Number(row.size), policyId: Number(row.policy_id) }));
  }

  /** How many blobs and bytes the scope still has to move. */
  async totals(tx: Tx, scope: MoveScope): Promise<{ blobs: number; bytes: number }> {
    const result = await sql<{ blobs: number; bytes: number }>`
      ${subtree(scope)} select count(*) as blobs, coalesce(sum(b.size), 0) as bytes from blobs b
      where ${blobConditions(scope)}
      and exists (select 1 from entries e where e.blob_id = b.id and ${entryConditions(scope)})`.execute(tx);
    const row = result.rows[0];
    return { blobs: Number(row?.blobs ?? 0), bytes: Number(row?.bytes ?? 0) };
  }

  /** The files in the scope that point at `blobId` now, with their owners. */
  async users(tx: Tx, scope: MoveScope, blobId: string): Promise<Array<{ id: number; ownerId: number }>> {
    const result = await sql<{ id: number; owner_id: number }>`
      ${subtree(scope)} select e.id, e.owner_id from entries e where e.blob_id = ${blobId} and ${entryConditions(scope)}
      order by e.id`.execute(tx);
    return result.rows.map((row) => ({ id: Number(row.id), ownerId: Number(row.owner_id) }));
  }

  /** Points these entries at `to` where they still point at `from`; returns how many did. */
  async switchBlob(tx: Tx, entryIds: readonly number[], from: string, to: string): Promise<number> {
    let switched = 0;
    for (const batch of batchesOf([...entryIds])) {
      const result = await tx
        .updateTable('entries')
        .set({ blob_id: to })
        .where('id', 'in', batch)
        .where('blob_id', '=', from)
        .executeTakeFirst();
      switched += Number(result.numUpdatedRows);
    }
    return switched;
  }
}

function subtree(scope: MoveScope): RawBuilder<unknown> {
  if (scope.folderId === undefined) return sql``;
  return sql`with recursive down(id, depth) as (
      select id, 0 from entries where id = ${scope.folderId}
      union all
      select c.id, down.depth + 1 from entries c join down on c.parent_id = down.id where down.depth < ${MAX_TREE_DEPTH}
    )`;
}

function blobConditions(scope: MoveScope): RawBuilder<unknown> {
  const parts = [sql`b.state = 'ready'`, sql`b.policy_id <> ${scope.to}`];
  if (scope.from !== undefined) parts.push(sql`b.policy_id = ${scope.from}`);
  return sql.join(parts, sql` and `);
}

function entryConditions(scope: MoveScope): RawBuilder<unknown> {
  const parts = [sql`1 = 1`];
  if (scope.ownerId !== undefined) parts.push(sql`e.owner_id = ${scope.ownerId}`);
  if (scope.folderId !== undefined) parts.push(sql`e.id in (select id from down)`);
  return sql.join(parts, sql` and `);
}
