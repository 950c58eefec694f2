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
  type VPath,
} from '../../core/index.js';
import type { LockRules } from '../locks.js';
import { ContentMeter } from '../meter.js';
import { assertValidTime, translateWriteError } from '../tree-rows.js';
import type { LockedWrite, TransferOptions, WriteOptions } from '../vfs.js';
import {
  assertMountWritable,
  assertNotTop,
  translateSourceError,
  type MountPlaces,
  type MountedDependencies,
  type MountedPlace,
} from './mount-places.js';
import { diskFields, type MountScanner } from './mount-scanner.js';

/**
 * Writes into mounted trees: the bytes go to the mount's source first (a temporary file renamed
 * over the name, so a reader sees the old file or the new, whole), then one transaction records
 * what the disk now holds. A crash between the two leaves the disk ahead of its mirror, which
 * the next scan of the folder corrects: the disk is the truth. Mounted bytes are charged to no
 * one's quota. Each method returns null when the path is not in a mount, for the vfs to go on.
 */
export class MountedWrites {
  constructor(
    private readonly deps: MountedDependencies,
    private readonly places: MountPlaces,
    private readonly scanner: MountScanner,
    private readonly lockRules: LockRules,
    private readonly locate: (principal: Principal, path: VPath) => Promise<MountedPlace | null>,
  ) {}

  async write(
    principal: Principal,
    path: VPath,
    body: Readable,
    options: WriteOptions,
  ): Promise<{ entry: Entry; created: boolean } | null> {
    if (options.mtime !== undefined) assertValidTime(options.mtime);
    const place = await this.locateForChange(principal, path);
    if (!place) return null;
    const { parent, current } = await this.target(place, path);
    if (current?.kind === 'folder') throw new IsAFolderError(`${formatPath(path)} is a folder`);
    options.precondition?.(current);
    await this.deps.database.read((db) =>
      this.lockRules.assertCanModify(db, principal, { covering: [current?.id ?? parent.id] }, options.lockTokens),
    );
    const meter = new ContentMeter(null);
    body.pipe(meter);
    body.once('error', (error) => meter.destroy(error));
    const stat = await place.source
      .write(place.names, meter, {
        signal: options.signal,
        mtimeMs: options.mtime,
        beforeCommit: () => {
          if (options.expectedSize !== undefined && meter.size !== options.expectedSize) {
            throw new InvalidArgumentError(`Received ${meter.size} bytes where ${options.expectedSize} were announced`);
          }
          const { sha1 } = meter.digests();
          if (options.expectedSha1 !== undefined && options.expectedSha1.toLowerCase() !== sha1) {
            throw new InvalidArgumentError("The content's SHA-1 is not the one announced");
          }
        },
      })
      .catch((error: unknown) => {
        throw translateSourceError(error);
      });
    const fields = diskFields(stat);
    const name = baseName(path);
    const result = await this.deps.database
      .transaction(async (tx) => {
        await this.deps.entries.lockOwnerTree(tx, place.mount.ownerId, this.deps.database.dialect, 'shared');
        const existing = await this.deps.entries.lockChild(tx, parent.id, name, this.deps.database.dialect);
        let entry: Entry | null;
        if (existing) {
          await this.deps.mounts.setDisk(tx, existing.id, fields);
          entry = await this.deps.entries.byId(tx, existing.id);
        } else {
          entry = await this.deps.mounts.insertMounted(tx, {
            parentId: parent.id,
            ownerId: place.mount.ownerId,
            mountId: place.mount.id,
            name,
            ctime: this.deps.clock(),
            ...fields,
          });
        }
        await this.scanner.bumpAbove(tx, parent.id);
        return { entry: entry!, created: existing === null };
      })
      .catch((error: unknown) => {
        throw translateWriteError(error, path);
      });
    this.deps.events.emit({ type: 'file.written', entry: result.entry, created: result.created });
    return result;
  }

  async mkdir(principal: Principal, path: VPath, options: LockedWrite & { mtime?: number }): Promise<Entry | null> {
    const place = await this.locateForChange(principal, path);
    if (!place) return null;
    const { parent, current } = await this.target(place, path);
    if (current) throw new AlreadyExistsError(`${formatPath(path)} already exists`);
    await this.deps.database.read((db) => this.lockRules.assertCanModify(db, principal, { covering: [parent.id] }, options.lockTokens));
    let stat = await place.source.mkdir(place.names).catch((error: unknown) => {
      throw (error as NodeJS.ErrnoException).code === 'EEXIST'
        ? new AlreadyExistsError(`${formatPath(path)} already exists`)
        : translateSourceError(error);
    });
    if (options.mtime !== undefined) stat = await place.source.setMtime(place.names, options.mtime);
    const entry = await this.deps.database.transaction(async (tx) => {
      await this.deps.entries.lockOwnerTree(tx, place.mount.ownerId, this.deps.database.dialect, 'shared');
      const inserted = await this.deps.mounts.insertMounted(tx, {
        parentId: parent.id,
        ownerId: place.mount.ownerId,
        mountId: place.mount.id,
        name: baseName(path),
        ctime: this.deps.clock(),
        ...diskFields(stat),
        etag: this.deps.newId(),
      });
      await this.scanner.bumpAbove(tx, parent.id);
      return inserted ?? (await this.deps.entries.child(tx, parent.id, baseName(path)))!;
    });
    this.deps.events.emit({ type: 'folder.created', entry });
    return entry;
  }

  async delete(
    principal: Principal,
    path: VPath,
    options: LockedWrite & { precondition?: (current: Entry) => void },
  ): Promise<Entry | null> {
    const place = await this.locateForChange(principal, path);
    if (!place) return null;
    const target = this.existing(place, path);
    assertNotTop(place, path.length);
    options.precondition?.(target);
    await this.deps.database.read((db) =>
      this.lockRules.assertCanModify(db, principal, { covering: [target.parentId!], subtrees: [target.id] }, options.lockTokens),
    );
    await place.source.remove(place.names).catch((error: unknown) => {
      throw translateSourceError(error);
    });
    await this.deps.database.transaction(async (tx) => {
      await this.deps.entries.lockOwnerTree(tx, place.mount.ownerId, this.deps.database.dialect, 'shared');
      await this.deps.entries.deleteSubtree(tx, target.id);
      await this.scanner.bumpAbove(tx, target.parentId!);
    });
    this.deps.events.emit({ type: 'entry.deleted', entry: target });
    return target;
  }

  async setMtime(principal: Principal, path: VPath, mtime: number, options: LockedWrite): Promise<Entry | null> {
    const place = await this.locateForChange(principal, path);
    if (!place) return null;
    const target = this.existing(place, path);
    await this.deps.database.read((db) => this.lockRules.assertCanModify(db, principal, { covering: [target.id] }, options.lockTokens));
    const stat = await place.source.setMtime(place.names, mtime).catch((error: unknown) => {
      throw translateSourceError(error);
    });
    const entry = await this.deps.database.transaction(async (tx) => {
      const fields = diskFields(stat);
      await this.deps.mounts.setDisk(tx, target.id, target.kind === 'folder' ? { ...fields, etag: target.etag } : fields);
      return (await this.deps.entries.byId(tx, target.id))!;
    });
    this.deps.events.emit({ type: 'entry.touched', entry });
    return entry;
  }

  /**
   * MOVE inside one mount is a rename in its store, then one row (RFC 4918 9.9). Into, out of
   * or between mounts the bytes change stores: `across` copies them and deletes the source.
   */
  async move(
    principal: Principal,
    from: VPath,
    to: VPath,
    options: TransferOptions,
    across: () => Promise<{ entry: Entry; replaced: boolean }>,
  ): Promise<{ entry: Entry; replaced: boolean } | null> {
    const source = await this.locateForChange(principal, from);
    const target = await this.locate(principal, to.slice(0, -1));
    if (!source && !target) return null;
    if (!source || !target || source.mount.id !== target.mount.id) {
      if (source) assertNotTop(source, from.length);
      if (target) assertMountWritable(principal, target.mount);
      return across();
    }
    assertMountWritable(principal, target.mount);
    const entry = this.existing(source, from);
    assertNotTop(source, from.length);
    const parent = target.chain[to.length - 1];
    if (!parent || parent.kind !== 'folder') throw new ConflictError('The parent folder does not exist');
    if (target.chain.some((e) => e.id === entry.id)) throw new ConflictError(`${formatPath(from)} cannot be moved into itself`);
    const toNames = [...target.names, baseName(to)];
    const existing = await this.deps.database.read((db) => this.deps.entries.child(db, parent.id, baseName(to)));
    if (existing?.id === entry.id) throw new ForbiddenError('The source and the destination are the same');
    if (existing && !options.overwrite) throw new AlreadyExistsError(`${formatPath(to)} already exists`);
    await this.deps.database.read((db) =>
      this.lockRules.assertCanModify(
        db,
        principal,
        { covering: [parent.id, entry.parentId!], subtrees: [entry.id, ...(existing ? [existing.id] : [])] },
        options.lockTokens,
      ),
    );
    try {
      if (existing && (existing.kind === 'folder' || entry.kind === 'folder')) await source.source.remove(toNames);
      const stat = await source.source.rename(source.names, toNames);
      const moved = await this.deps.database.transaction(async (tx) => {
        await this.deps.entries.lockOwnerTree(tx, source.mount.ownerId, this.deps.database.dialect, 'exclusive');
        if (existing) await this.deps.entries.deleteSubtree(tx, existing.id);
        await this.deps.locks.deleteSubtree(tx, entry.id, this.deps.clock());
        await this.deps.entries.relocate(tx, entry.id, parent.id, baseName(to));
        await this.deps.mounts.setDisk(
          tx,
          entry.id,
          entry.kind === 'folder' ? { ...diskFields(stat), etag: entry.etag } : diskFields(stat),
        );
        await this.scanner.bumpAbove(tx, parent.id);
        await this.scanner.bumpAbove(tx, entry.parentId!);
        return (await this.deps.entries.byId(tx, entry.id))!;
      });
      this.deps.events.emit({ type: 'entry.moved', entry: moved, fromParentId: entry.parentId!, fromName: entry.name });
      return { entry: moved, replaced: existing !== null };
    } catch (error) {
      throw translateWriteError(translateSourceError(error), to);
    }
  }

  /** A place in a mount that the principal may change, or null outside mounts. */
  private async locateForChange(principal: Principal, path: VPath): Promise<MountedPlace | null> {
    const place = await this.locate(principal, path);
    if (place) assertMountWritable(principal, place.mount);
    return place;
  }

  /** The parent folder of `path` and what is there now, from the located chain. */
  private async target(place: MountedPlace, path: VPath): Promise<{ parent: Entry; current: Entry | null }> {
    if (path.length === 0) throw new IsAFolderError('The root is a folder');
    const parent = place.chain[path.length - 1];
    if (!parent) throw new ConflictError('The parent folder does not exist');
    if (parent.kind !== 'folder') throw new ConflictError('A folder on the path is a file, not a folder');
    assertNotTop(place, path.length);
    return { parent, current: place.chain[path.length] ?? null };
  }

  private existing(place: MountedPlace, path: VPath): Entry {
    const entry = place.chain[path.length];
    if (!entry) throw new NotFoundError('The file or folder does not exist');
    return entry;
  }
}
