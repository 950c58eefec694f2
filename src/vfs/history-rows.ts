import { isTemporaryName, type Entry, type Principal } from '../core/index.js';
import { TrashRepository, VersionRepository, type BlobRecord, type Tx, type VersionRecord } from '../db/index.js';
import type { VfsDependencies } from './vfs.js';

/** A rename onto a name its principal left this recently continues the departed file (issue 12). */
export const SAFE_SAVE_WINDOW_MS = 2 * 60_000;

/**
 * The row-level steps of versions and trash (issue 12), shared by the write, transfer and
 * delete paths inside their transactions. A version holds one reference to its blob and its
 * bytes stay charged to the owner, so turning a file's content into a version moves the
 * entry's reference to the version row and changes no counter.
 */
export class HistoryRows {
  readonly versions: VersionRepository;
  readonly trash: TrashRepository;

  constructor(private readonly deps: VfsDependencies) {
    this.versions = deps.versions ?? new VersionRepository();
    this.trash = deps.trash ?? new TrashRepository();
  }

  /**
   * Whether replacing this file's content keeps the old one as a version: managed files only
   * (a mounted file's bytes are on the mount's disk), not temporary names, not empty content.
   */
  keepsVersionOf(entry: Entry): boolean {
    return (
      this.maxVersions > 0 &&
      entry.kind === 'file' &&
      entry.mountId === undefined &&
      entry.blobId !== null &&
      entry.size > 0 &&
      !isTemporaryName(entry.name)
    );
  }

  private get maxVersions(): number {
    return this.deps.versionsMaxCount ?? 100;
  }

  /** Whether deleting this entry puts it in the trash rather than destroying it. */
  trashable(entry: Entry): boolean {
    return (
      (this.deps.trashRetentionDays ?? 30) > 0 && entry.parentId !== null && entry.mountId === undefined && !isTemporaryName(entry.name)
    );
  }

  /**
   * Makes the entry's current content a version; the entry's blob reference becomes the
   * version's. Beyond versions.maxCount the oldest go; returns the blobs that freed.
   */
  async keepVersion(tx: Tx, entry: Entry, by: Principal): Promise<BlobRecord[]> {
    await this.versions.insert(tx, {
      entryId: entry.id,
      ownerId: entry.ownerId,
      blobId: entry.blobId!,
      size: entry.size,
      mtime: entry.mtime,
      createdAt: this.deps.clock(),
      createdBy: by.userId,
    });
    const kept = await this.versions.ofEntry(tx, entry.id);
    return this.dropVersions(tx, kept.slice(this.maxVersions));
  }

  /** Deletes version rows: their bytes stop being charged and their blob references go. */
  async dropVersions(tx: Tx, versions: readonly VersionRecord[]): Promise<BlobRecord[]> {
    if (versions.length === 0) return [];
    const deleted = await this.versions.delete(
      tx,
      versions.map((version) => version.id),
    );
    const byOwner = new Map<number, number>();
    const references = new Map<string, number>();
    for (const version of versions) {
      if (!deleted.has(version.id)) continue;
      byOwner.set(version.ownerId, (byOwner.get(version.ownerId) ?? 0) + version.size);
      references.set(version.blobId, (references.get(version.blobId) ?? 0) + 1);
    }
    for (const [owner, bytes] of byOwner) await this.deps.users.addStorageUsed(tx, owner, -bytes, null);
    return this.deps.blobs.releaseReferences(tx, references);
  }

  /** Drops the versions of every file in a subtree (before its rows are deleted). */
  async dropVersionsBelow(tx: Tx, entryId: number): Promise<BlobRecord[]> {
    return this.dropVersions(tx, await this.versions.inSubtree(tx, entryId));
  }

  /**
   * Takes an entry, with its subtree, out of its owner's tree into the trash: the rows keep
   * their ids, bytes and properties (still charged); locks go (RFC 4918 7: a lock does not
   * survive its resource). Remembers a file's place for a safe save's rename.
   */
  async moveToTrash(tx: Tx, principal: Principal, entry: Entry): Promise<void> {
    const now = this.deps.clock();
    const ancestry = await this.deps.entries.ancestry(tx, entry.id);
    const restorePath = ancestry
      .slice(0, -1)
      .map((link) => link.name)
      .reverse();
    await this.deps.locks.deleteSubtree(tx, entry.id, now);
    await this.trash.takeOut(tx, entry.id);
    await this.trash.insert(tx, { entryId: entry.id, ownerId: entry.ownerId, restorePath, trashedAt: now, trashedBy: holderOf(principal) });
    await this.recordDeparture(tx, principal, entry);
  }

  /** Remembers that `principal` moved `entry` away from its place (before the move). */
  async recordDeparture(tx: Tx, principal: Principal, entry: Entry): Promise<void> {
    if (entry.kind !== 'file' || entry.parentId === null || !this.keepsVersionOf(entry)) return;
    await this.trash.recordDeparture(tx, {
      parentId: entry.parentId,
      name: entry.name,
      entryId: entry.id,
      holder: holderOf(principal),
      departedAt: this.deps.clock(),
    });
  }

  /**
   * The file `principal` moved away from or deleted at (parent, name) within the safe-save
   * window, if it is still a managed file of this owner (in the trash or elsewhere).
   */
  async departedFrom(tx: Tx, principal: Principal, parent: Entry, name: string, except: number): Promise<Entry | null> {
    const departure = await this.trash.departureAt(tx, {
      parentId: parent.id,
      name,
      holder: holderOf(principal),
      since: this.deps.clock() - SAFE_SAVE_WINDOW_MS,
    });
    if (!departure || departure.entryId === except) return null;
    const entry = await this.deps.entries.byId(tx, departure.entryId);
    if (!entry || entry.kind !== 'file' || entry.ownerId !== parent.ownerId || entry.mountId !== undefined) return null;
    // A file still somewhere in the tree: only directly in a folder (not below a trashed folder).
    if (entry.parentId === null && !(await this.trash.byEntry(tx, entry.id))) return null;
    if (entry.parentId !== null && (await this.trash.isTrashed(tx, entry.id))) return null;
    return entry;
  }
}

/** Who a principal is for trash and departures: its lock holder, or its label (shares cannot write). */
export function holderOf(principal: Principal): string {
  return principal.lockHolder ?? principal.label;
}
