import { sql } from 'kysely';
import type { Tx } from '../database.js';

/**
 * Group membership beyond the primary group: a user belongs to `users.group_id` and to every
 * group of theirs in `user_groups` (issue 11 item 6: one group per shared folder).
 */
export class MembershipRepository {
  /** Adds a membership; false when the user already had it. */
  async add(tx: Tx, userId: number, groupId: number, now: number): Promise<boolean> {
    const result = await tx
      .insertInto('user_groups')
      .values({ user_id: userId, group_id: groupId, created_at: now })
      .onConflict((c) => c.columns(['user_id', 'group_id']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  /** Removes a membership; false when the user did not have it. */
  async remove(tx: Tx, userId: number, groupId: number): Promise<boolean> {
    const result = await tx.deleteFrom('user_groups').where('user_id', '=', userId).where('group_id', '=', groupId).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  /** Ends every joined membership of a group (it is being removed). */
  async removeGroup(tx: Tx, groupId: number): Promise<void> {
    await tx.deleteFrom('user_groups').where('group_id', '=', groupId).execute();
  }

  /** The groups a user joined (not their primary group), in the order joined. */
  async joined(tx: Tx, userId: number): Promise<number[]> {
    const rows = await tx.selectFrom('user_groups').select('group_id').where('user_id', '=', userId).orderBy('created_at').execute();
    return rows.map((row) => Number(row.group_id));
  }

  /** Every user of a group, whether it is their primary group or one they joined. */
  async members(tx: Tx, groupId: number): Promise<number[]> {
    const result = await sql<{ id: number }>`
      select id from users where group_id = ${groupId}
      union
      select user_id as id from user_groups where group_id = ${groupId}
      order by id`.execute(tx);
    return result.rows.map((row) => Number(row.id));
  }

  /** The members of a group with what an administrator's list shows, in one query, by email. */
  async memberList(tx: Tx, groupId: number): Promise<Array<{ id: number; email: string; displayName: string; primary: boolean }>> {
    const rows = await tx
      .selectFrom('users')
      .select(['id', 'email', 'display_name', 'group_id'])
      .where((eb) =>
        eb.or([
          eb('group_id', '=', groupId),
          eb.exists(
            eb
              .selectFrom('user_groups')
              .select('user_id')
              .whereRef('user_groups.user_id', '=', 'users.id')
              .where('user_groups.group_id', '=', groupId),
          ),
        ]),
      )
      .orderBy('email')
      .execute();
    return rows.map((row) => ({
      id: Number(row.id),
      email: row.email,
      displayName: row.display_name,
      primary: Number(row.group_id) === groupId,
    }));
  }

  /** Whether the user belongs to the group, as primary group or joined. */
  async isMember(tx: Tx, userId: number, groupId: number): Promise<boolean> {
    const result = await sql<{ n: number }>`
      select count(*) as n from (
        select id from users where id = ${userId} and group_id = ${groupId}
        union all
        select user_id from user_groups where user_id = ${userId} and group_id = ${groupId}
      ) m`.execute(tx);
    return Number(result.rows[0]?.n ?? 0) > 0;
  }
}
