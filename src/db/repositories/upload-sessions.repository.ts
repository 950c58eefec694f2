import { sql, type Selectable } from 'kysely';
import type { Tx } from '../database.js';
import type { SqlDialectName } from '../dialect.js';
import type { UploadSessionsTable } from '../schema.js';
import { batchesOf } from './batches.js';

export interface UploadSessionRecord {
  readonly id: string;
  readonly userId: number;
  readonly ownerId: number;
  /** The target's names below the owner's root. */
  readonly path: readonly string[];
  readonly uri: string;
  readonly size: number;
  readonly chunkSize: number;
  readonly mtime: number | null;
  readonly placeholderId: number | null;
  readonly placeholderEtag: string | null;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly committingAt: number | null;
  readonly completedAt: number | null;
  /** Set when the client uploads straight to the store (contract 15.5); null for chunks sent here. */
  readonly direct?: DirectUploadRecord | null;
}

/** A session's multipart upload in the store, the pending blob it becomes, and its callback's secret. */
export interface DirectUploadRecord {
  readonly uploadId: string;
  readonly blobId: string;
  readonly policyId: number;
  readonly callbackSecret: string;
}

export type NewUploadSession = Omit<UploadSessionRecord, 'committingAt' | 'completedAt'>;

/** The first key of the PostgreSQL advisory locks that serialise openings of sessions per user ("upld"). */
const OPENINGS_LOCK = 0x75706c64;

/**
 * Upload sessions and the chunks they hold (Cloudreve V4 contract, section 15), shared by
 * every node through the database. Completing is claimed with a compare-and-set lease, so
 * two nodes receiving the last chunks at once assemble the file once.
 */
export class UploadSessionRepository {
  async insert(tx: Tx, session: NewUploadSession): Promise<void> {
    await tx
      .insertInto('upload_sessions')
      .values({
        id: session.id,
        user_id: session.userId,
        owner_id: session.ownerId,
        path: JSON.stringify(session.path),
        uri: session.uri,
        size: session.size,
        chunk_size: session.chunkSize,
        mtime: session.mtime,
        placeholder_id: session.placeholderId,
        placeholder_etag: session.placeholderEtag,
        created_at: session.createdAt,
        expires_at: session.expiresAt,
        committing_at: null,
        completed_at: null,
        direct_upload_id: session.direct?.uploadId ?? null,
        direct_blob_id: session.direct?.blobId ?? null,
        direct_policy_id: session.direct?.policyId ?? null,
        callback_secret: session.direct?.callbackSecret ?? null,
      })
      .execute();
  }

  async byId(tx: Tx, id: string): Promise<UploadSessionRecord | null> {
    const row = await tx.selectFrom('upload_sessions').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toSession(row) : null;
  }

  /**
   * The session, locked until the transaction ends on PostgreSQL (SQLite's transactions hold
   * the write lock already), so that chunks recorded at once are counted one after the other.
   */
  async lock(tx: Tx, id: string, dialect: SqlDialectName): Promise<UploadSessionRecord | null> {
    const query = tx.selectFrom('upload_sessions').selectAll().where('id', '=', id);
    const row = await (dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
    return row ? toSession(row) : null;
  }

  /**
   * Serialises the opening of sessions by or for these users until the transaction ends, so
   * that counting their open sessions and inserting one happen as one step (PostgreSQL;
   * SQLite's transactions hold the write lock already). Locks are taken in id order, so two
   * openings never wait on each other in a cycle.
   */
  async lockOpenings(tx: Tx, userIds: readonly number[], dialect: SqlDialectName): Promise<void> {
    if (dialect !== 'postgres') return;
    for (const id of [...new Set(userIds)].sort((a, b) => a - b)) {
      await sql`select pg_advisory_xact_lock(${OPENINGS_LOCK}::int, ${id}::int)`.execute(tx);
    }
  }

  /** Sessions still open at `now` (neither completed nor expired) whose file goes to this owner's storage. */
  async openFor(tx: Tx, ownerId: number, now: number): Promise<UploadSessionRecord[]> {
    const rows = await tx
      .selectFrom('upload_sessions')
      .selectAll()
      .where('owner_id', '=', ownerId)
      .where('completed_at', 'is', null)
      .where('expires_at', '>', now)
      .execute();
    return rows.map(toSession);
  }

  /** How many sessions this user opened that are still open at `now`. */
  async countOpenBy(tx: Tx, userId: number, now: number): Promise<number> {
    const row = await tx
      .selectFrom('upload_sessions')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('user_id', '=', userId)
      .where('completed_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /** Records a stored chunk (again, when it was re-sent). */
  async recordChunk(tx: Tx, chunk: { sessionId: string; index: number; size: number; now: number }): Promise<void> {
    await tx
      .insertInto('upload_chunks')
      .values({ session_id: chunk.sessionId, chunk_index: chunk.index, size: chunk.size, received_at: chunk.now })
      .onConflict((c) => c.columns(['session_id', 'chunk_index']).doUpdateSet({ size: chunk.size, received_at: chunk.now }))
      .execute();
  }

  /** Indexes of the chunks stored so far, in order. */
  async receivedChunks(tx: Tx, sessionId: string): Promise<number[]> {
    const rows = await tx
      .selectFrom('upload_chunks')
      .select('chunk_index')
      .where('session_id', '=', sessionId)
      .orderBy('chunk_index')
      .execute();
    return rows.map((row) => Number(row.chunk_index));
  }

  async countChunks(tx: Tx, sessionId: string): Promise<number> {
    const row = await tx
      .selectFrom('upload_chunks')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('session_id', '=', sessionId)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /**
   * Takes the right to assemble the file: true when the session is open and nobody holds a
   * lease renewed since `staleBefore`.
   */
  async claim(tx: Tx, id: string, now: number, staleBefore: number): Promise<boolean> {
    const result = await tx
      .updateTable('upload_sessions')
      .set({ committing_at: now })
      .where('id', '=', id)
      .where('completed_at', 'is', null)
      .where((eb) => eb.or([eb('committing_at', 'is', null), eb('committing_at', '<', staleBefore)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async renew(tx: Tx, id: string, now: number): Promise<void> {
    await tx.updateTable('upload_sessions').set({ committing_at: now }).where('id', '=', id).where('completed_at', 'is', null).execute();
  }

  /** Gives the lease up after a failure the client may retry. */
  async release(tx: Tx, id: string): Promise<void> {
    await tx.updateTable('upload_sessions').set({ committing_at: null }).where('id', '=', id).where('completed_at', 'is', null).execute();
  }

  /** Marks the session done and forgets its chunks. */
  async complete(tx: Tx, id: string, now: number): Promise<void> {
    await tx.updateTable('upload_sessions').set({ completed_at: now, committing_at: null }).where('id', '=', id).execute();
    await tx.deleteFrom('upload_chunks').where('session_id', '=', id).execute();
  }

  /**
   * Deletes a session (its chunk rows go with it) unless a lease renewed since `staleBefore`
   * is held on it; false when nothing was deleted.
   */
  async delete(tx: Tx, id: string, staleBefore: number): Promise<boolean> {
    const result = await tx
      .deleteFrom('upload_sessions')
      .where('id', '=', id)
      .where((eb) => eb.or([eb('committing_at', 'is', null), eb('committing_at', '<', staleBefore)]))
      .executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  /** Sessions whose time ran out before `now`, oldest first. */
  async expired(tx: Tx, now: number, limit: number): Promise<UploadSessionRecord[]> {
    const rows = await tx
      .selectFrom('upload_sessions')
      .selectAll()
      .where('expires_at', '<', now)
      .orderBy('expires_at')
      .limit(limit)
      .execute();
    return rows.map(toSession);
  }

  /** Which of these session ids exist. */
  async knownIds(tx: Tx, ids: readonly string[]): Promise<Set<string>> {
    const known = new Set<string>();
    for (const batch of batchesOf(ids)) {
      const rows = await tx.selectFrom('upload_sessions').select('id').where('id', 'in', batch).execute();
      for (const row of rows) known.add(row.id);
    }
    return known;
  }

  /** Open sessions whose placeholder is one of these entries, by entry id. */
  async byPlaceholders(tx: Tx, entryIds: readonly number[], now: number): Promise<Map<number, UploadSessionRecord>> {
    const out = new Map<number, UploadSessionRecord>();
    for (const batch of batchesOf(entryIds)) {
      const rows = await tx
        .selectFrom('upload_sessions')
        .selectAll()
        .where('placeholder_id', 'in', batch)
        .where('completed_at', 'is', null)
        .where('expires_at', '>=', now)
        .execute();
      for (const row of rows) out.set(Number(row.placeholder_id), toSession(row));
    }
    return out;
  }
}

function toSession(row: Selectable<UploadSessionsTable>): UploadSessionRecord {
  const nullable = (value: number | null) => (value === null ? null : Number(value));
  return {
    id: row.id,
    userId: Number(row.user_id),
    ownerId: Number(row.owner_id),
    path: JSON.parse(row.path) as string[],
    uri: row.uri,
    size: Number(row.size),
    chunkSize: Number(row.chunk_size),
    mtime: nullable(row.mtime),
    placeholderId: nullable(row.placeholder_id),
    placeholderEtag: row.placeholder_etag,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    committingAt: nullable(row.committing_at),
    completedAt: nullable(row.completed_at),
    direct:
      row.direct_upload_id !== null && row.direct_blob_id !== null && row.direct_policy_id !== null && row.callback_secret !== null
        ? {
            uploadId: row.direct_upload_id,
            blobId: row.direct_blob_id,
            policyId: Number(row.direct_policy_id),
            callbackSecret: row.callback_secret,
          }
        : null,
  };
}
