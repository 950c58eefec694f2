import { sql } from 'kysely';
import type { Tx } from '../database.js';
import type { SqlDialectName } from '../dialect.js';
import { batchesOf } from './batches.js';
import { MAX_TREE_DEPTH, assertWithinBound } from './entry-walks.js';

export interface DeadProperty {
  readonly ns: string;
  readonly name: string;
  /** The property element serialised as a self-contained XML fragment. */
  readonly value: string;
}

/** WebDAV dead properties, keyed by entry id so that MOVE keeps them for free. */
export class PropertyRepository {
  async list(tx: Tx, entryId: number): Promise<DeadProperty[]> {
    const rows = await tx
      .selectFrom('dead_properties')
      .selectAll()
      .where('entry_id', '=', entryId)
      .orderBy('namespace')
      .orderBy('name')
      .execute();
    return rows.map((row) => ({ ns: row.namespace, name: row.name, value: row.value }));
  }

  /** Dead properties of many entries at once (a depth-1 PROPFIND is one query). */
  async listMany(tx: Tx, entryIds: readonly number[]): Promise<Map<number, DeadProperty[]>> {
    const out = new Map<number, DeadProperty[]>();
    for (const batch of batchesOf(entryIds)) {
      const rows = await tx.selectFrom('dead_properties').selectAll().where('entry_id', 'in', batch).execute();
      for (const row of rows) {
        const id = Number(row.entry_id);
        const list = out.get(id) ?? [];
        list.push({ ns: row.namespace, name: row.name, value: row.value });
        out.set(id, list);
      }
    }
    return out;
  }

  async set(tx: Tx, entryId: number, property: DeadProperty): Promise<void> {
    await tx
      .insertInto('dead_properties')
      .values({ entry_id: entryId, namespace: property.ns, name: property.name, value: property.value })
      .onConflict((c) => c.columns(['entry_id', 'namespace', 'name']).doUpdateSet({ value: property.value }))
      .execute();
  }

  async remove(tx: Tx, entryId: number, ns: string, name: string): Promise<void> {
    await tx.deleteFrom('dead_properties').where('entry_id', '=', entryId).where('namespace', '=', ns).where('name', '=', name).execute();
  }

  /** Copies the properties of copied entries to their copies. */
  async copy(tx: Tx, idMap: ReadonlyMap<number, number>): Promise<void> {
    const sources = [...idMap.keys()];
    for (const batch of batchesOf(sources)) {
      const rows = await tx.selectFrom('dead_properties').selectAll().where('entry_id', 'in', batch).execute();
      for (const slice of batchesOf(rows)) {
        await tx
          .insertInto('dead_properties')
          .values(slice.map((row) => ({ ...row, entry_id: idMap.get(Number(row.entry_id))! })))
          .execute();
      }
    }
  }

  /** How many dead properties an entry has. */
  async countOn(tx: Tx, entryId: number): Promise<number> {
    const row = await tx
      .selectFrom('dead_properties')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('entry_id', '=', entryId)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /** The bytes (see propertyBytes) of an entry's dead properties. */
  async bytesOn(tx: Tx, entryId: number): Promise<number> {
    const result = await sql<{ total: number | string | null }>`
      select sum(${propertyBytes('p')}) as total from dead_properties p where p.entry_id = ${entryId}`.execute(tx);
    return Number(result.rows[0]?.total ?? 0);
  }

  /** The bytes (see propertyBytes) of every dead property in a user's tree. */
  async bytesOfOwner(tx: Tx, ownerId: number): Promise<number> {
    const result = await sql<{ total: number | string | null }>`
      select sum(${propertyBytes('p')}) as total
      from dead_properties p join entries e on e.id = p.entry_id
      where e.owner_id = ${ownerId}`.execute(tx);
    return Number(result.rows[0]?.total ?? 0);
  }

  /**
   * The dead properties of a subtree (bounded walk, see entry-walks.ts): their bytes, and the
   * most any one entry of it carries. What a COPY of the subtree would add.
   */
  async subtreeUsage(tx: Tx, rootId: number): Promise<{ bytes: number; mostOnOne: number }> {
    const result = await sql<{ bytes: number | string | null; most: number | string | null; depth: number | null }>`
      with recursive sub(id, depth) as (
        select id, 0 from entries where id = ${rootId}
        union all
        select e.id, sub.depth + 1 from entries e join sub on e.parent_id = sub.id
        where sub.depth < ${MAX_TREE_DEPTH}
      ),
      per_entry(count, bytes) as (
        select count(*), sum(${propertyBytes('p')}) from dead_properties p join sub on p.entry_id = sub.id group by p.entry_id
      )
      select (select sum(bytes) from per_entry) as bytes, (select max(count) from per_entry) as most,
        (select max(depth) from sub) as depth`.execute(tx);
    const row = result.rows[0];
    assertWithinBound(rootId, row?.depth);
    return { bytes: Number(row?.bytes ?? 0), mostOnOne: Number(row?.most ?? 0) };
  }

  /**
   * PostgreSQL: one property change per owner at a time, so two PROPPATCHes cannot each find
   * room under the per-user limit and together exceed it, and a DELETE or COPY that counts a
   * subtree's property bytes removes or copies exactly what it counted (the usage it charges
   * or releases stays exact). Taken after the tree lock, never before it. SQLite's writes are
   * serial already.
   */
  async serializeOwner(tx: Tx, dialect: SqlDialectName, ownerId: number): Promise<void> {
    if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${PROPERTY_ADVISORY_CLASS}, ${ownerId})`.execute(tx);
  }
}

/**
 * What a dead property costs, in bytes, wherever one is counted (the per-user limit, the storage
 * quota, doctor): the UTF-8 bytes of its namespace, its name and its value (the serialised XML
 * element) as stored. octet_length is SQLite's (3.43 and later, bundled with better-sqlite3)
 * and PostgreSQL's; both count the UTF-8 encoding of the text.
 */
export function propertyBytes(alias: string) {
  const column = (name: string) => sql.ref(`${alias}.${name}`);
  return sql<number>`(octet_length(${column('namespace')}) + octet_length(${column('name')}) + octet_length(${column('value')}))`;
}

/** The first key of the advisory locks that serialise property changes per owner ('PROP' in ASCII). */
const PROPERTY_ADVISORY_CLASS = 0x50524f50;
