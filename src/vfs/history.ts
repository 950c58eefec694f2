import type { Readable } from 'node:stream';
import {
  ConflictError,
  ForbiddenError,
  IsAFolderError,
  NotFoundError,
  ReadOnlyError,
  type Entry,
  type Principal,
  type VPath,
} from '../core/index.js';
import type { BlobRecord, TrashRecord, Tx, VersionRecord } from '../db/index.js';
import type { Resolver } from './resolver.js';
import { translateWriteError, type TreeRows } from './tree-rows.js';
import type { VfsDependencies } from './vfs.js';

/** A file's content now or before: `current` is the entry's own. */
export interface FileVersion {
  /** The version row's id; for the current content, 0. */
  readonly id: number;
  readonly blobId: string | null;
  readonly size: number;
  readonly mtime: number;
  /** When it became a version (the current one: the file's mtime). */
  readonly createdAt: number;
  readonly createdBy: number | null;
  readonly current: boolean;
}

export interface TrashedEntry {
  readonly entry: Entry;
  readonly record: TrashRecord;
  /** When retention deletes it for good (epoch ms). */
  readonly expiresAt: number;
}

/**
 * Versions and trash as a principal sees them (issue 12): listing, restoring and deleting old
 * contents of a file, and the owner's trash (restore, delete for good, empty, retention).
 * The trash belongs to the principal's user; only full-tree principals (the user's own root)
 * reach it, so a WebDAV account jailed in a folder cannot restore or empty anything.
 */
export class History {
  constructor(
    private readonly deps: VfsDependencies,
    private readonly resolver: Resolver,
    private readonly rows: TreeRows,
  ) {}

  /** The file's contents, current first, then its versions newest first. */
  async versions(principal: Principal, path: VPath): Promise<{ entry: Entry; versions: FileVersion[] }> {
    return this.deps.database.read(async (db) => {
      const entry = await this.fileAt(db, principal, path);
      const versions = await this.rows.history.versions.ofEntry(db, entry.id);
      return { entry, versions: [currentOf(entry), ...versions.map(versionOf)] };
    });
  }

  /** Opens a version's bytes (0 or the current id: the current content). */
  async openVersion(
    principal: Principal,
    path: VPath,
    versionId: number,
  ): Promise<{ entry: Entry; version: FileVersion; stream: Readable }> {
    const { entry, versions } = await this.versions(principal, path);
    const version = versions.find((v) => v.id === versionId || (v.current && versionId === 0));
    if (!version?.blobId) throw new NotFoundError(`File version ${versionId} does not exist`);
    return { entry, version, stream: await this.deps.blobStore.open(version.blobId) };
  }

  /** Makes a version the current content; the current one becomes a version (same id, history kept). */
  async restoreVersion(principal: Principal, path: VPath, versionId: number): Promise<Entry> {
    assertFullWriter(principal);
    const result = await this.change(principal, path, async (tx, entry) => {
      const version = await this.versionOf(tx, entry, versionId);
      if (!version) return { entry, freed: [] };
      const keep = this.rows.history.keepsVersionOf(entry);
      // The version's reference and charge become the entry's (taken first: trimming must not drop it).
      if ((await this.rows.history.versions.delete(tx, [version.id])).size === 0) throw new NotFoundError('This version was just deleted');
      const trimmed = keep ? await this.rows.history.keepVersion(tx, entry, principal) : [];
      if (!keep) await this.deps.users.addStorageUsed(tx, entry.ownerId, -entry.size, null);
      await this.deps.entries.setContent(tx, entry.id, {
        size: version.size,
        blobId: version.blobId,
        mtime: version.mtime,
        etag: version.blobId,
      });
      const freed = !keep && entry.blobId ? await this.deps.blobs.releaseReferences(tx, new Map([[entry.blobId, 1]])) : trimmed;
      await this.rows.changedBelow(tx, [entry.parentId]);
      return { entry: (await this.deps.entries.byId(tx, entry.id))!, freed };
    });
    this.deps.events.emit({ type: 'file.written', entry: result, created: false });
    return result;
  }

  /** Deletes an old version for good; the current content cannot be deleted this way. */
  async deleteVersion(principal: Principal, path: VPath, versionId: number): Promise<void> {
    assertFullWriter(principal);
    await this.change(principal, path, async (tx, entry) => {
      const version = await this.versionOf(tx, entry, versionId);
      if (!version) throw new ForbiddenError('The current version cannot be deleted; delete the file instead');
      return { entry, freed: await this.rows.history.dropVersions(tx, [version]) };
    });
  }

  /** The user's trash, newest first. */
  async trash(principal: Principal): Promise<TrashedEntry[]> {
    assertFullView(principal);
    return this.deps.database.read(async (db) => {
      const records = await this.rows.history.trash.ofOwner(db, principal.userId);
      const out: TrashedEntry[] = [];
      for (const record of records) {
        const entry = await this.deps.entries.byId(db, record.entryId);
        if (entry) out.push({ entry, record, expiresAt: this.expiryOf(record) });
      }
      return out;
    });
  }

  /** One trashed top entry of the user's. */
  async trashed(principal: Principal, entryId: number): Promise<TrashedEntry> {
    assertFullView(principal);
    return this.deps.database.read((db) => this.trashedIn(db, principal, entryId));
  }

  /**
   * Puts a trashed entry back where it was: missing folders on the way are made again, and a
   * name taken meanwhile gives the restored entry a new one ("name (restored)", ...).
   */
  async restore(principal: Principal, entryId: number): Promise<{ entry: Entry; path: VPath }> {
    assertFullWriter(principal);
    const result = await this.deps.database
      .transaction(async (tx) => {
        await this.deps.entries.lockOwnerTree(tx, principal.userId, this.deps.database.dialect, 'exclusive');
        const { entry, record } = await this.trashedIn(tx, principal, entryId);
        const owner = await this.deps.users.byId(tx, principal.userId);
        let folder = (await this.deps.entries.byId(tx, owner!.rootId))!;
        const folders = record.restorePath.slice(0, -1);
        for (const name of folders) {
          const existing = (await this.deps.entries.child(tx, folder.id, name)) ?? (await this.rows.insertFolder(tx, folder, name));
          if (!existing || existing.kind !== 'folder') throw new ConflictError(`The folder ${name} to restore into is a file now`);
          folder = existing;
        }
        const name = await this.freeName(tx, folder.id, entry.name);
        await this.rows.history.trash.delete(tx, entry.id);
        await this.deps.entries.relocate(tx, entry.id, folder.id, name);
        await this.rows.history.trash.forgetDepartures(tx, entry.id);
        // Nextcloud's clients find the restored entry by its new parent's ETag.
        await this.rows.changedBelow(tx, [folder.id]);
        return { entry: (await this.deps.entries.byId(tx, entry.id))!, path: [...folders, name] };
      })
      .catch((error: unknown) => {
        throw translateWriteError(error, []);
      });
    this.deps.events.emit({ type: 'entry.moved', entry: result.entry, fromParentId: 0, fromName: result.entry.name });
    return result;
  }

  /** Deletes a trashed entry and everything below it for good. */
  async purge(principal: Principal, entryId: number): Promise<void> {
    assertFullWriter(principal);
    await this.purgeOf(principal.userId, entryId);
  }

  /**
   * Trash retention (trash.retentionDays), for the scheduled job: deletes for good whatever
   * every user trashed longer ago than that, oldest first; returns how many items went.
   */
  async collectExpired(): Promise<{ removed: number }> {
    const before = this.deps.clock() - this.retentionMs;
    let removed = 0;
    for (;;) {
      const batch = await this.deps.database.read((db) => this.rows.history.trash.olderThan(db, before, 100));
      for (const record of batch) {
        await this.purgeOf(record.ownerId, record.entryId).catch((error: unknown) => {
          if (!(error instanceof NotFoundError)) throw error;
        });
        removed++;
      }
      if (batch.length < 100) return { removed };
    }
  }

  private async purgeOf(ownerId: number, entryId: number): Promise<void> {
    const freed = await this.deps.database.transaction(async (tx) => {
      await this.deps.entries.lockOwnerTree(tx, ownerId, this.deps.database.dialect, 'exclusive');
      const { entry } = await this.trashedIn(tx, { userId: ownerId }, entryId);
      // Another purge (retention, quota pressure) that took the row first has done the rest.
      if (!(await this.rows.history.trash.delete(tx, entry.id))) return [];
      return this.rows.removeSubtree(tx, entry);
    });
    await this.deps.blobStore.removeFreed(freed);
  }

  /** Deletes for good what the user trashed before `before` (everything by default); returns how many. */
  async empty(principal: Principal, before = Number.MAX_SAFE_INTEGER): Promise<number> {
    assertFullWriter(principal);
    let count = 0;
    for (;;) {
      const batch = await this.deps.database.read((db) => this.rows.history.trash.olderThan(db, before, 100, principal.userId));
      for (const record of batch) {
        await this.purge(principal, record.entryId).catch((error: unknown) => {
          if (!(error instanceof NotFoundError)) throw error;
        });
        count++;
      }
      if (batch.length < 100) return count;
    }
  }

  private async trashedIn(db: Tx, principal: Pick<Principal, 'userId'>, entryId: number): Promise<TrashedEntry> {
    const record = await this.rows.history.trash.byEntry(db, entryId);
    const entry = record && record.ownerId === principal.userId ? await this.deps.entries.byId(db, entryId) : null;
    if (!record || !entry) throw new NotFoundError('There is no such entry in the trash');
    return { entry, record, expiresAt: this.expiryOf(record) };
  }

  /** How long trash is kept (trash.retentionDays). */
  get retentionMs(): number {
    return (this.deps.trashRetentionDays ?? 30) * 86_400_000;
  }

  private expiryOf(record: TrashRecord): number {
    return record.trashedAt + this.retentionMs;
  }

  private async freeName(tx: Tx, folderId: number, name: string): Promise<string> {
    if (!(await this.deps.entries.child(tx, folderId, name))) return name;
    const dot = name.lastIndexOf('.');
    const [stem, extension] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
    for (let n = 1; ; n++) {
      const candidate = `${stem} (restored${n > 1 ? ` ${n}` : ''})${extension}`;
      if (!(await this.deps.entries.child(tx, folderId, candidate))) return candidate;
    }
  }

  private async fileAt(db: Tx, principal: Principal, path: VPath): Promise<Entry> {
    const entry = await this.resolver.entry(db, principal, path);
    if (entry.kind !== 'file') throw new IsAFolderError('Folders have no versions');
    return entry;
  }

  /** The version row `versionId` of the entry; null when it names the current content. */
  private async versionOf(tx: Tx, entry: Entry, versionId: number): Promise<VersionRecord | null> {
    if (versionId === 0) return null;
    const version = await this.rows.history.versions.byId(tx, versionId);
    if (!version || version.entryId !== entry.id) throw new NotFoundError(`File version ${versionId} does not exist`);
    return version;
  }

  /** One change of a file's contents under the owner's tree lock; frees blobs after commit. */
  private async change(
    principal: Principal,
    path: VPath,
    work: (tx: Tx, entry: Entry) => Promise<{ entry: Entry; freed: BlobRecord[] }>,
  ): Promise<Entry> {
    const { entry, freed } = await this.deps.database.transaction(async (tx) => {
      await this.deps.entries.lockOwnerTree(tx, principal.userId, this.deps.database.dialect, 'exclusive');
      const file = await this.fileAt(tx, principal, path);
      if (file.mountId !== undefined) throw new NotFoundError('Files in shared folders keep no versions');
      return work(tx, file);
    });
    await this.deps.blobStore.removeFreed(freed);
    return entry;
  }
}

function currentOf(entry: Entry): FileVersion {
  return { id: 0, blobId: entry.blobId, size: entry.size, mtime: entry.mtime, createdAt: entry.mtime, createdBy: null, current: true };
}

function versionOf(v: VersionRecord): FileVersion {
  return { id: v.id, blobId: v.blobId, size: v.size, mtime: v.mtime, createdAt: v.createdAt, createdBy: v.createdBy, current: false };
}

function assertFullView(principal: Principal): void {
  if (principal.label.startsWith('share:')) throw new ForbiddenError('A share has no trash');
}

function assertFullWriter(principal: Principal): void {
  if (principal.readOnly) throw new ReadOnlyError();
  assertFullView(principal);
}
