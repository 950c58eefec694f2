import type { Readable } from 'node:stream';
import {
  AlreadyExistsError,
  ConflictError,
  ForbiddenError,
  InvalidArgumentError,
  IsAFolderError,
  NotFoundError,
  baseName,
  formatPath,
  type Entry,
  type Principal,
  type SortDirection,
  type SortField,
  type VPath,
} from '../core/index.js';
import {
  type BlobRecord,
  type BlobRepository,
  type Database,
  type EntryRepository,
  type LockRepository,
  type PolicyRepository,
  type PropertyRepository,
  type Tx,
  type TrashRepository,
  type UserRepository,
  type VersionRepository,
} from '../db/index.js';
import type { ByteRange } from '../storage/index.js';
import type { BlobStore, DirectBlob } from './blob-store.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import type { VfsEvents } from './events.js';
import { LockManager, type LockLimits } from './lock-manager.js';
import { LockRules } from './locks.js';
import { Properties, type PropertyLimits } from './properties.js';
import { Transfers } from './transfers.js';
import { Writes } from './writes.js';
import { History } from './history.js';
import { TreeRows, assertValidTime, assertWritable, translateWriteError } from './tree-rows.js';
import { Resolver } from './resolver.js';
import { MountedTrees } from './mounts/mounted-trees.js';
import type { MountedDependencies } from './mounts/mount-places.js';

export interface VfsDependencies {
  readonly database: Database;
  readonly entries: EntryRepository;
  readonly blobs: BlobRepository;
  readonly users: UserRepository;
  readonly locks: LockRepository;
  readonly properties: PropertyRepository;
  readonly blobStore: BlobStore;
  /** Folder bindings to storage policies (a new PolicyRepository when absent). */
  readonly policies?: PolicyRepository;
  readonly events: VfsEvents;
  readonly clock: () => number;
  readonly newId: () => string;
  /** Random UUIDs for lock tokens. */
  readonly newToken: () => string;
  /** Lock timeouts and counts (webdav.maxLockSeconds, webdav.maxLocksPerUser); defaults when absent. */
  readonly lockLimits?: LockLimits;
  /** Dead-property limits (webdav.maxPropertiesPerResource, webdav.maxPropertyBytesPerUser); defaults when absent. */
  readonly propertyLimits?: PropertyLimits;
  /** Shared folders ("mounts"): where their rows and bytes are; no mounts when absent. */
  readonly mounts?: Pick<MountedDependencies, 'mounts' | 'memberships' | 'sourceFor'>;
  /** Versions and trash (issue 12); new repositories when absent. */
  readonly versions?: VersionRepository;
  readonly trash?: TrashRepository;
  /** trash.retentionDays: how long deleted entries are kept; 30 when absent. */
  readonly trashRetentionDays?: number;
  /** versions.maxCount: versions kept per file (0: none); 100 when absent. */
  readonly versionsMaxCount?: number;
}

export interface ListOptions {
  readonly sort?: SortField;
  readonly direction?: SortDirection;
  readonly foldersFirst?: boolean;
  /** Page size, 1 to 5000; default 1000. */
  readonly limit?: number;
  readonly cursor?: string;
  /** Internal: the mounted folder was just brought in step with the disk. */
  readonly mounted?: 'scanned';
}

export interface ListPage {
  readonly entries: Entry[];
  /** Pass back to get the next page; null on the last page. */
  readonly nextCursor: string | null;
}

export interface WriteOptions {
  /** Modification time to record; now by default. */
  readonly mtime?: number;
  /** The size the client announced; a body of another length is refused and nothing changes. */
  readonly expectedSize?: number;
  /** Checked against the current entry (or null) before streaming and again at commit. */
  readonly precondition?: (current: Entry | null) => void;
  /** Storage policy to write into; the principal's default otherwise. */
  readonly policyId?: number;
  readonly signal?: AbortSignal;
  readonly lockTokens?: readonly string[];
  /** A SHA-1 the client announced (OC-Checksum); a mismatch stores nothing. */
  readonly expectedSha1?: string;
}

/** Lock tokens the request submitted (RFC 4918 If header); every write path honours them. */
export interface LockedWrite {
  readonly lockTokens?: readonly string[];
}

export interface TransferOptions extends LockedWrite {
  /** Replace an existing target (RFC 4918 Overwrite: T); default false. */
  readonly overwrite?: boolean;
}

export const MAX_PAGE_SIZE = 5000;

/**
 * The namespace as one principal sees it. Every read and write of managed files goes
 * through here, so permissions, quotas and events are decided in one place whatever the
 * protocol (DESIGN.md decision 5).
 */
export class Vfs {
  readonly resolver: Resolver;
  readonly lockRules: LockRules;
  /** WebDAV locks: taken here, honoured by every write path of this class. */
  readonly locks: LockManager;
  /** WebDAV dead properties. */
  readonly properties: Properties;
  private readonly rows: TreeRows;
  private readonly transfers: Transfers;
  private readonly writes: Writes;
  /** Versions and trash (issue 12). */
  readonly history: History;
  /** Mounted trees: every operation asks here first (null answers mean "not mounted"). */
  readonly mounted: MountedTrees | null;

  constructor(private readonly deps: VfsDependencies) {
    this.resolver = new Resolver(deps.entries);
    this.lockRules = new LockRules(deps.locks, deps.clock, deps.database.dialect);
    this.mounted = deps.mounts ? new MountedTrees({ ...deps, ...deps.mounts }, this.lockRules) : null;
    const guard = this.mounted?.guard;
    this.locks = new LockManager(
      deps.database,
      deps.locks,
      this.lockRules,
      this.resolver,
      deps.clock,
      deps.newToken,
      deps.lockLimits,
      guard,
    );
    this.rows = new TreeRows(deps);
    this.properties = new Properties(
      deps.database,
      deps.properties,
      deps.entries,
      this.lockRules,
      this.resolver,
      this.rows,
      deps.propertyLimits,
      guard,
    );
    this.transfers = new Transfers(deps, this.resolver, this.lockRules, this.rows, this.properties);
    this.writes = new Writes(deps, this.resolver, this.lockRules, this.rows);
    this.history = new History(deps, this.resolver, this.rows);
  }

  async stat(principal: Principal, path: VPath): Promise<Entry> {
    const resolve = () => this.deps.database.read((db) => this.resolver.entry(db, principal, path));
    return this.mounted ? this.mounted.stat(principal, path, resolve) : resolve();
  }

  /** The entries from the view's root down to `path` (root first). */
  async chain(principal: Principal, path: VPath): Promise<Entry[]> {
    return this.deps.database.read((db) => this.resolver.chain(db, principal, path));
  }

  async list(principal: Principal, path: VPath, options: ListOptions = {}): Promise<ListPage> {
    const order = {
      sort: options.sort ?? 'name',
      direction: options.direction ?? 'asc',
      foldersFirst: options.foldersFirst ?? false,
    } as const;
    const limit = options.limit ?? 1000;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
      throw new InvalidArgumentError(`The page size must be between 1 and ${MAX_PAGE_SIZE}`);
    }
    const after = options.cursor ? decodeCursor(options.cursor, order) : undefined;
    const page = await this.deps.database.read(async (db) => {
      const folder = await this.resolver.entry(db, principal, path);
      if (folder.kind !== 'folder') throw new InvalidArgumentError('This is a file, not a folder');
      const rows = await this.deps.entries.listPage(db, { parentId: folder.id, ...order, limit: limit + 1, after });
      const entries = rows.slice(0, limit);
      const last = entries[entries.length - 1];
      const nextCursor =
        rows.length > limit && last ? encodeCursor(this.deps.entries.cursorOf(last, order.sort, order.foldersFirst), order) : null;
      return { entries, nextCursor, mounted: folder.mountId !== undefined };
    });
    if (!page.mounted || !this.mounted || after || options.mounted === 'scanned')
      return { entries: page.entries, nextCursor: page.nextCursor };
    // A mounted folder's first page: bring it in step with the disk (a pruned scan), then list again.
    await this.mounted.beforeList(principal, path);
    return this.list(principal, path, { ...options, mounted: 'scanned' });
  }

  /** Every child of a folder, page by page, in name order: for streaming listings. */
  async *children(principal: Principal, path: VPath, pageSize = 1000): AsyncIterable<Entry> {
    let cursor: string | undefined;
    do {
      const page = await this.list(principal, path, { limit: pageSize, cursor });
      yield* page.entries;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  /** Total size and counts below a folder (or of one file). */
  async summary(principal: Principal, path: VPath): Promise<{ files: number; folders: number; size: number }> {
    return this.deps.database.read(async (db) => {
      const entry = await this.resolver.entry(db, principal, path);
      return this.deps.entries.summarise(db, entry.id);
    });
  }

  /**
   * Bytes the principal's user stores and may still store (RFC 4331). Without a quota, what
   * is free in the storage the principal writes to.
   */
  async capacity(principal: Principal): Promise<{ used: number; available: number }> {
    const user = await this.deps.database.read((db) => this.deps.users.byId(db, principal.userId));
    const used = user?.storageUsed ?? 0;
    if (principal.quota !== null) return { used, available: Math.max(0, principal.quota - used) };
    const free = await (await this.deps.blobStore.backendOf(principal.storagePolicyId)).freeSpace?.();
    return { used, available: free ?? 0 };
  }

  /** A file's bytes, or `range` of them (inclusive, within the file). */
  async read(principal: Principal, path: VPath, range?: ByteRange): Promise<{ entry: Entry; stream: Readable }> {
    const entry = await this.stat(principal, path);
    return { entry, stream: await this.open(entry, range) };
  }

  /**
   * The bytes of the version `entry` (from stat) names, not of whatever its path holds by now:
   * a reader that sent headers for one version then streams that version. Once opened the
   * bytes stay readable; an open that finds the version already freed fails (IntegrityError).
   */
  async open(entry: Entry, range?: ByteRange): Promise<Readable> {
    if (entry.mountId !== undefined && this.mounted) return this.mounted.open(entry, range);
    if (entry.kind !== 'file' || entry.blobId === null) throw new IsAFolderError('This is a folder, not a file');
    if (range && (range.start < 0 || range.end < range.start || range.end >= entry.size)) {
      throw new InvalidArgumentError(`Range ${range.start}-${range.end} is outside the file's ${entry.size} bytes`);
    }
    return this.deps.blobStore.open(entry.blobId, range);
  }

  /**
   * Creates or replaces a file from a stream. The bytes become a durable blob first; one
   * transaction then points the entry at it, so readers see the old content or the new,
   * whole, and of concurrent writers the last to commit wins.
   */
  async write(
    principal: Principal,
    path: VPath,
    source: Readable,
    options: WriteOptions = {},
  ): Promise<{ entry: Entry; created: boolean }> {
    assertWritable(principal);
    const mounted = await this.mounted?.write(principal, path, source, options);
    return mounted ?? this.writes.write(principal, path, source, options);
  }

  /**
   * Makes a blob whose bytes a client put straight into the store (contract 15.5) the file's
   * content, as `write` does once it has stored a body: one transaction, quota and locks
   * checked there; on failure the blob is discarded.
   */
  attach(
    principal: Principal,
    path: VPath,
    blob: DirectBlob,
    policyId: number,
    options: Pick<WriteOptions, 'mtime' | 'precondition' | 'lockTokens'> = {},
  ): Promise<{ entry: Entry; created: boolean }> {
    return this.writes.commit(principal, path, blob, policyId, options);
  }

  /** The storage policy a new file in `folder` goes to (the nearest bound folder at or above it, else the principal's default). */
  async policyIn(principal: Principal, folder: VPath): Promise<number> {
    return this.deps.database.read((db) => this.writes.policyIn(db, principal, folder));
  }

  /** Creates a folder; with `parents`, creates missing ancestors and accepts an existing folder. */
  async mkdir(principal: Principal, path: VPath, options: LockedWrite & { parents?: boolean; mtime?: number } = {}): Promise<Entry> {
    assertWritable(principal);
    if (options.mtime !== undefined) assertValidTime(options.mtime);
    if (path.length === 0) {
      if (options.parents) return this.stat(principal, path);
      throw new AlreadyExistsError('The root folder already exists');
    }
    const mounted = await this.mounted?.mkdir(principal, path, options);
    if (mounted) return mounted;
    const created: Entry[] = [];
    const folder = await this.deps.database
      .transaction(async (tx) => {
        created.length = 0;
        await this.deps.entries.lockOwnerTree(tx, principal.userId, this.deps.database.dialect, 'shared');
        if (options.parents) {
          const folder = await this.makeParents(tx, principal, path, options, created);
          if (created.length > 0) await this.rows.changedBelow(tx, [created[0]!.parentId]);
          return folder;
        }
        const { parent } = await this.resolver.parentFolder(tx, principal, path);
        await this.lockRules.assertCanModify(tx, principal, { covering: [parent.id] }, options.lockTokens);
        const entry = await this.rows.insertFolder(tx, parent, baseName(path), options.mtime);
        if (!entry) throw new AlreadyExistsError(`${formatPath(path)} already exists`);
        created.push(entry);
        await this.rows.changedBelow(tx, [parent.id]);
        return entry;
      })
      .catch((error: unknown) => {
        throw translateWriteError(error, path);
      });
    for (const entry of created) this.deps.events.emit({ type: 'folder.created', entry });
    return folder;
  }

  /** Moves or renames; see Transfers.move. */
  async move(principal: Principal, from: VPath, to: VPath, options: TransferOptions = {}): Promise<{ entry: Entry; replaced: boolean }> {
    assertWritable(principal);
    const mounted = from.length > 0 && to.length > 0 ? await this.mounted?.move(this, principal, from, to, options) : null;
    return mounted ?? this.transfers.move(principal, from, to, options);
  }

  /** Copies a file or a whole tree; see Transfers.copy. */
  async copy(
    principal: Principal,
    from: VPath,
    to: VPath,
    options: TransferOptions & { depth?: '0' | 'infinity' } = {},
  ): Promise<{ entry: Entry; replaced: boolean }> {
    assertWritable(principal);
    const mounted = from.length > 0 && to.length > 0 ? await this.mounted?.copy(this, principal, from, to, options) : null;
    return mounted ?? this.transfers.copy(principal, from, to, options);
  }

  /**
   * Deletes a file or a folder with everything below it: into the owner's trash (issue 12), or
   * for good with `permanent`, for temporary names and for mounted entries (blobs go when
   * unreferenced).
   */
  async delete(
    principal: Principal,
    path: VPath,
    options: LockedWrite & { precondition?: (current: Entry) => void; permanent?: boolean } = {},
  ): Promise<Entry> {
    assertWritable(principal);
    if (path.length === 0) throw new ForbiddenError('The root folder cannot be deleted');
    const mounted = await this.mounted?.delete(principal, path, options);
    if (mounted) return mounted;
    let freed: BlobRecord[] = [];
    const entry = await this.deps.database
      .transaction(async (tx) => {
        // Before the lookup: a move or a write that commits while this waits changes what is deleted.
        await this.deps.entries.lockOwnerTree(tx, principal.userId, this.deps.database.dialect, 'exclusive');
        const target = await this.resolver.entry(tx, principal, path);
        options.precondition?.(target);
        await this.lockRules.assertCanModify(
          tx,
          principal,
          { covering: [target.parentId ?? target.id], subtrees: [target.id] },
          options.lockTokens,
        );
        if (!options.permanent && this.rows.history.trashable(target)) await this.rows.history.moveToTrash(tx, principal, target);
        else freed = await this.rows.removeSubtree(tx, target);
        await this.rows.changedBelow(tx, [target.parentId]);
        return target;
      })
      .catch((error: unknown) => {
        throw translateWriteError(error, path);
      });
    await this.deps.blobStore.removeFreed(freed);
    this.deps.events.emit({ type: 'entry.deleted', entry });
    return entry;
  }

  /** Sets a file's or folder's modification time (epoch milliseconds). */
  async setMtime(principal: Principal, path: VPath, mtime: number, options: LockedWrite = {}): Promise<Entry> {
    assertWritable(principal);
    assertValidTime(mtime);
    const mounted = await this.mounted?.setMtime(principal, path, mtime, options);
    if (mounted) return mounted;
    const entry = await this.deps.database.transaction(async (tx) => {
      const target = await this.resolver.entry(tx, principal, path);
      await this.lockRules.assertCanModify(tx, principal, { covering: [target.id] }, options.lockTokens);
      await this.deps.entries.setMtime(tx, target.id, Math.trunc(mtime));
      return (await this.deps.entries.byId(tx, target.id))!;
    });
    this.deps.events.emit({ type: 'entry.touched', entry });
    return entry;
  }

  private async makeParents(
    tx: Tx,
    principal: Principal,
    path: VPath,
    options: LockedWrite & { mtime?: number },
    created: Entry[],
  ): Promise<Entry> {
    const chain = await this.deps.entries.resolveChain(tx, principal.rootId, path);
    if (chain.length === 0) throw new NotFoundError('The root folder of this view no longer exists');
    let folder = chain[chain.length - 1]!;
    for (let depth = chain.length - 1; depth < path.length; depth++) {
      if (folder.kind !== 'folder') throw new ConflictError(`${formatPath(path.slice(0, depth))} is a file, not a folder`);
      const name = path[depth]!;
      if (created.length === 0) await this.lockRules.assertCanModify(tx, principal, { covering: [folder.id] }, options.lockTokens);
      const inserted = await this.rows.insertFolder(tx, folder, name, options.mtime);
      if (inserted) created.push(inserted);
      const entry = inserted ?? (await this.deps.entries.child(tx, folder.id, name))!;
      if (entry.kind !== 'folder') throw new ConflictError(`${formatPath(path.slice(0, depth + 1))} is a file, not a folder`);
      folder = entry;
    }
    return folder;
  }
}
