import { sql } from 'kysely';
import type { Tx } from '../database.js';
import { MAX_TREE_DEPTH } from './entry-walks.js';

export interface StoragePolicy {
  readonly id: number;
  readonly name: string;
  readonly type: string;
  /** As stored: secrets sealed (services/policies opens them). */
  readonly settings: Record<string, unknown>;
}

/** What still refers to a policy: blobs stored in it and folders bound to it. */
export interface PolicyUsage {
  readonly blobs: number;
  readonly bytes: number;
  readonly folders: number;
}

export class PolicyRepository {
  async insert(tx: Tx, policy: { name: string; type: string; settings: Record<string, unknown>; now: number }): Promise<StoragePolicy> {
    const row = await tx
      .insertInto('storage_policies')
      .values({ name: policy.name, type: policy.type, settings: JSON.stringify(policy.settings), created_at: policy.now })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toPolicy(row);
  }

  async list(tx: Tx): Promise<StoragePolicy[]> {
    const rows = await tx.selectFrom('storage_policies').selectAll().orderBy('id').execute();
    return rows.map(toPolicy);
  }

  async byId(tx: Tx, id: number): Promise<StoragePolicy | null> {
    const row = await tx.selectFrom('storage_policies').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toPolicy(row) : null;
  }

  async byName(tx: Tx, name: string): Promise<StoragePolicy | null> {
    const row = await tx.selectFrom('storage_policies').selectAll().where('name', '=', name).executeTakeFirst();
    return row ? toPolicy(row) : null;
  }

  async update(tx: Tx, id: number, fields: { name?: string; settings?: Record<string, unknown> }): Promise<StoragePolicy | null> {
    const row = await tx
      .updateTable('storage_policies')
      .set({
        ...(fields.name !== undefined && { name: fields.name }),
        ...(fields.settings !== undefined && { settings: JSON.stringify(fields.settings) }),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row ? toPolicy(row) : null;
  }

  async delete(tx: Tx, id: number): Promise<boolean> {
    const result = await tx.deleteFrom('storage_policies').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  async usage(tx: Tx, id: number): Promise<PolicyUsage> {
    const blobs = await tx
      .selectFrom('blobs')
      .select([sql<number>`count(*)`.as('count'), sql<number>`coalesce(sum(size), 0)`.as('bytes')])
      .where('policy_id', '=', id)
      .executeTakeFirstOrThrow();
    const folders = await tx
      .selectFrom('folder_policies')
      .select(sql<number>`count(*)`.as('count'))
      .where('policy_id', '=', id)
      .executeTakeFirstOrThrow();
    return { blobs: Number(blobs.count), bytes: Number(blobs.bytes), folders: Number(folders.count) };
  }

  /** Binds a folder to a policy, replacing any binding it had. */
  async bindFolder(tx: Tx, entryId: number, policyId: number, now: number): Promise<void> {
    await tx
      .insertInto('folder_policies')
      .values({ entry_id: entryId, policy_id: policyId, created_at: now })
      .onConflict((c) => c.column('entry_id').doUpdateSet({ policy_id: policyId, created_at: now }))
      .execute();
  }

  async unbindFolder(tx: Tx, entryId: number): Promise<boolean> {
    const result = await tx.deleteFrom('folder_policies').where('entry_id', '=', entryId).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  /**
   * The policy of the nearest bound folder at or above `entryId`, and that folder, in one
   * bounded query; null when no folder up the tree is bound.
   */
  async nearestBinding(tx: Tx, entryId: number): Promise<{ policyId: number; folderId: number } | null> {
    const result = await sql<{ policy_id: number; entry_id: number }>`
      with recursive up(id, parent_id, depth) as (
        select id, parent_id, 0 from entries where id = ${entryId}
        union all
        select e.id, e.parent_id, up.depth + 1 from entries e join up on e.id = up.parent_id
        where up.depth < ${MAX_TREE_DEPTH}
      )
      select fp.policy_id, fp.entry_id from up join folder_policies fp on fp.entry_id = up.id
      order by up.depth limit 1`.execute(tx);
    const row = result.rows[0];
    return row ? { policyId: Number(row.policy_id), folderId: Number(row.entry_id) } : null;
  }

  /** The folders an owner bound, with their policies. */
  async bindingsOf(tx: Tx, ownerId: number): Promise<Array<{ entryId: number; policyId: number }>> {
    const rows = await tx
      .selectFrom('folder_policies')
      .innerJoin('entries', 'entries.id', 'folder_policies.entry_id')
      .select(['folder_policies.entry_id', 'folder_policies.policy_id'])
      .where('entries.owner_id', '=', ownerId)
      .orderBy('folder_policies.entry_id')
      .execute();
    return rows.map((row) => ({ entryId: Number(row.entry_id), policyId: Number(row.policy_id) }));
  }
}

function toPolicy(row: { id: number; name: string; type: string; settings: string }): StoragePolicy {
  return { id: Number(row.id), name: row.name, type: row.type, settings: JSON.parse(row.settings) as Record<string, unknown> };
}
