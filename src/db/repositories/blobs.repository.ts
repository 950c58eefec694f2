import { sql } from 'kysely';
import type { Tx } from '../database.js';
import { batchesOf } from './batches.js';

export interface BlobRecord {
  readonly id: string;
  readonly policyId: number;
  readonly storageKey: string;
  readonly size: number;
  readonly sha256: string | null;
  readonly state: 'pending' | 'ready';
  readonly refCount: number;
  /** Whether the bytes live in the row (small blobs) rather than in the storage policy. */
  readonly inline: boolean;
}

/** A blob row without its inline bytes (only `content` reads those), as a record. */
const RECORD_COLUMNS = [
  'id',
  'policy_id',
  'storage_key',
  'size',
  'sha256',
  'state',
  'ref_count',
  sql<boolean | number>`(content is not null)`.as('inline'),
] as const;

/**
 * Blob bookkeeping (DESIGN.md decision 2). A blob row is written as 'pending' before its
 * bytes, so that every stored object has a row until gc; it becomes 'ready' with one
 * reference in the transaction that points an entry at it.
 */
export class BlobRepository {
  async createPending(tx: Tx, blob: { id: string; policyId: number; storageKey: string; now: number }): Promise<void> {
    await tx
      .insertInto('blobs')
      .values({
        id: blob.id,
        policy_id: blob.policyId,
        storage_key: blob.storageKey,
        size: 0,
        sha256: null,
        sha1: null,
        state: 'pending',
        ref_count: 0,
        created_at: blob.now,
        touched_at: blob.now,
      })
      .execute();
  }

  /**
   * A small blob whose bytes are in the row: ready with one reference from the start, so it
   * is written in the transaction that points an entry at it and needs no pending state.
   */
  async createInline(
    tx: Tx,
    blob: { id: string; policyId: number; content: Buffer; sha256: string; sha1: string; now: number },
  ): Promise<void> {
    await tx
      .insertInto('blobs')
      .values({
        id: blob.id,
        policy_id: blob.policyId,
        storage_key: '',
        size: blob.content.length,
        sha256: blob.sha256,
        sha1: blob.sha1,
        state: 'ready',
        ref_count: 1,
        created_at: blob.now,
        touched_at: blob.now,
        content: blob.content,
      })
      .execute();
  }

  /** A blob's record and, for an inline blob, its bytes (null otherwise). */
  async withContent(tx: Tx, id: string): Promise<{ record: BlobRecord; content: Buffer | null } | null> {
    const row = await tx
      .selectFrom('blobs')
      .select([...RECORD_COLUMNS, 'content'])
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? { record: toRecord(row), content: row.content ? Buffer.from(row.content) : null } : null;
  }

  /** A long write's heartbeat, so gc knows its writer is alive. */
  async touch(tx: Tx, id: string, now: number): Promise<void> {
    await tx.updateTable('blobs').set({ touched_at: now }).where('id', '=', id).where('state', '=', 'pending').execute();
  }

  /** Pending -> ready with one reference; false if gc already took the pending row. */
  async markReady(
    tx: Tx,
    id: string,
    content: { size: number; sha256: string | null; sha1: string | null; now: number },
  ): Promise<boolean> {
    const result = await tx
      .updateTable('blobs')
      .set({ state: 'ready', ref_count: 1, size: content.size, sha256: content.sha256, sha1: content.sha1, touched_at: content.now })
      .where('id', '=', id)
      .where('state', '=', 'pending')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async addReferences(tx: Tx, references: Map<string, number>): Promise<void> {
    await this.adjust(tx, references, +1);
  }

  /**
   * Drops references; rows that reach zero are deleted and returned, so that their bytes can
   * be removed once the transaction has committed.
   */
  async releaseReferences(tx: Tx, references: Map<string, number>): Promise<BlobRecord[]> {
    await this.adjust(tx, references, -1);
    const ids = [...references.keys()];
    const freed: BlobRecord[] = [];
    for (const batch of batchesOf(ids)) {
      const rows = await tx.deleteFrom('blobs').where('id', 'in', batch).where('ref_count', '<=', 0).returning(RECORD_COLUMNS).execute();
      freed.push(...rows.map(toRecord));
    }
    return freed;
  }

  /** One statement per distinct count and batch of 500, not one per blob. */
  private async adjust(tx: Tx, references: Map<string, number>, sign: 1 | -1): Promise<void> {
    const byCount = new Map<number, string[]>();
    for (const [id, count] of references) {
      const ids = byCount.get(count);
      if (ids) ids.push(id);
      else byCount.set(count, [id]);
    }
    for (const [count, ids] of byCount) {
      for (const batch of batchesOf(ids)) {
        await tx
          .updateTable('blobs')
          .set({ ref_count: sql`ref_count + ${sign * count}` })
          .where('id', 'in', batch)
          .execute();
      }
    }
  }

  async byId(tx: Tx, id: string): Promise<BlobRecord | null> {
    const row = await tx.selectFrom('blobs').select(RECORD_COLUMNS).where('id', '=', id).executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  async delete(tx: Tx, id: string): Promise<void> {
    await tx.deleteFrom('blobs').where('id', '=', id).execute();
  }

  /** Pending blobs whose writer has been quiet since before `olderThan`. */
  async stalePending(tx: Tx, olderThan: number): Promise<BlobRecord[]> {
    const rows = await tx
      .selectFrom('blobs')
      .select(RECORD_COLUMNS)
      .where('state', '=', 'pending')
      .where('touched_at', '<', olderThan)
      .execute();
    return rows.map(toRecord);
  }

  /** Ready blobs no entry points at (left by a crash between two statements, or a bug). */
  async unreferenced(tx: Tx): Promise<BlobRecord[]> {
    const rows = await tx
      .selectFrom('blobs as b')
      .select(RECORD_COLUMNS)
      .where('b.state', '=', 'ready')
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('entries as e').select('e.id').whereRef('e.blob_id', '=', 'b.id'))))
      // An old version (issue 12) is referenced by its version row.
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('file_versions as v').select('v.id').whereRef('v.blob_id', '=', 'b.id'))),
      )
      // A thumbnail (issue 12) is referenced by its media row, not by an entry.
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('media as m').select('m.blob_id').whereRef('m.thumb_blob_id', '=', 'b.id'))),
      )
      .execute();
    return rows.map(toRecord);
  }

  async isReferenced(tx: Tx, id: string): Promise<boolean> {
    const row = await tx.selectFrom('entries').select('id').where('blob_id', '=', id).limit(1).executeTakeFirst();
    if (row !== undefined) return true;
    const version = await tx.selectFrom('file_versions').select('id').where('blob_id', '=', id).limit(1).executeTakeFirst();
    if (version !== undefined) return true;
    const thumbnailOf = await tx.selectFrom('media').select('blob_id').where('thumb_blob_id', '=', id).limit(1).executeTakeFirst();
    return thumbnailOf !== undefined;
  }

  /** Which of these storage keys have a row (pending or ready) in a policy. */
  async knownKeys(tx: Tx, policyId: number, keys: readonly string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = await tx
      .selectFrom('blobs')
      .select('storage_key')
      .where('policy_id', '=', policyId)
      .where('storage_key', 'in', keys)
      .execute();
    return new Set(rows.map((row) => row.storage_key));
  }

  async setReferenceCount(tx: Tx, id: string, count: number): Promise<void> {
    await tx.updateTable('blobs').set({ ref_count: count }).where('id', '=', id).execute();
  }

  /** Recomputes reference counts from the entries, for doctor --repair. */
  async countMismatches(tx: Tx): Promise<Array<{ id: string; stored: number; actual: number }>> {
    const result = await sql<{ id: string; stored: number; actual: number }>`
      select b.id, b.ref_count as stored,
        (select count(*) from entries e where e.blob_id = b.id) + (select count(*) from file_versions v where v.blob_id = b.id) as actual
      from blobs b
      where b.state = 'ready'
        and b.ref_count <> (select count(*) from entries e where e.blob_id = b.id) + (select count(*) from file_versions v where v.blob_id = b.id)`.execute(
      tx,
    );
    return result.rows.map((row) => ({ id: row.id, stored: Number(row.stored), actual: Number(row.actual) }));
  }
}

function toRecord(row: {
  id: string;
  policy_id: number;
  storage_key: string;
  size: number;
  sha256: string | null;
  state: string;
  ref_count: number;
  inline: boolean | number;
}): BlobRecord {
  return {
    id: row.id,
    policyId: Number(row.policy_id),
    storageKey: row.storage_key,
    size: Number(row.size),
    sha256: row.sha256,
    state: row.state as 'pending' | 'ready',
    refCount: Number(row.ref_count),
    inline: Boolean(row.inline),
  };
}
