import {
  AlreadyExistsError,
  ConflictError,
  InvalidArgumentError,
  QuotaExceededError,
  ReadOnlyError,
  formatPath,
  type Entry,
  type Principal,
  type VPath,
} from '../core/index.js';
import { EntryNameTakenError, isForeignKeyViolation, type BlobRecord, type Tx } from '../db/index.js';
import type { DirectBlob, StoredBlob } from './blob-store.js';
import { HistoryRows } from './history-rows.js';
import type { VfsDependencies } from './vfs.js';

/**
 * The row-level steps that several vfs operations share inside their transactions: quota
 * accounting (file content and dead properties), freeing a subtree, new folders, and swapping
 * content under an entry's identity.
 */
export class TreeRows {
  /** Versions and trash (issue 12). */
  readonly history: HistoryRows;

  constructor(private readonly deps: VfsDependencies) {
    this.history = new HistoryRows(deps);
  }

  /**
   * A change below these folders: they and every folder above them get a new ETag in this
   * transaction (Nextcloud's clients skip folders whose ETag did not change). Called last in a
   * transaction, after its other row locks (see EntryRepository.touchAncestors).
   */
  async changedBelow(tx: Tx, folderIds: ReadonlyArray<number | null>): Promise<void> {
    const ids = folderIds.filter((id): id is number => id !== null);
    await this.deps.entries.touchAncestors(tx, ids, this.deps.newId(), this.deps.database.dialect);
  }

  /**
   * Points `target` at `source`'s content, keeping the target's identity. A moved source hands
   * over its blob reference; a copied one adds a reference. Returns blobs freed by the swap.
   */
  async replaceContent(
    tx: Tx,
    target: Entry,
    source: Entry,
    how: { sourceReference: 'moved' | 'copied'; by: Principal },
  ): Promise<BlobRecord[]> {
    // The target's content becomes a version (issue 12): still charged, its reference kept.
    const keep = this.history.keepsVersionOf(target);
    const trimmed = keep ? await this.history.keepVersion(tx, target, how.by) : [];
    if (how.sourceReference === 'copied' && source.blobId) await this.deps.blobs.addReferences(tx, new Map([[source.blobId, 1]]));
    if (how.sourceReference === 'moved' && !keep) await this.deps.users.addStorageUsed(tx, target.ownerId, -target.size, null);
    await this.deps.entries.setContent(tx, target.id, {
      size: source.size,
      blobId: source.blobId!,
      mtime: source.mtime,
      etag: source.etag,
    });
    if (how.sourceReference === 'moved') {
      // The source row goes next; its reference now belongs to the target.
      await this.deps.entries.detachBlob(tx, source.id);
    }
    return target.blobId && !keep ? this.deps.blobs.releaseReferences(tx, new Map([[target.blobId, 1]])) : trimmed;
  }

  /**
   * Makes a stored blob ready with one reference: writes an inline blob's row, or readies a
   * pending one (a direct upload's too, whose digests are unknown).
   */
  async markReady(tx: Tx, blob: StoredBlob | DirectBlob, policyId: number, content: { size: number; now: number }): Promise<void> {
    if (blob.content) {
      await this.deps.blobs.createInline(tx, {
        id: blob.id,
        policyId,
        content: blob.content,
        sha256: blob.sha256,
        sha1: blob.sha1,
        ...content,
      });
      return;
    }
    if (!(await this.deps.blobs.markReady(tx, blob.id, { ...content, sha256: blob.sha256, sha1: blob.sha1 }))) {
      throw new ConflictError('The upload went quiet for so long that it was cleaned up; please retry');
    }
  }

  /** Bytes the principal may still add, counting `replacing` bytes that a write frees; null = no limit. */
  async quotaAllowance(tx: Tx, principal: Principal, replacing: number): Promise<number | null> {
    if (principal.quota === null) return null;
    const user = await this.deps.users.byId(tx, principal.userId);
    return Math.max(0, principal.quota - (user?.storageUsed ?? 0) + replacing);
  }

  async chargeQuota(tx: Tx, principal: Principal, delta: number): Promise<void> {
    if (delta === 0) return;
    if (!(await this.deps.users.addStorageUsed(tx, principal.userId, delta, principal.quota))) {
      throw new QuotaExceededError('This change does not fit in the storage quota');
    }
  }

  /**
   * Deletes an entry's subtree and gives back its storage, file content and dead properties;
   * returns blobs to remove after commit.
   */
  async removeSubtree(tx: Tx, entry: Entry): Promise<BlobRecord[]> {
    const { size } = await this.deps.entries.summarise(tx, entry.id);
    const references = await this.deps.entries.blobReferences(tx, entry.id);
    const propertyBytes = await this.propertyBytesBelow(tx, entry);
    const versions = await this.history.dropVersionsBelow(tx, entry.id);
    await this.deps.entries.deleteSubtree(tx, entry.id);
    await this.deps.users.addStorageUsed(tx, entry.ownerId, -(size + propertyBytes), null);
    return [...versions, ...(await this.deps.blobs.releaseReferences(tx, references))];
  }

  /**
   * The bytes of the dead properties in an entry's subtree, counted under the owner's property
   * lock, held to the commit: no PROPPATCH changes them before the caller removes the rows.
   */
  async propertyBytesBelow(tx: Tx, entry: Entry): Promise<number> {
    await this.deps.properties.serializeOwner(tx, this.deps.database.dialect, entry.ownerId);
    return (await this.deps.properties.subtreeUsage(tx, entry.id)).bytes;
  }

  async insertFolder(tx: Tx, parent: Entry, name: string, mtime?: number): Promise<Entry | null> {
    const now = this.deps.clock();
    return this.deps.entries.insertIfAbsent(tx, {
      parentId: parent.id,
      ownerId: parent.ownerId,
      name,
      kind: 'folder',
      size: 0,
      blobId: null,
      mtime: mtime ?? now,
      ctime: now,
      etag: this.deps.newId(),
    });
  }
}

/** The latest time a JavaScript Date holds (ms since 1970): a later one could not be shown in any listing. */
const MAX_TIME_MS = 8.64e15;

export function assertValidTime(mtime: number): void {
  if (!Number.isFinite(mtime) || Math.abs(mtime) > MAX_TIME_MS) {
    throw new InvalidArgumentError('The modification time is not a valid date');
  }
}

export function assertWritable(principal: Principal): void {
  if (principal.readOnly) throw new ReadOnlyError();
}

/**
 * A foreign-key failure during a write means a folder it needed was removed meanwhile; a name
 * still taken after the transaction's retries means others keep creating it at the same moment.
 */
export function translateWriteError(error: unknown, path: VPath): unknown {
  if (isForeignKeyViolation(error)) return new ConflictError(`A folder on the way to ${formatPath(path)} was removed meanwhile`);
  if (error instanceof EntryNameTakenError) {
    return new AlreadyExistsError(`${formatPath(path)} was created by someone else at the same moment; try again`);
  }
  return error;
}
