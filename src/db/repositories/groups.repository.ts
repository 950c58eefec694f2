import { sql, type Selectable } from 'kysely';
import type { Group, GroupPermissions } from '../../core/index.js';
import type { Tx } from '../database.js';
import type { GroupsTable } from '../schema.js';

export interface GroupFields {
  readonly name: string;
  readonly permissions: GroupPermissions;
  readonly maxStorage: number | null;
  readonly storagePolicyIds: readonly number[];
}

export class GroupRepository {
  async insert(tx: Tx, group: GroupFields & { builtIn: boolean; now: number }): Promise<Group> {
    const row = await tx
      .insertInto('groups')
      .values({
        name: group.name,
        permissions: JSON.stringify(group.permissions),
        max_storage: group.maxStorage,
        storage_policy_ids: JSON.stringify(group.storagePolicyIds),
        built_in: group.builtIn ? 1 : 0,
        created_at: group.now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toGroup(row);
  }

  async update(tx: Tx, id: number, fields: Partial<GroupFields>): Promise<Group | null> {
    const row = await tx
      .updateTable('groups')
      .set({
        ...(fields.name !== undefined && { name: fields.name }),
        ...(fields.permissions !== undefined && { permissions: JSON.stringify(fields.permissions) }),
        ...(fields.maxStorage !== undefined && { max_storage: fields.maxStorage }),
        ...(fields.storagePolicyIds !== undefined && { storage_policy_ids: JSON.stringify(fields.storagePolicyIds) }),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row ? toGroup(row) : null;
  }

  async byId(tx: Tx, id: number): Promise<Group | null> {
    const row = await tx.selectFrom('groups').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toGroup(row) : null;
  }

  async byName(tx: Tx, name: string): Promise<Group | null> {
    const row = await tx.selectFrom('groups').selectAll().where('name', '=', name).executeTakeFirst();
    return row ? toGroup(row) : null;
  }

  async list(tx: Tx): Promise<Group[]> {
    const rows = await tx.selectFrom('groups').selectAll().orderBy('id').execute();
    return rows.map(toGroup);
  }

  /** How many users belong to the group, as their primary group or one they joined. */
  async countMembers(tx: Tx, id: number): Promise<number> {
    const result = await sql<{ n: number }>`
      select count(*) as n from (
        select id from users where group_id = ${id}
        union
        select user_id from user_groups where group_id = ${id}
      ) m`.execute(tx);
    return Number(result.rows[0]?.n ?? 0);
  }

  /** Deletes a group; users.group_id refuses it (a foreign-key violation) while members remain. */
  async delete(tx: Tx, id: number): Promise<boolean> {
    const result = await tx.deleteFrom('groups').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }
}

function toGroup(row: Selectable<GroupsTable>): Group {
  return {
    id: Number(row.id),
    name: row.name,
    permissions: JSON.parse(row.permissions) as GroupPermissions,
    maxStorage: row.max_storage === null ? null : Number(row.max_storage),
    storagePolicyIds: JSON.parse(row.storage_policy_ids) as number[],
    builtIn: Number(row.built_in) === 1,
    createdAt: Number(row.created_at),
  };
}
