import type { Selectable } from 'kysely';
import type { Tx } from '../database.js';
import type { SyncPairsTable, SyncStateTable } from '../schema.js';

export interface SyncAccountRecord {
  readonly id: number;
  readonly userId: number;
  readonly url: string;
  readonly username: string | null;
  /** Sealed by the secret box; null without a password. */
  readonly passwordSealed: string | null;
  /** Created by the operator (CLI): may reach any address. */
  readonly anyAddress: boolean;
  readonly createdAt: number;
}

export interface SyncPairRecord {
  readonly id: number;
  readonly accountId: number;
  readonly userId: number;
  readonly remotePath: string;
  readonly localPath: string;
  readonly direction: string;
  readonly deletes: string;
  readonly intervalSeconds: number | null;
  readonly excludes: readonly string[];
  readonly paused: boolean;
  readonly lastRunAt: number | null;
  readonly lastStatus: string | null;
  readonly lastError: string | null;
  readonly lastSummary: unknown;
  readonly createdAt: number;
}

export type NewSyncPair = Omit<SyncPairRecord, 'id' | 'paused' | 'lastRunAt' | 'lastStatus' | 'lastError' | 'lastSummary'>;

/** One `sync_state` row, as stored (see the 20261207T1400_sync migration). */
export interface SyncStateRecord {
  readonly path: string;
  readonly remotePath: string;
  readonly isFolder: boolean;
  readonly remoteSeen: boolean;
  readonly remoteEtag: string | null;
  readonly remoteSize: number | null;
  readonly remoteMtime: number | null;
  readonly localSeen: boolean;
  readonly localEntryId: number | null;
  readonly localEtag: string | null;
  readonly pendingOp: 'download' | 'upload' | null;
  readonly pendingEtag: string | null;
}

/** Remote accounts, sync pairs and their per-path state. */
export class SyncRepository {
  async insertAccount(tx: Tx, account: Omit<SyncAccountRecord, 'id'>): Promise<number> {
    const row = await tx
      .insertInto('sync_accounts')
      .values({
        user_id: account.userId,
        url: account.url,
        username: account.username,
        password_sealed: account.passwordSealed,
        any_address: account.anyAddress ? 1 : 0,
        created_at: account.createdAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  async account(tx: Tx, id: number): Promise<SyncAccountRecord | null> {
    const row = await tx.selectFrom('sync_accounts').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return null;
    return {
      id: Number(row.id),
      userId: Number(row.user_id),
      url: row.url,
      username: row.username,
      passwordSealed: row.password_sealed,
      anyAddress: Number(row.any_address) === 1,
      createdAt: Number(row.created_at),
    };
  }

  async insertPair(tx: Tx, pair: NewSyncPair): Promise<number> {
    const row = await tx
      .insertInto('sync_pairs')
      .values({
        account_id: pair.accountId,
        user_id: pair.userId,
        remote_path: pair.remotePath,
        local_path: pair.localPath,
        direction: pair.direction,
        deletes: pair.deletes,
        interval_seconds: pair.intervalSeconds,
        excludes: JSON.stringify(pair.excludes),
        paused: 0,
        created_at: pair.createdAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  async pair(tx: Tx, id: number): Promise<SyncPairRecord | null> {
    const row = await tx.selectFrom('sync_pairs').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toPair(row) : null;
  }

  async pairs(tx: Tx, userId?: number): Promise<SyncPairRecord[]> {
    let query = tx.selectFrom('sync_pairs').selectAll().orderBy('id');
    if (userId !== undefined) query = query.where('user_id', '=', userId);
    return (await query.execute()).map(toPair);
  }

  async setPaused(tx: Tx, id: number, paused: boolean): Promise<void> {
    await tx
      .updateTable('sync_pairs')
      .set({ paused: paused ? 1 : 0 })
      .where('id', '=', id)
      .execute();
  }

  async recordRun(tx: Tx, id: number, run: { at: number; status: string; error: string | null; summary: unknown }): Promise<void> {
    await tx
      .updateTable('sync_pairs')
      .set({ last_run_at: run.at, last_status: run.status, last_error: run.error, last_summary: JSON.stringify(run.summary) })
      .where('id', '=', id)
      .execute();
  }

  /** Claims the pair for one run until `until`; false while another run's claim holds. */
  async claimRun(tx: Tx, id: number, token: string, now: number, until: number): Promise<boolean> {
    const result = await tx
      .updateTable('sync_pairs')
      .set({ run_token: token, run_until: until })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('run_token', 'is', null), eb('run_token', '=', token), eb('run_until', '<', now)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async releaseRun(tx: Tx, id: number, token: string): Promise<void> {
    await tx
      .updateTable('sync_pairs')
      .set({ run_token: null, run_until: null })
      .where('id', '=', id)
      .where('run_token', '=', token)
      .execute();
  }

  /** Removes a pair, its state, and its account once no other pair uses it. */
  async removePair(tx: Tx, id: number): Promise<void> {
    const pair = await this.pair(tx, id);
    if (!pair) return;
    await tx.deleteFrom('sync_state').where('pair_id', '=', id).execute();
    await tx.deleteFrom('sync_pairs').where('id', '=', id).execute();
    const others = await tx.selectFrom('sync_pairs').select('id').where('account_id', '=', pair.accountId).executeTakeFirst();
    if (!others) await tx.deleteFrom('sync_accounts').where('id', '=', pair.accountId).execute();
  }

  async states(tx: Tx, pairId: number): Promise<SyncStateRecord[]> {
    const rows = await tx.selectFrom('sync_state').selectAll().where('pair_id', '=', pairId).orderBy('path').execute();
    return rows.map(toState);
  }

  async saveState(tx: Tx, pairId: number, state: SyncStateRecord, at: number): Promise<void> {
    const row: Omit<SyncStateTable, 'pair_id' | 'path'> = {
      remote_path: state.remotePath,
      is_folder: state.isFolder ? 1 : 0,
      remote_seen: state.remoteSeen ? 1 : 0,
      remote_etag: state.remoteEtag,
      remote_size: state.remoteSize,
      remote_mtime: state.remoteMtime,
      local_seen: state.localSeen ? 1 : 0,
      local_entry_id: state.localEntryId,
      local_etag: state.localEtag,
      pending_op: state.pendingOp,
      pending_etag: state.pendingEtag,
      updated_at: at,
    };
    await tx
      .insertInto('sync_state')
      .values({ pair_id: pairId, path: state.path, ...row })
      .onConflict((conflict) => conflict.columns(['pair_id', 'path']).doUpdateSet(row))
      .execute();
  }

  async deleteState(tx: Tx, pairId: number, path: string): Promise<void> {
    await tx.deleteFrom('sync_state').where('pair_id', '=', pairId).where('path', '=', path).execute();
  }
}

function toPair(row: Selectable<SyncPairsTable>): SyncPairRecord {
  return {
    id: Number(row.id),
    accountId: Number(row.account_id),
    userId: Number(row.user_id),
    remotePath: row.remote_path,
    localPath: row.local_path,
    direction: row.direction,
    deletes: row.deletes,
    intervalSeconds: row.interval_seconds === null ? null : Number(row.interval_seconds),
    excludes: JSON.parse(row.excludes) as string[],
    paused: Number(row.paused) === 1,
    lastRunAt: row.last_run_at === null ? null : Number(row.last_run_at),
    lastStatus: row.last_status,
    lastError: row.last_error,
    lastSummary: row.last_summary === null ? null : (JSON.parse(row.last_summary) as unknown),
    createdAt: Number(row.created_at),
  };
}

function toState(row: Selectable<SyncStateTable>): SyncStateRecord {
  const num = (value: number | null) => (value === null ? null : Number(value));
  return {
    path: row.path,
    remotePath: row.remote_path,
    isFolder: Number(row.is_folder) === 1,
    remoteSeen: Number(row.remote_seen) === 1,
    remoteEtag: row.remote_etag,
    remoteSize: num(row.remote_size),
    remoteMtime: num(row.remote_mtime),
    localSeen: Number(row.local_seen) === 1,
    localEntryId: num(row.local_entry_id),
    localEtag: row.local_etag,
    pendingOp: row.pending_op as SyncStateRecord['pendingOp'],
    pendingEtag: row.pending_etag,
  };
}
