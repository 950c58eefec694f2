import type { Selectable } from 'kysely';
import type { Tx } from '../database.js';
import type { DavAccountsTable } from '../schema.js';

export interface DavAccountRecord {
  readonly id: number;
  readonly userId: number;
  readonly name: string;
  readonly keyId: string;
  readonly secretHash: string;
  readonly rootId: number;
  readonly readOnly: boolean;
  /** GETs of files on a redirect policy answer 302 to a presigned URL (opt-in: many WebDAV clients do not follow redirects). */
  readonly redirectDownloads: boolean;
  readonly expiresAt: number | null;
  readonly lastUsedAt: number | null;
  readonly createdAt: number;
}

export class DavAccountRepository {
  async insert(tx: Tx, account: Omit<DavAccountRecord, 'id' | 'lastUsedAt'>): Promise<DavAccountRecord> {
    const row = await tx
      .insertInto('dav_accounts')
      .values({
        user_id: account.userId,
        name: account.name,
        key_id: account.keyId,
        secret_hash: account.secretHash,
        root_id: account.rootId,
        read_only: account.readOnly ? 1 : 0,
        redirect_downloads: account.redirectDownloads ? 1 : 0,
        expires_at: account.expiresAt,
        last_used_at: null,
        created_at: account.createdAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toAccount(row);
  }

  async update(
    tx: Tx,
    id: number,
    fields: { name?: string; rootId?: number; readOnly?: boolean; redirectDownloads?: boolean; expiresAt?: number | null },
  ): Promise<DavAccountRecord | null> {
    const row = await tx
      .updateTable('dav_accounts')
      .set({
        ...(fields.name !== undefined && { name: fields.name }),
        ...(fields.rootId !== undefined && { root_id: fields.rootId }),
        ...(fields.readOnly !== undefined && { read_only: fields.readOnly ? 1 : 0 }),
        ...(fields.redirectDownloads !== undefined && { redirect_downloads: fields.redirectDownloads ? 1 : 0 }),
        ...(fields.expiresAt !== undefined && { expires_at: fields.expiresAt }),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row ? toAccount(row) : null;
  }

  async byKeyId(tx: Tx, keyId: string): Promise<DavAccountRecord | null> {
    const row = await tx.selectFrom('dav_accounts').selectAll().where('key_id', '=', keyId).executeTakeFirst();
    return row ? toAccount(row) : null;
  }

  async byId(tx: Tx, id: number): Promise<DavAccountRecord | null> {
    const row = await tx.selectFrom('dav_accounts').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toAccount(row) : null;
  }

  async listByUser(tx: Tx, userId: number): Promise<DavAccountRecord[]> {
    const rows = await tx.selectFrom('dav_accounts').selectAll().where('user_id', '=', userId).orderBy('id').execute();
    return rows.map(toAccount);
  }

  async delete(tx: Tx, id: number): Promise<boolean> {
    const result = await tx.deleteFrom('dav_accounts').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  async touch(tx: Tx, id: number, now: number): Promise<void> {
    await tx.updateTable('dav_accounts').set({ last_used_at: now }).where('id', '=', id).execute();
  }
}

function toAccount(row: Selectable<DavAccountsTable>): DavAccountRecord {
  return {
    id: Number(row.id),
    userId: Number(row.user_id),
    name: row.name,
    keyId: row.key_id,
    secretHash: row.secret_hash,
    rootId: Number(row.root_id),
    readOnly: Number(row.read_only) === 1,
    redirectDownloads: Number(row.redirect_downloads) === 1,
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
    createdAt: Number(row.created_at),
  };
}
