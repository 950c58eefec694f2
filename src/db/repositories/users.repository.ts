import { sql, type Selectable } from 'kysely';
import type { User, UserStatus } from '../../core/index.js';
import type { Tx } from '../database.js';
import type { UsersTable } from '../schema.js';
import { propertyBytes } from './properties.repository.js';

export interface UserWithSecret extends User {
  readonly passwordHash: string;
}

export class UserRepository {
  async insert(
    tx: Tx,
    user: { email: string; displayName: string; passwordHash: string; groupId: number; now: number },
  ): Promise<UserWithSecret> {
    const row = await tx
      .insertInto('users')
      .values({
        email: user.email,
        display_name: user.displayName,
        password_hash: user.passwordHash,
        group_id: user.groupId,
        status: 'active',
        storage_used: 0,
        root_id: null,
        created_at: user.now,
        updated_at: user.now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toUser(row);
  }

  async update(
    tx: Tx,
    id: number,
    fields: {
      displayName?: string;
      email?: string;
      passwordHash?: string;
      groupId?: number;
      status?: UserStatus;
      rootId?: number;
      now: number;
      /** Compare-and-set: changes nothing unless the stored hash is still this one. */
      ifPasswordHash?: string;
    },
  ): Promise<UserWithSecret | null> {
    const row = await tx
      .updateTable('users')
      .set({
        updated_at: fields.now,
        ...(fields.displayName !== undefined && { display_name: fields.displayName }),
        ...(fields.email !== undefined && { email: fields.email }),
        ...(fields.passwordHash !== undefined && { password_hash: fields.passwordHash }),
        ...(fields.groupId !== undefined && { group_id: fields.groupId }),
        ...(fields.status !== undefined && { status: fields.status }),
        ...(fields.rootId !== undefined && { root_id: fields.rootId }),
      })
      .where('id', '=', id)
      .$if(fields.ifPasswordHash !== undefined, (query) => query.where('password_hash', '=', fields.ifPasswordHash!))
      .returningAll()
      .executeTakeFirst();
    return row ? toUser(row) : null;
  }

  async byId(tx: Tx, id: number): Promise<UserWithSecret | null> {
    const row = await tx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toUser(row) : null;
  }

  async byEmail(tx: Tx, email: string): Promise<UserWithSecret | null> {
    const row = await tx.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
    return row ? toUser(row) : null;
  }

  async list(tx: Tx, page: { afterId?: number; limit: number }): Promise<UserWithSecret[]> {
    const rows = await tx
      .selectFrom('users')
      .selectAll()
      .where('id', '>', page.afterId ?? 0)
      .orderBy('id')
      .limit(page.limit)
      .execute();
    return rows.map(toUser);
  }

  async count(tx: Tx): Promise<number> {
    const row = await tx
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /**
   * Adds `delta` bytes to a user's usage unless that would pass `quota` (null: no limit).
   * One conditional statement, so concurrent writers cannot both squeeze under the limit.
   */
  async addStorageUsed(tx: Tx, id: number, delta: number, quota: number | null): Promise<boolean> {
    let update = tx
      .updateTable('users')
      .set({ storage_used: sql`storage_used + ${delta}` })
      .where('id', '=', id);
    if (quota !== null && delta > 0) update = update.where(sql<boolean>`storage_used + ${delta} <= ${quota}`);
    const result = await update.executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * Users whose recorded usage differs from what they store: the sizes of their files plus the
   * bytes of the dead properties in their tree (propertyBytes).
   */
  async usageMismatches(tx: Tx): Promise<Array<{ id: number; stored: number; actual: number }>> {
    const result = await sql<{ id: number; stored: number; files: number | null; versions: number | null; properties: number | null }>`
      select u.id, u.storage_used as stored,
        (select sum(e.size) from entries e where e.owner_id = u.id and e.kind = 'file' and e.mount_id is null) as files,
        (select sum(v.size) from file_versions v where v.owner_id = u.id) as versions,
        (select sum(${propertyBytes('p')}) from dead_properties p join entries e on e.id = p.entry_id
          where e.owner_id = u.id and e.mount_id is null) as properties
      from users u`.execute(tx);
    return result.rows
      .map((row) => ({
        id: Number(row.id),
        stored: Number(row.stored),
        actual: Number(row.files ?? 0) + Number(row.versions ?? 0) + Number(row.properties ?? 0),
      }))
      .filter((row) => row.stored !== row.actual);
  }

  async setStorageUsed(tx: Tx, id: number, bytes: number): Promise<void> {
    await tx.updateTable('users').set({ storage_used: bytes }).where('id', '=', id).execute();
  }
}

function toUser(row: Selectable<UsersTable>): UserWithSecret {
  return {
    id: Number(row.id),
    email: row.email,
    displayName: row.display_name,
    passwordHash: row.password_hash,
    groupId: Number(row.group_id),
    status: row.status as UserStatus,
    storageUsed: Number(row.storage_used),
    rootId: Number(row.root_id),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
