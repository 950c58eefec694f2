import type { Selectable } from 'kysely';
import type { EntryKind } from '../../core/index.js';
import type { Tx } from '../database.js';
import type { SharesTable } from '../schema.js';

export interface ShareRecord {
  readonly id: number;
  /** Random and unique: what links and share URIs name (the id is never shown). */
  readonly key: string;
  readonly userId: number;
  readonly entryId: number;
  readonly password: string | null;
  readonly expiresAt: number | null;
  /** Downloads left; null for no limit. */
  readonly remainingDownloads: number | null;
  readonly downloads: number;
  readonly views: number;
  readonly shareView: boolean;
  readonly showReadme: boolean;
  /** Bumped by every edit; download URLs carry the revision they were signed for. */
  readonly revision: number;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** The shared entry as it is now (shares follow their entry by id). */
  readonly entry: { readonly name: string; readonly kind: EntryKind; readonly size: number };
}

/** What an owner sets on a share; counters start at zero. */
export type ShareFields = Pick<ShareRecord, 'entryId' | 'password' | 'expiresAt' | 'remainingDownloads' | 'shareView' | 'showReadme'>;

/** Share links. Every read joins the shared entry, so a listing is one query. */
export class ShareRepository {
  async insert(tx: Tx, share: ShareFields & { key: string; userId: number; now: number }): Promise<number> {
    const row = await tx
      .insertInto('shares')
      .values({ ...columnsOf(share), link_key: share.key, user_id: share.userId, created_at: share.now, updated_at: share.now })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  /** Replaces what the owner sets and bumps the revision; the counters stay. False when the share is gone. */
  async update(tx: Tx, id: number, share: ShareFields & { now: number }): Promise<boolean> {
    const result = await tx
      .updateTable('shares')
      .set((eb) => ({ ...columnsOf(share), revision: eb('revision', '+', 1), updated_at: share.now }))
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Passwords stored in clear (before they were sealed), at most `limit` of them. */
  async passwordsStoredWithout(tx: Tx, prefix: string, limit: number): Promise<Array<{ id: number; password: string }>> {
    const rows = await tx
      .selectFrom('shares')
      .select(['id', 'password'])
      .where('password', 'is not', null)
      .where('password', 'not like', `${prefix}%`)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((row) => ({ id: Number(row.id), password: row.password! }));
  }

  /** Rewrites a stored password in place (neither the revision nor the time moves); false when it changed meanwhile. */
  async replacePassword(tx: Tx, id: number, from: string, to: string): Promise<boolean> {
    const result = await tx
      .updateTable('shares')
      .set({ password: to })
      .where('id', '=', id)
      .where('password', '=', from)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async byId(tx: Tx, id: number): Promise<ShareRecord | null> {
    const row = await this.select(tx).where('s.id', '=', id).executeTakeFirst();
    return row ? toShare(row) : null;
  }

  async byKey(tx: Tx, key: string): Promise<ShareRecord | null> {
    const row = await this.select(tx).where('s.link_key', '=', key).executeTakeFirst();
    return row ? toShare(row) : null;
  }

  /** One page of a user's shares in id (creation) order, starting after `afterId`. */
  async listByUser(tx: Tx, userId: number, page: { afterId?: number; direction: 'asc' | 'desc'; limit: number }): Promise<ShareRecord[]> {
    let query = this.select(tx).where('s.user_id', '=', userId);
    if (page.afterId !== undefined) query = query.where('s.id', page.direction === 'asc' ? '>' : '<', page.afterId);
    const rows = await query.orderBy('s.id', page.direction).limit(page.limit).execute();
    return rows.map(toShare);
  }

  async delete(tx: Tx, id: number): Promise<boolean> {
    const result = await tx.deleteFrom('shares').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  /** Deletes those of the shares with these keys that belong to the user; returns how many went. */
  async deleteOwned(tx: Tx, userId: number, keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0;
    const result = await tx.deleteFrom('shares').where('user_id', '=', userId).where('link_key', 'in', keys).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async addView(tx: Tx, id: number): Promise<void> {
    await tx
      .updateTable('shares')
      .set((eb) => ({ views: eb('views', '+', 1) }))
      .where('id', '=', id)
      .execute();
  }

  /**
   * Counts `count` downloads if the share still allows all of them (still at `revision`, not
   * expired, that many downloads left): one conditional update, so concurrent requests cannot
   * take the same last downloads.
   */
  async takeDownloads(tx: Tx, id: number, take: { count: number; revision: number; now: number }): Promise<boolean> {
    const { count, revision, now } = take;
    const result = await tx
      .updateTable('shares')
      .set((eb) => ({
        downloads: eb('downloads', '+', count),
        remaining_downloads: eb('remaining_downloads', '-', count),
      }))
      .where('id', '=', id)
      .where('revision', '=', revision)
      .where((eb) => eb.or([eb('remaining_downloads', 'is', null), eb('remaining_downloads', '>=', count)]))
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  private select(tx: Tx) {
    return tx
      .selectFrom('shares as s')
      .innerJoin('entries as e', 'e.id', 's.entry_id')
      .selectAll('s')
      .select(['e.name as entry_name', 'e.kind as entry_kind', 'e.size as entry_size']);
  }
}

/** The columns of what an owner sets: creating and editing a share write the same ones. */
function columnsOf(share: ShareFields) {
  return {
    entry_id: share.entryId,
    password: share.password,
    expires_at: share.expiresAt,
    remaining_downloads: share.remainingDownloads,
    share_view: share.shareView ? 1 : 0,
    show_readme: share.showReadme ? 1 : 0,
  };
}

type ShareRow = Selectable<SharesTable> & { entry_name: string; entry_kind: string; entry_size: number };

function toShare(row: ShareRow): ShareRecord {
  return {
    id: Number(row.id),
    key: row.link_key,
    userId: Number(row.user_id),
    entryId: Number(row.entry_id),
    password: row.password,
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
    remainingDownloads: row.remaining_downloads === null ? null : Number(row.remaining_downloads),
    downloads: Number(row.downloads),
    views: Number(row.views),
    shareView: Number(row.share_view) === 1,
    showReadme: Number(row.show_readme) === 1,
    revision: Number(row.revision),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    entry: { name: row.entry_name, kind: row.entry_kind as EntryKind, size: Number(row.entry_size) },
  };
}
