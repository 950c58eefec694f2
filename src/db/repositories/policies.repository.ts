import type { Tx } from '../database.js';

export interface StoragePolicy {
  readonly id: number;
  readonly name: string;
  readonly type: string;
  readonly settings: Record<string, unknown>;
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
}

function toPolicy(row: { id: number; name: string; type: string; settings: string }): StoragePolicy {
  return { id: Number(row.id), name: row.name, type: row.type, settings: JSON.parse(row.settings) as Record<string, unknown> };
}
