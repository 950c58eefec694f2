import type { Selectable } from 'kysely';
import type { Tx } from '../database.js';
import type { SessionsTable } from '../schema.js';

export interface SessionRecord {
  readonly id: string;
  readonly userId: number;
  readonly tokenId: string;
  /** The refresh token the last rotation replaced; null before the first. */
  readonly previousTokenId: string | null;
  readonly generation: number;
  readonly userAgent: string | null;
  readonly address: string | null;
  readonly createdAt: number;
  readonly refreshedAt: number;
  readonly expiresAt: number;
  readonly revokedAt: number | null;
  readonly revokedReason: string | null;
}

/** Refresh-token families. Rotation is one compare-and-set, so two refreshes with one token cannot both win. */
export class SessionRepository {
  async insert(
    tx: Tx,
    session: Pick<SessionRecord, 'id' | 'userId' | 'tokenId' | 'userAgent' | 'address' | 'expiresAt'> & { now: number },
  ): Promise<void> {
    await tx
      .insertInto('sessions')
      .values({
        id: session.id,
        user_id: session.userId,
        token_id: session.tokenId,
        generation: 0,
        user_agent: session.userAgent,
        address: session.address,
        created_at: session.now,
        refreshed_at: session.now,
        expires_at: session.expiresAt,
        revoked_at: null,
        revoked_reason: null,
      })
      .execute();
  }

  async byId(tx: Tx, id: string): Promise<SessionRecord | null> {
    const row = await tx.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toSession(row) : null;
  }

  /** Replaces the current refresh token if it is still `from` and the family is live; false otherwise. */
  async rotate(tx: Tx, id: string, change: { from: string; to: string; expiresAt: number; now: number }): Promise<boolean> {
    const result = await tx
      .updateTable('sessions')
      .set((eb) => ({
        token_id: change.to,
        previous_token_id: change.from,
        generation: eb('generation', '+', 1),
        refreshed_at: change.now,
        expires_at: change.expiresAt,
      }))
      .where('id', '=', id)
      .where('token_id', '=', change.from)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** A user's live families (not revoked, not expired at `now`), most recently refreshed first. */
  async liveOfUser(tx: Tx, userId: number, now: number): Promise<SessionRecord[]> {
    const rows = await tx
      .selectFrom('sessions')
      .selectAll()
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .orderBy('refreshed_at', 'desc')
      .orderBy('id')
      .execute();
    return rows.map(toSession);
  }

  /** Marks a family revoked; false when it was already revoked or does not exist. */
  async revoke(tx: Tx, id: string, reason: string, now: number): Promise<boolean> {
    return (await this.revokeWhere(tx, { id }, reason, now)) === 1;
  }

  async revokeAllOfUser(tx: Tx, userId: number, reason: string, now: number): Promise<number> {
    return this.revokeWhere(tx, { userId }, reason, now);
  }

  /** Revokes one live family of this user; false when it is not theirs, not live, or does not exist. */
  async revokeOfUser(tx: Tx, id: string, userId: number, reason: string, now: number): Promise<boolean> {
    return (await this.revokeWhere(tx, { id, userId, liveAt: now }, reason, now)) === 1;
  }

  /** Revokes every live family of a user but one (the caller's own); how many it revoked. */
  async revokeOthersOfUser(tx: Tx, userId: number, keepId: string, reason: string, now: number): Promise<number> {
    return this.revokeWhere(tx, { userId, exceptId: keepId, liveAt: now }, reason, now);
  }

  /** One UPDATE marking the unrevoked families that match revoked; how many it marked. */
  private async revokeWhere(
    tx: Tx,
    match: { id?: string; userId?: number; exceptId?: string; liveAt?: number },
    reason: string,
    now: number,
  ): Promise<number> {
    let query = tx.updateTable('sessions').set({ revoked_at: now, revoked_reason: reason }).where('revoked_at', 'is', null);
    if (match.id !== undefined) query = query.where('id', '=', match.id);
    if (match.userId !== undefined) query = query.where('user_id', '=', match.userId);
    if (match.exceptId !== undefined) query = query.where('id', '!=', match.exceptId);
    if (match.liveAt !== undefined) query = query.where('expires_at', '>', match.liveAt);
    return Number((await query.executeTakeFirst()).numUpdatedRows);
  }

  /** Removes families whose last refresh token expired before `before`. */
  async deleteExpired(tx: Tx, before: number): Promise<number> {
    const result = await tx.deleteFrom('sessions').where('expires_at', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function toSession(row: Selectable<SessionsTable>): SessionRecord {
  return {
    id: row.id,
    userId: Number(row.user_id),
    tokenId: row.token_id,
    previousTokenId: row.previous_token_id ?? null,
    generation: Number(row.generation),
    userAgent: row.user_agent,
    address: row.address,
    createdAt: Number(row.created_at),
    refreshedAt: Number(row.refreshed_at),
    expiresAt: Number(row.expires_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
    revokedReason: row.revoked_reason,
  };
}
