import type { Readable } from 'node:stream';
import {
  InvalidArgumentError,
  IsAFolderError,
  NotFoundError,
  type ByteRange,
  type Entry,
  type Principal,
  type VPath,
} from '../../core/index.js';
import type { MountRecord, Tx } from '../../db/index.js';
import type { LockRules } from '../locks.js';
import type { LockedWrite, TransferOptions, Vfs, WriteOptions } from '../vfs.js';
import { copyAcrossStores } from './copy-across.js';
import { moveAcrossStores } from './move-across.js';
import { MountPlaces, assertMountWritable, translateSourceError, type MountedDependencies, type MountedPlace } from './mount-places.js';
import { MountScanner } from './mount-scanner.js';
import { MountedWrites } from './mounted-writes.js';

/**
 * Shared folders inside the vfs (DESIGN.md decision 3). The database mirrors each mounted tree
 * in `entries` (a root row per mount, a link row in each member's root), so listings, PROPFIND,
 * locks, dead properties and ETags work on mounted paths exactly as on managed ones; what
 * differs is where bytes live (the mount's source, never a blob) and who is charged (no one).
 * The Vfs asks here first for every operation on a path; null means "not mounted, go on".
 */
export class MountedTrees {
  readonly places: MountPlaces;
  readonly scanner: MountScanner;
  private readonly writes: MountedWrites;

  constructor(
    private readonly deps: MountedDependencies,
    private readonly lockRules: LockRules,
  ) {
    this.places = new MountPlaces(deps);
    this.scanner = new MountScanner(deps);
    this.writes = new MountedWrites(deps, this.places, this.scanner, lockRules, (principal, path) => this.locateScanned(principal, path));
  }

  /**
   * Locates a path, reading mounted folders on the way that were never scanned or changed on
   * disk since, so a path the disk has is found before anyone listed its folder.
   */
  async locateScanned(principal: Principal, path: VPath): Promise<MountedPlace | null> {
    for (;;) {
      const place = await this.deps.database.read((db) => this.places.locate(db, principal, path));
      if (!place || place.chain.length > path.length) return place;
      const last = place.chain[place.chain.length - 1]!;
      if (last.kind !== 'folder' || last.mountId === undefined) return place;
      const depth = place.chain.length - 1;
      const names = place.names.slice(0, place.names.length - (path.length - depth));
      const before = await this.deps.database.read((db) => this.deps.mounts.diskEntry(db, last.id));
      await this.scanner.scanFolder(place.mount, place.source, last.id, names).catch((error: unknown) => {
        throw translateSourceError(error);
      });
      const after = await this.deps.database.read((db) => this.deps.mounts.diskEntry(db, last.id));
      if (before?.diskMtimeNs === after?.diskMtimeNs) return place; // nothing new on disk
    }
  }

  /**
   * The watcher saw a change at `names` (a file or folder below the mount's top): reads the
   * deepest folder of it that the mirror holds again, even if its time did not move (a file
   * changed in place), which finds the change, bumps the ETags above it and emits its event.
   */
  async scanChanged(mount: MountRecord, names: readonly string[]): Promise<void> {
    const chain = await this.deps.database.read((db) => this.deps.entries.resolveChain(db, mount.rootId, names));
    let depth = chain.length - 1;
    while (depth > 0 && chain[depth]!.kind !== 'folder') depth--;
    const folder = chain[depth];
    if (!folder) return;
    await this.scanner.scanFolder(mount, await this.places.sourceOf(mount), folder.id, names.slice(0, depth), true);
  }

  /**
   * A remote mount (no inotify there), polled by the watch job: reads again every folder of its
   * mirror that someone has opened since it was mounted, top first; folders never opened are
   * read when first asked for. Returns the folders read.
   */
  async pollRemote(mount: MountRecord): Promise<number> {
    const source = await this.places.sourceOf(mount);
    const queue: Array<{ id: number; names: string[] }> = [{ id: mount.rootId, names: [] }];
    let scanned = 0;
    for (let next = queue.shift(); next; next = queue.shift()) {
      if (!(await this.scanner.scanFolder(mount, source, next.id, next.names, true))) continue;
      scanned++;
      const children = await this.deps.database.read((db) => this.deps.mounts.children(db, next!.id));
      for (const child of children) {
        if (child.kind === 'folder' && child.diskMtimeNs !== null) queue.push({ id: child.id, names: [...next.names, child.name] });
      }
    }
    return scanned;
  }

  /** The write guard of locks and dead properties: see assertEntryWritable. */
  readonly guard = (tx: Tx, principal: Principal, entry: Entry) => this.assertEntryWritable(tx, principal, entry);

  /** A stat that finds what a mount's store has before its mirror does, and refreshes a mounted file. */
  async stat(principal: Principal, path: VPath, resolve: () => Promise<Entry>): Promise<Entry> {
    const entry = await resolve().catch(async (error: unknown) => {
      // Not in the mirror yet, but perhaps in a mount's store: scan the folders on the way.
      if (error instanceof NotFoundError && (await this.reveal(principal, path))) return resolve();
      throw error;
    });
    return entry.mountId !== undefined ? this.fresh(principal, path, entry) : entry;
  }

  /** PROPPATCH and LOCK on a mounted entry: refused in a read-only mount (403), like every write. */
  async assertEntryWritable(tx: Tx, principal: Principal, entry: Entry): Promise<void> {
    if (entry.mountId === undefined) return;
    const mount = await this.deps.mounts.byId(tx, entry.mountId);
    if (mount) assertMountWritable(principal, mount);
  }

  /** After a path was not found: whether a scan of the mounted folders on its way found it. */
  async reveal(principal: Principal, path: VPath): Promise<boolean> {
    const place = await this.locateScanned(principal, path);
    return place !== null && place.chain.length > path.length;
  }

  /** Before a listing: a mounted folder whose time on disk moved is read again (a pruned scan). */
  async beforeList(principal: Principal, path: VPath): Promise<void> {
    const place = await this.deps.database.read((db) => this.places.locate(db, principal, path));
    const folder = place?.chain[path.length];
    if (!place || !folder || folder.kind !== 'folder') return;
    const present = await this.scanner.scanFolder(place.mount, place.source, folder.id, place.names).catch((error: unknown) => {
      throw translateSourceError(error);
    });
    if (!present) throw new NotFoundError('The folder is gone from the shared folder on disk');
  }

  /** A mounted file as the disk has it now (after a stat): see MountScanner.refreshFile. */
  async fresh(principal: Principal, path: VPath, entry: Entry): Promise<Entry> {
    if (entry.mountId === undefined) return entry;
    // Located for folders too: locating checks membership (a WebDAV account rooted inside a mount).
    const place = await this.deps.database.read((db) => this.places.locate(db, principal, path));
    if (!place || entry.kind !== 'file') return entry;
    return this.scanner.refreshFile(place.mount, place.source, entry, place.names);
  }

  /**
   * The bytes of a mounted file as `entry` saw them: opened by descriptor, and refused
   * (Conflict) when the file changed on disk since, so headers sent for one version never
   * front the bytes of another.
   */
  async open(entry: Entry, range?: ByteRange): Promise<Readable> {
    if (entry.kind !== 'file') throw new IsAFolderError('This is a folder, not a file');
    if (range && (range.start < 0 || range.end < range.start || range.end >= entry.size)) {
      throw new InvalidArgumentError(`Range ${range.start}-${range.end} is outside the file's ${entry.size} bytes`);
    }
    const { mount, names } = await this.deps.database.read(async (db) => ({
      mount: await this.mountOf(db, entry.mountId!),
      names: await this.places.namesBelowTop(db, entry),
    }));
    return (await this.places.sourceOf(mount)).read(names, range, entry.etag).catch((error: unknown) => {
      throw translateSourceError(error);
    });
  }

  write(principal: Principal, path: VPath, body: Readable, options: WriteOptions) {
    return this.writes.write(principal, path, body, options);
  }

  async mkdir(principal: Principal, path: VPath, options: LockedWrite & { parents?: boolean; mtime?: number }): Promise<Entry | null> {
    if (!options.parents) return this.writes.mkdir(principal, path, options);
    const place = await this.deps.database.read((db) => this.places.locate(db, principal, path));
    if (!place) return null;
    // With parents: each missing folder below the deepest existing one, in order.
    let made: Entry | null = place.chain[path.length] ?? null;
    for (let depth = place.chain.length; depth <= path.length; depth++) {
      made = await this.writes.mkdir(principal, path.slice(0, depth), options);
    }
    if (made?.kind !== 'folder') throw new InvalidArgumentError('A file is in the way');
    return made;
  }

  delete(principal: Principal, path: VPath, options: LockedWrite & { precondition?: (current: Entry) => void }) {
    return this.writes.delete(principal, path, options);
  }

  /** MOVE where a mount is the source or the destination (null otherwise): see MountedWrites.move and moveAcrossStores. */
  move(vfs: Vfs, principal: Principal, from: VPath, to: VPath, options: TransferOptions) {
    const guards = {
      database: this.deps.database,
      lockRules: this.lockRules,
      assertWritable: (tx: Tx, who: Principal, entry: Entry) => this.assertEntryWritable(tx, who, entry),
    };
    return this.writes.move(principal, from, to, options, () => moveAcrossStores(vfs, guards, principal, from, to, options));
  }

  /** COPY reading from or writing into a mount copies bytes, not blob references (null when no mount is involved). */
  async copy(vfs: Vfs, principal: Principal, from: VPath, to: VPath, options: TransferOptions & { depth?: '0' | 'infinity' }) {
    const involved = await this.deps.database.read(
      async (db) =>
        (await this.places.locate(db, principal, from)) !== null || (await this.places.locate(db, principal, to.slice(0, -1))) !== null,
    );
    return involved ? copyAcrossStores(vfs, principal, from, to, options) : null;
  }

  setMtime(principal: Principal, path: VPath, mtime: number, options: LockedWrite) {
    return this.writes.setMtime(principal, path, mtime, options);
  }

  private async mountOf(db: Parameters<MountPlaces['namesBelowTop']>[0], id: number): Promise<MountRecord> {
    const mount = await this.deps.mounts.byId(db, id);
    if (!mount) throw new NotFoundError('This shared folder was removed');
    return mount;
  }
}
