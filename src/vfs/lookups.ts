import { Readable } from 'node:stream';
import {
  IntegrityError,
  InvalidArgumentError,
  IsAFolderError,
  NotFoundError,
  ReadOnlyError,
  formatPath,
  type ByteRange,
  type Entry,
  type EntryKind,
  type Principal,
  type VPath,
} from '../core/index.js';
import {
  VersionRepository,
  type Bounds,
  type MediaConditions,
  type Database,
  type EntryRepository,
  type LockRecord,
  type LockRepository,
  type Tx,
} from '../db/index.js';
import type { BlobStore } from './blob-store.js';
import { isPosition } from './cursor.js';
import { LockRules } from './locks.js';
import { Resolver } from './resolver.js';

export interface LookupDependencies {
  readonly database: Database;
  readonly entries: EntryRepository;
  readonly locks: LockRepository;
  readonly blobStore: BlobStore;
  readonly clock: () => number;
  /** The bytes of a file in a shared folder (Vfs.open); without it, mounted files are not reachable by id. */
  readonly openMounted?: (entry: Entry, range?: ByteRange) => Promise<Readable>;
}

/** A lock in the way of a change, with where it sits in the principal's view (null: above the view's root). */
export interface LockConflict {
  readonly lock: LockRecord;
  readonly path: VPath | null;
}

/** What a search asks for (Cloudreve V4 contract 4.1); every condition given must hold. */
export interface SearchConditions {
  /** Substrings of the name: all of them, or any one with `anyName`. */
  readonly names: readonly string[];
  readonly anyName?: boolean;
  readonly caseFolding?: boolean;
  readonly kind?: EntryKind;
  /** Lower-case extensions with their dot. */
  readonly extensions?: readonly string[];
  readonly size?: Bounds;
  /** Epoch milliseconds. */
  readonly created?: Bounds;
  readonly modified?: Bounds;
  /** Media metadata (issue 12): type, date taken, camera. */
  readonly media?: MediaConditions;
}

export interface SearchPage {
  readonly found: Array<{ entry: Entry; path: VPath }>;
  /** Pass back for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

/**
 * Reaching entries and locks by something other than a path: an id (file info by id, signed
 * downloads), a search below a folder, a lock token (unlocking from the REST API). Whatever
 * is found must lie inside the principal's view, exactly as for a path (DESIGN.md decision 4):
 * an id outside it is not found, whoever owns it.
 */
export class Lookups {
  private readonly resolver: Resolver;
  private readonly rules: LockRules;
  private readonly versions = new VersionRepository();

  constructor(private readonly deps: LookupDependencies) {
    this.resolver = new Resolver(deps.entries);
    this.rules = new LockRules(deps.locks, deps.clock, deps.database.dialect);
  }

  /** The entry with this id and its path from the principal's root. */
  async find(principal: Principal, id: number): Promise<{ entry: Entry; path: VPath }> {
    return this.deps.database.read(async (db) => {
      const entry = await this.deps.entries.byId(db, id);
      const path = entry && (await this.pathOf(db, principal, entry.id));
      if (!entry || !path) throw new NotFoundError('There is no file or folder with this id in this space');
      return { entry, path };
    });
  }

  /** The user whose space holds an entry, or null when there is no such entry (to choose the principal to look through). */
  async ownerOf(id: number): Promise<number | null> {
    const entry = await this.deps.database.read((db) => this.deps.entries.byId(db, id));
    return entry?.ownerId ?? null;
  }

  /**
   * A file whose content is still the version `blobId` (null: a file without content). A file
   * overwritten, moved out of the view or deleted since is not found, so a link to one version
   * never serves another.
   */
  async version(principal: Principal, id: number, blobId: string | null): Promise<Entry> {
    const { entry } = await this.find(principal, id);
    if (entry.kind !== 'file') throw new IsAFolderError('This is a folder, not a file');
    if (entry.blobId === blobId) return entry;
    // An old version kept (issue 12): the file as it was then.
    const kept = blobId === null ? [] : await this.deps.database.read((db) => this.versions.ofEntry(db, entry.id));
    const version = kept.find((v) => v.blobId === blobId);
    if (!version) throw new NotFoundError('This version of the file no longer exists: it was changed or replaced');
    return { ...entry, blobId, size: version.size, mtime: version.mtime, etag: blobId!, sha256: null, sha1: null };
  }

  /** Opens the content of a file found by version(), or a range of it (inclusive, within the file). */
  async open(file: Entry, range?: ByteRange): Promise<Readable> {
    if (range && (range.start < 0 || range.end < range.start || range.end >= file.size)) {
      throw new InvalidArgumentError(`Range ${range.start}-${range.end} is outside the file's ${file.size} bytes`);
    }
    if (file.mountId !== undefined) {
      if (!this.deps.openMounted) throw new NotFoundError('This file lies in a shared folder this server cannot read');
      return this.deps.openMounted(file, range);
    }
    if (file.blobId === null) return Readable.from([]);
    try {
      return await this.deps.blobStore.open(file.blobId, range);
    } catch (error) {
      // Overwritten between version() and here, and the old content already freed.
      const now = await this.deps.database.read((db) => this.deps.entries.byId(db, file.id));
      if (error instanceof IntegrityError && now?.blobId !== file.blobId) {
        throw new NotFoundError('This version of the file no longer exists: it was changed or replaced');
      }
      throw error;
    }
  }

  /**
   * Locks that stop the principal, holding no lock token, from changing `path` (RFC 4918
   * sections 6 and 7): those covering the entry; with `rename` (its name changes in its
   * folder: a rename, a move or a delete) those covering its folder too; with `subtree` (a
   * move or a delete takes everything below along) every lock below it.
   */
  async locksOn(principal: Principal, path: VPath, options: { rename: boolean; subtree: boolean }): Promise<LockConflict[]> {
    return this.deps.database.read(async (db) => {
      const chain = await this.resolver.chain(db, principal, path);
      const entry = chain[chain.length - 1]!;
      const folder = chain[chain.length - 2];
      const locks = await this.rules.inScope(db, {
        covering: options.rename && folder ? [folder.id, entry.id] : [entry.id],
        subtrees: options.subtree ? [entry.id] : [],
      });
      const out: LockConflict[] = [];
      for (const lock of locks) out.push({ lock, path: await this.pathOf(db, principal, lock.entryId) });
      return out;
    });
  }

  /**
   * Releases locks of the principal's user by token, all or none, whichever of the user's
   * principals took them: the escape hatch for a client that left a lock behind. Returns the
   * tokens that name no active lock of theirs inside the view (then nothing was released), or
   * the locks released. Writing with another principal's token stays refused (LockRules).
   */
  async releaseLocks(principal: Principal, tokens: readonly string[]): Promise<{ unknown: string[]; released: LockRecord[] }> {
    if (principal.readOnly) throw new ReadOnlyError('This space is read-only: it cannot unlock');
    return this.deps.database.transaction(async (tx) => {
      const unknown: string[] = [];
      const released: LockRecord[] = [];
      for (const token of new Set(tokens)) {
        const lock = await this.deps.locks.byToken(tx, token, this.deps.clock());
        if (!lock || lock.userId !== principal.userId || !(await this.pathOf(tx, principal, lock.entryId))) unknown.push(token);
        else released.push(lock);
      }
      if (unknown.length > 0) return { unknown, released: [] };
      for (const lock of released) await this.deps.locks.delete(tx, lock.token);
      return { unknown, released };
    });
  }

  /**
   * One page of the files and folders below `path`, at any depth, that meet the conditions:
   * folders first, then in creation order.
   */
  async search(
    principal: Principal,
    path: VPath,
    conditions: SearchConditions,
    page: { limit: number; cursor?: string },
  ): Promise<SearchPage> {
    if (!Number.isInteger(page.limit) || page.limit < 1 || page.limit > 5000) {
      throw new InvalidArgumentError('The page size must be between 1 and 5000');
    }
    const after = page.cursor ? decodeSearchCursor(page.cursor) : undefined;
    return this.deps.database.read(async (db) => {
      const folder = await this.resolver.entry(db, principal, path);
      if (folder.kind !== 'folder') throw new InvalidArgumentError(`${formatPath(path)} is a file, not a folder`);
      const rows = await this.deps.entries.search(
        db,
        {
          folderId: folder.id,
          names: conditions.names,
          anyName: conditions.anyName ?? false,
          caseFolding: conditions.caseFolding ?? false,
          kind: conditions.kind,
          extensions: conditions.extensions,
          size: conditions.size,
          ctime: conditions.created,
          mtime: conditions.modified,
          media: conditions.media,
          after,
          limit: page.limit + 1,
        },
        this.deps.database.dialect,
      );
      const found = rows.slice(0, page.limit).map((row) => ({ entry: row.entry, path: [...path, ...row.names] }));
      const last = found[found.length - 1]?.entry;
      const nextCursor = rows.length > page.limit && last ? encodeSearchCursor(last) : null;
      return { found, nextCursor };
    });
  }

  /** An entry's path from the principal's root, or null when the entry is not inside the view. */
  private async pathOf(db: Tx, principal: Principal, id: number): Promise<VPath | null> {
    const chain = await this.deps.entries.ancestry(db, id);
    // In a shared folder the walk up ends at the mount's top: continue from the member's link to it.
    const top = chain[chain.length - 1];
    if (top && !chain.some((link) => link.id === principal.rootId)) {
      const link = await this.deps.entries.linkTo(db, principal.rootId, top.id);
      if (link) chain.splice(chain.length - 1, 1, link, { id: principal.rootId, name: '' });
    }
    const root = chain.findIndex((link) => link.id === principal.rootId);
    return root < 0
      ? null
      : chain
          .slice(0, root)
          .map((link) => link.name)
          .reverse();
  }
}

/** Search cursors are opaque to clients: the last match's folder rank and id. */
function encodeSearchCursor(last: Entry): string {
  return Buffer.from(JSON.stringify(['search', last.kind === 'folder' ? 0 : 1, last.id])).toString('base64url');
}

function decodeSearchCursor(cursor: string): { rank: number; id: number } {
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    payload = null;
  }
  if (
    !Array.isArray(payload) ||
    payload.length !== 3 ||
    payload[0] !== 'search' ||
    (payload[1] !== 0 && payload[1] !== 1) ||
    !isPosition(payload[2])
  ) {
    throw new InvalidArgumentError('The search page token is not valid');
  }
  return { rank: payload[1] as number, id: payload[2] as number };
}
