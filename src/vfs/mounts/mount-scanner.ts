import { NotFoundError, normaliseName, type Entry } from '../../core/index.js';
import type { DiskEntry, MountRecord, Tx } from '../../db/index.js';
import { SourceMissingError, sourceTag, type MountSource, type SourceChild, type SourceStat } from '../../storage/index.js';
import type { VfsEvent } from '../events.js';
import type { MountedDependencies } from './mount-places.js';

/**
 * Keeps the mirror of a mounted tree in `entries` in step with the disk, which is the truth
 * (DESIGN.md decision 3), one folder at a time and only where the disk says something changed:
 * a folder is read again only when its modification time on disk differs from the one its last
 * scan recorded (names added, removed or renamed change it), never as a whole-tree rescan. A
 * file whose bytes change in place leaves its folder's time alone: the watcher (on the process
 * holding the mount's lease) and every stat of the file catch that instead. Each change found
 * gives new ETags to the folders above it, up to the mount's top, and emits the event a write
 * through Cumulus emits, so jobs react the same way.
 */
export class MountScanner {
  constructor(private readonly deps: MountedDependencies) {}

  /**
   * Brings one mounted folder in step; `force` reads it even when its time has not moved (the
   * watcher saw a change inside). Returns false when the folder is gone from disk (its rows are
   * then removed).
   */
  async scanFolder(mount: MountRecord, source: MountSource, folderId: number, names: readonly string[], force = false): Promise<boolean> {
    const folder = await this.deps.database.read((db) => this.deps.mounts.diskEntry(db, folderId));
    if (!folder || folder.kind !== 'folder') return false;
    // A remote folder has no time that follows its names: its last scan is trusted for a while.
    const remote = source.rescanAfterMs !== undefined;
    if (remote && !force && folder.diskMtimeNs !== null && this.deps.clock() - nsToMs(folder.diskMtimeNs) < source.rescanAfterMs!) {
      return true;
    }
    let listing: Awaited<ReturnType<MountSource['list']>>;
    try {
      listing = await source.list(names);
    } catch (error) {
      if (!(error instanceof SourceMissingError) || names.length === 0) throw error;
      await this.forget(mount, folder);
      return false;
    }
    if (!force && !remote && folder.diskMtimeNs === listing.self.mtimeNs) return true;
    const events: VfsEvent[] = [];
    await this.deps.database.transaction(async (tx) => {
      events.length = 0;
      await this.deps.entries.lockOwnerTree(tx, mount.ownerId, this.deps.database.dialect, 'shared');
      const rows = new Map((await this.deps.mounts.children(tx, folder.id)).map((row) => [row.name, row]));
      for (const child of listing.children) {
        if (!representable(child.name)) continue;
        const row = rows.get(child.name);
        rows.delete(child.name);
        await this.reconcile(tx, mount, folder, child, row, events);
      }
      for (const gone of rows.values()) {
        await this.deps.entries.deleteSubtree(tx, gone.id);
        events.push({ type: 'entry.deleted', entry: gone });
      }
      await this.deps.mounts.setScanned(tx, folder.id, remote ? msToNs(this.deps.clock()) : listing.self.mtimeNs);
      if (events.length > 0) await this.bumpAbove(tx, folder.id);
    });
    for (const event of events) this.deps.events.emit(event);
    return true;
  }

  /**
   * A mounted file as the disk has it now: its row follows a change found (new ETag, size and
   * time, the event), and a file gone from disk is forgotten (NotFound).
   */
  async refreshFile(mount: MountRecord, source: MountSource, entry: Entry, names: readonly string[]): Promise<Entry> {
    const stat = await source.stat(names);
    const row = await this.deps.database.read((db) => this.deps.mounts.diskEntry(db, entry.id));
    if (!row) throw new NotFoundError('The file or folder does not exist');
    if (!stat || stat.kind !== row.kind) {
      await this.forget(mount, row);
      throw new NotFoundError('The file is gone from the shared folder on disk');
    }
    if (row.kind === 'folder' || sourceTag(stat) === row.etag) return entry;
    let updated: Entry | null = null;
    await this.deps.database.transaction(async (tx) => {
      await this.deps.mounts.setDisk(tx, row.id, diskFields(stat));
      await this.bumpAbove(tx, row.parentId!);
      updated = await this.deps.entries.byId(tx, row.id);
    });
    if (!updated) throw new NotFoundError('The file or folder does not exist');
    this.deps.events.emit({ type: 'file.written', entry: updated, created: false });
    return updated;
  }

  /** New ETags for a folder and every folder above it up to the mount's top (not the members' links). */
  async bumpAbove(tx: Tx, folderId: number): Promise<void> {
    const up = await this.deps.entries.ancestry(tx, folderId);
    await this.deps.mounts.bumpFolders(
      tx,
      up.map((link) => link.id),
      () => this.deps.newId(),
    );
  }

  private async reconcile(
    tx: Tx,
    mount: MountRecord,
    folder: DiskEntry,
    child: SourceChild,
    row: DiskEntry | undefined,
    events: VfsEvent[],
  ) {
    const fields = diskFields(child.stat);
    if (row && row.kind === child.stat.kind) {
      // Same kind: a file with another tag changed; a folder keeps its row (its own scan follows its time).
      if (row.kind === 'file' && row.etag !== fields.etag) {
        await this.deps.mounts.setDisk(tx, row.id, fields);
        events.push({ type: 'file.written', entry: { ...row, ...fields, size: fields.size }, created: false });
      } else if (row.kind === 'folder' && row.diskIno !== fields.ino) {
        await this.deps.mounts.setDisk(tx, row.id, { ...fields, etag: this.deps.newId() });
      }
      return;
    }
    if (row) {
      await this.deps.entries.deleteSubtree(tx, row.id);
      events.push({ type: 'entry.deleted', entry: row });
    }
    const inserted = await this.deps.mounts.insertMounted(tx, {
      parentId: folder.id,
      ownerId: mount.ownerId,
      mountId: mount.id,
      name: child.name,
      ctime: this.deps.clock(),
      ...fields,
      etag: child.stat.kind === 'file' ? fields.etag : this.deps.newId(),
    });
    if (!inserted) return; // a write through Cumulus recorded it at the same moment
    events.push(
      inserted.kind === 'file' ? { type: 'file.written', entry: inserted, created: true } : { type: 'folder.created', entry: inserted },
    );
  }

  /** Removes the rows of something gone from disk. */
  private async forget(mount: MountRecord, row: DiskEntry): Promise<void> {
    if (row.parentId === null) return; // the top stays; its directory may come back
    await this.deps.database.transaction(async (tx) => {
      await this.deps.entries.lockOwnerTree(tx, mount.ownerId, this.deps.database.dialect, 'shared');
      await this.deps.entries.deleteSubtree(tx, row.id);
      await this.bumpAbove(tx, row.parentId!);
    });
    this.deps.events.emit({ type: 'entry.deleted', entry: row });
  }
}

export function diskFields(stat: SourceStat) {
  return {
    kind: stat.kind,
    size: stat.size,
    mtime: Math.trunc(stat.mtimeMs),
    etag: sourceTag(stat),
    ino: stat.identity,
    mtimeNs: stat.mtimeNs,
  };
}

/** A name on disk that Cumulus's one naming rule (core/names.ts) does not accept as it is stays unlisted. */
function representable(name: string): boolean {
  try {
    return normaliseName(name) === name;
  } catch {
    return false;
  }
}

function nsToMs(ns: string): number {
  return Number(BigInt(ns) / 1_000_000n);
}

function msToNs(ms: number): string {
  return (BigInt(Math.trunc(ms)) * 1_000_000n).toString();
}
