import { sql, type Selectable } from 'kysely';
import type { Tx } from '../database.js';
import type { SqlDialectName } from '../dialect.js';
import type { LocksTable } from '../schema.js';
import { batchesOf } from './batches.js';
import { MAX_TREE_DEPTH } from './entry-walks.js';

export interface LockRecord {
  readonly token: string;
  readonly entryId: number;
  readonly userId: number;
  /** The principal that took it (Principal.lockHolder); null on rows from before it was kept. */
  readonly holder: string | null;
  readonly scope: 'exclusive' | 'shared';
  readonly depth: '0' | 'infinity';
  readonly owner: string | null;
  readonly timeoutSeconds: number;
  readonly expiresAt: number;
}

/**
 * WebDAV write locks, in the database so every node sees them and they survive restarts
 * (DESIGN.md decision 6). Expired rows are ignored by every query and swept now and then.
 */
export class LockRepository {
  /**
   * Serialises lock decisions within one owner's tree on PostgreSQL, whose READ COMMITTED
   * snapshots would otherwise let two transactions each find no conflicting lock and both go
   * on. A transaction that takes a lock holds the tree's advisory lock exclusively; one that
   * checks locks before a write holds it shared, so checks never wait for each other, and a
   * lock is granted either before a write's check (which then sees it) or after the write
   * commits. Lock order: this first, then rows (a write calls it before it locks its row),
   * so a LOCK's foreign-key row lock and a write's row lock cannot deadlock. SQLite's write
   * transactions are serial already; reads outside a transaction hold nothing.
   */
  async serialize(tx: Tx, dialect: SqlDialectName, treeId: number, mode: 'check' | 'take'): Promise<void> {
    if (dialect !== 'postgres' || !tx.isTransaction) return;
    if (mode === 'check') await sql`select pg_advisory_xact_lock_shared(${ADVISORY_CLASS}, ${treeId})`.execute(tx);
    else await sql`select pg_advisory_xact_lock(${ADVISORY_CLASS}, ${treeId})`.execute(tx);
  }

  async insert(tx: Tx, lock: LockRecord & { now: number }): Promise<void> {
    await tx
      .insertInto('locks')
      .values({
        token: lock.token,
        entry_id: lock.entryId,
        user_id: lock.userId,
        holder: lock.holder,
        scope: lock.scope,
        depth: lock.depth,
        owner: lock.owner,
        timeout_seconds: lock.timeoutSeconds,
        expires_at: lock.expiresAt,
        created_at: lock.now,
      })
      .execute();
  }

  async byToken(tx: Tx, token: string, now: number): Promise<LockRecord | null> {
    const row = await tx.selectFrom('locks').selectAll().where('token', '=', token).where('expires_at', '>', now).executeTakeFirst();
    return row ? toLock(row) : null;
  }

  async refresh(tx: Tx, token: string, timeoutSeconds: number, now: number): Promise<void> {
    await tx
      .updateTable('locks')
      .set({ timeout_seconds: timeoutSeconds, expires_at: now + timeoutSeconds * 1000 })
      .where('token', '=', token)
      .execute();
  }

  async delete(tx: Tx, token: string): Promise<void> {
    await tx.deleteFrom('locks').where('token', '=', token).execute();
  }

  /**
   * Locks that cover an entry: its own (any depth) and those of its ancestors with depth
   * infinity. One recursive query up the tree, so locks taken above a view's root count too.
   */
  async covering(tx: Tx, entryId: number, now: number): Promise<LockRecord[]> {
    const result = await sql<Selectable<LocksTable>>`
      with recursive up(id, parent_id, depth) as (
        select id, parent_id, 0 from entries where id = ${entryId}
        union all
        select e.id, e.parent_id, up.depth + 1 from entries e join up on e.id = up.parent_id
        where up.depth < ${MAX_TREE_DEPTH}
      )
      select l.* from locks l join up on l.entry_id = up.id
      where l.expires_at > ${now} and (up.depth = 0 or l.depth = 'infinity')`.execute(tx);
    return result.rows.map(toLock);
  }

  /**
   * Locks on any entry strictly below `entryId`. Walks up from each active lock rather than
   * down the subtree, so the cost is (locks x depth), not the size of the subtree.
   */
  async below(tx: Tx, entryId: number, now: number): Promise<LockRecord[]> {
    const tokens = await this.tokensAtOrBelow(tx, entryId, now);
    if (tokens.length === 0) return [];
    const rows = await tx.selectFrom('locks').selectAll().where('token', 'in', tokens).where('entry_id', '<>', entryId).execute();
    return rows.map(toLock);
  }

  private async tokensAtOrBelow(tx: Tx, entryId: number, now: number): Promise<string[]> {
    const result = await sql<{ token: string }>`
      with recursive up(token, id, depth) as (
        select token, entry_id, 0 from locks where expires_at > ${now}
        union all
        select up.token, e.parent_id, up.depth + 1 from up join entries e on e.id = up.id
        where e.parent_id is not null and up.depth < ${MAX_TREE_DEPTH}
      )
      select distinct token from up where id = ${entryId}`.execute(tx);
    return result.rows.map((row) => row.token);
  }

  /** Locks directly on any of these entries. */
  async onEntries(tx: Tx, entryIds: readonly number[], now: number): Promise<LockRecord[]> {
    const out: LockRecord[] = [];
    for (const batch of batchesOf(entryIds)) {
      const rows = await tx.selectFrom('locks').selectAll().where('entry_id', 'in', batch).where('expires_at', '>', now).execute();
      out.push(...rows.map(toLock));
    }
    return out;
  }

  /** Only locks on the entry itself. */
  async on(tx: Tx, entryId: number, now: number): Promise<LockRecord[]> {
    const rows = await tx.selectFrom('locks').selectAll().where('entry_id', '=', entryId).where('expires_at', '>', now).execute();
    return rows.map(toLock);
  }

  /** Whether any lock is active at all: lets writes skip the lock queries in the common case. */
  async anyActive(tx: Tx, now: number): Promise<boolean> {
    const row = await tx.selectFrom('locks').select('token').where('expires_at', '>', now).limit(1).executeTakeFirst();
    return row !== undefined;
  }

  /** Removes the locks on an entry and everything below it (RFC 4918 7.7: locks do not move). */
  async deleteSubtree(tx: Tx, entryId: number, now: number): Promise<void> {
    if (!(await this.anyActive(tx, now))) return;
    const tokens = await this.tokensAtOrBelow(tx, entryId, now);
    if (tokens.length > 0) await tx.deleteFrom('locks').where('token', 'in', tokens).execute();
  }

  /** How many active locks a user holds, for the per-user limit. */
  async countOfUser(tx: Tx, userId: number, now: number): Promise<number> {
    const row = await tx
      .selectFrom('locks')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('user_id', '=', userId)
      .where('expires_at', '>', now)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async sweepExpired(tx: Tx, now: number): Promise<number> {
    const result = await tx.deleteFrom('locks').where('expires_at', '<=', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

/** The first key of the two-key advisory locks that guard lock decisions ('LOCK' in ASCII). */
const ADVISORY_CLASS = 0x4c4f434b;

function toLock(row: Selectable<LocksTable>): LockRecord {
  return {
    token: row.token,
    entryId: Number(row.entry_id),
    userId: Number(row.user_id),
    holder: row.holder,
    scope: row.scope as 'exclusive' | 'shared',
    depth: row.depth as '0' | 'infinity',
    owner: row.owner,
    timeoutSeconds: Number(row.timeout_seconds),
    expiresAt: Number(row.expires_at),
  };
}
