import type { Selectable } from 'kysely';
import type { Entry } from '../../core/index.js';
import type { Tx } from '../database.js';
import type { MountsTable } from '../schema.js';
import { toEntry, type EntryRow } from './entry-row.js';

export interface MountRecord {
  readonly id: number;
  readonly name: string;
  readonly groupId: number;
  /** 'dir': a local directory. */
  readonly source: 'dir' | 'policy';
  readonly dir: string | null;
  readonly policyId: number | null;
  readonly prefix: string | null;
  readonly readOnly: boolean;
  /** The user the mounted rows belong to (no quota is charged for them). */
  readonly ownerId: number;
  readonly rootId: number;
  readonly createdAt: number;
}

export type NewMount = Omit<MountRecord, 'id' | 'rootId'>;

/** A mounted row with what the scanner last saw on disk. */
export interface DiskEntry extends Entry {
  readonly diskIno: string | null;
  readonly diskMtimeNs: string | null;
}

export interface DiskFields {
  readonly size: number;
  readonly mtime: number;
  readonly etag: string;
  readonly ino: string;
  readonly mtimeNs: string;
}

/** Mounts and the rows of mounted trees (see the 20261207T0800_mounts migration). */
export class MountRepository {
  async insert(tx: Tx, mount: NewMount): Promise<number> {
    const row = await tx
      .insertInto('mounts')
      .values({
        name: mount.name,
        group_id: mount.groupId,
        source: mount.source,
        dir: mount.dir,
        policy_id: mount.policyId,
        prefix: mount.prefix,
        read_only: mount.readOnly ? 1 : 0,
        owner_id: mount.ownerId,
        root_id: null,
        created_at: mount.createdAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  async setRoot(tx: Tx, id: number, rootId: number): Promise<void> {
    await tx.updateTable('mounts').set({ root_id: rootId }).where('id', '=', id).execute();
  }

  async setReadOnly(tx: Tx, id: number, readOnly: boolean): Promise<void> {
    await tx
      .updateTable('mounts')
      .set({ read_only: readOnly ? 1 : 0 })
      .where('id', '=', id)
      .execute();
  }

  async delete(tx: Tx, id: number): Promise<void> {
    await tx.deleteFrom('mounts').where('id', '=', id).execute();
  }

  async byId(tx: Tx, id: number): Promise<MountRecord | null> {
    const row = await tx.selectFrom('mounts').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toMount(row) : null;
  }

  async byName(tx: Tx, name: string): Promise<MountRecord | null> {
    const row = await tx.selectFrom('mounts').selectAll().where('name', '=', name).executeTakeFirst();
    return row ? toMount(row) : null;
  }

  async list(tx: Tx): Promise<MountRecord[]> {
    const rows = await tx.selectFrom('mounts').selectAll().orderBy('id').execute();
    return rows.map(toMount);
  }

  async ofGroups(tx: Tx, groupIds: readonly number[]): Promise<MountRecord[]> {
    if (groupIds.length === 0) return [];
    const rows = await tx.selectFrom('mounts').selectAll().where('group_id', 'in', groupIds).orderBy('id').execute();
    return rows.map(toMount);
  }

  /** The links in a folder (a member's root) to mount roots: name and the mount root's id. */
  async linksIn(tx: Tx, folderId: number): Promise<Array<{ id: number; name: string; linkTo: number }>> {
    const rows = await tx
      .selectFrom('entries')
      .select(['id', 'name', 'link_to'])
      .where('parent_id', '=', folderId)
      .where('link_to', 'is not', null)
      .execute();
    return rows.map((row) => ({ id: Number(row.id), name: row.name, linkTo: Number(row.link_to) }));
  }

  /** Adds a link; false when the name is taken in the folder. */
  async insertLink(
    tx: Tx,
    link: { folderId: number; ownerId: number; name: string; linkTo: number; now: number; etag: string },
  ): Promise<boolean> {
    const result = await tx
      .insertInto('entries')
      .values({
        parent_id: link.folderId,
        owner_id: link.ownerId,
        name: link.name,
        kind: 'folder',
        size: 0,
        blob_id: null,
        mtime: link.now,
        ctime: link.now,
        etag: link.etag,
        link_to: link.linkTo,
      })
      .onConflict((c) => c.columns(['parent_id', 'name']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async deleteLinksTo(tx: Tx, rootId: number): Promise<void> {
    await tx.deleteFrom('entries').where('link_to', '=', rootId).execute();
  }

  /** The children of a mounted folder with their disk identity. */
  async children(tx: Tx, parentId: number): Promise<DiskEntry[]> {
    const rows = await this.selectDisk(tx).where('e.parent_id', '=', parentId).execute();
    return rows.map(toDiskEntry);
  }

  async diskEntry(tx: Tx, id: number): Promise<DiskEntry | null> {
    const row = await this.selectDisk(tx).where('e.id', '=', id).executeTakeFirst();
    return row ? toDiskEntry(row) : null;
  }

  /** Inserts a mounted row unless the name is taken; null when it is. */
  async insertMounted(
    tx: Tx,
    row: { parentId: number | null; ownerId: number; mountId: number; name: string; kind: 'file' | 'folder'; ctime: number } & DiskFields,
  ): Promise<Entry | null> {
    const inserted = await tx
      .insertInto('entries')
      .values({
        parent_id: row.parentId,
        owner_id: row.ownerId,
        name: row.name,
        kind: row.kind,
        size: row.kind === 'file' ? row.size : 0,
        blob_id: null,
        mtime: row.mtime,
        ctime: row.ctime,
        etag: row.etag,
        mount_id: row.mountId,
        disk_ino: row.ino,
        // A folder is scanned later: its recorded mtime stays unset until then.
        disk_mtime_ns: row.kind === 'file' ? row.mtimeNs : null,
      })
      .onConflict((c) => c.columns(['parent_id', 'name']).doNothing())
      .returningAll()
      .executeTakeFirst();
    return inserted ? toEntry({ ...inserted, sha256: null, sha1: null }) : null;
  }

  async setDisk(tx: Tx, id: number, fields: DiskFields & { kind: 'file' | 'folder' }): Promise<void> {
    await tx
      .updateTable('entries')
      .set({
        size: fields.kind === 'file' ? fields.size : 0,
        mtime: fields.mtime,
        etag: fields.etag,
        disk_ino: fields.ino,
        ...(fields.kind === 'file' && { disk_mtime_ns: fields.mtimeNs }),
      })
      .where('id', '=', id)
      .execute();
  }

  /** Records that a folder was scanned at this on-disk mtime. */
  async setScanned(tx: Tx, id: number, mtimeNs: string): Promise<void> {
    await tx.updateTable('entries').set({ disk_mtime_ns: mtimeNs }).where('id', '=', id).execute();
  }

  /** New ETags for folders whose content changed (a folder's ETag is opaque: a fresh one per change). */
  async bumpFolders(tx: Tx, ids: readonly number[], etagOf: (id: number) => string): Promise<void> {
    for (const id of ids)
      await tx
        .updateTable('entries')
        .set({ etag: etagOf(id) })
        .where('id', '=', id)
        .execute();
  }

  private selectDisk(tx: Tx) {
    return tx.selectFrom('entries as e').leftJoin('blobs as b', 'b.id', 'e.blob_id').selectAll('e').select(['b.sha256', 'b.sha1']);
  }
}

function toDiskEntry(row: EntryRow): DiskEntry {
  return { ...toEntry(row), diskIno: row.disk_ino ?? null, diskMtimeNs: row.disk_mtime_ns ?? null };
}

function toMount(row: Selectable<MountsTable>): MountRecord {
  return {
    id: Number(row.id),
    name: row.name,
    groupId: Number(row.group_id),
    source: row.source as 'dir' | 'policy',
    dir: row.dir,
    policyId: row.policy_id === null ? null : Number(row.policy_id),
    prefix: row.prefix,
    readOnly: Number(row.read_only) === 1,
    ownerId: Number(row.owner_id),
    rootId: Number(row.root_id),
    createdAt: Number(row.created_at),
  };
}
