import { formatPath, InvalidArgumentError, NotAFolderError, type Principal, type VPath } from '../../core/index.js';
import type { Database, EntryRepository, PhotoLibraryRecord, PhotoLibraryRepository, TimelineItem } from '../../db/index.js';
import type { Lookups, Vfs } from '../../vfs/index.js';
import { ensureFolder } from './folders.js';
import { LibraryExistsError, LibraryNotFoundError, NestedLibraryError } from './library.errors.js';

/** A library as its user sees it: paths from their root. */
export interface LibraryView {
  readonly id: number;
  readonly path: VPath;
  readonly importPath: VPath | null;
  readonly createdAt: number;
  /** Changed entries waiting for the next run. */
  readonly pending: number;
}

export interface TimelinePage {
  readonly items: ReadonlyArray<TimelineItem & { readonly path: VPath }>;
  readonly nextCursor: string | null;
}

export const MAX_TIMELINE_PAGE = 500;

/**
 * Marks folders as photo libraries (issue 12) and lists what they hold. A library belongs to
 * the user who marked it (in their own tree or in a shared folder they see); its runs act as
 * that user, so they can do nothing the user could not.
 */
export class LibraryService {
  constructor(
    private readonly database: Database,
    private readonly libraries: PhotoLibraryRepository,
    private readonly entries: EntryRepository,
    private readonly vfs: Vfs,
    private readonly lookups: Lookups,
    private readonly clock: () => number,
  ) {}

  /** Marks `path` as a library; `importPath` is created when missing. */
  async add(principal: Principal, path: VPath, importPath: VPath | null): Promise<LibraryView> {
    const root = await this.vfs.stat(principal, path);
    if (root.kind !== 'folder') throw new NotAFolderError(`${formatPath(path)} is a file, not a folder`);
    const imports = importPath ? await ensureFolder(this.vfs, principal, importPath) : null;
    if (imports && imports.id === root.id) throw new InvalidArgumentError('The import folder cannot be the library itself');
    const record = await this.database.transaction(async (tx) => {
      if (await this.libraries.byRoot(tx, root.id)) throw new LibraryExistsError(`${formatPath(path)} is a photo library already`);
      const above = new Set((await this.entries.ancestry(tx, root.id)).map((link) => link.id));
      for (const other of await this.libraries.list(tx)) {
        const otherAbove = (await this.entries.ancestry(tx, other.rootId)).map((link) => link.id);
        if (above.has(other.rootId) || otherAbove.includes(root.id)) {
          throw new NestedLibraryError('A photo library cannot lie inside another, nor contain one');
        }
      }
      return this.libraries.insert(tx, {
        userId: principal.userId,
        rootId: root.id,
        importId: imports?.id ?? null,
        createdAt: this.clock(),
      });
    });
    return this.view(principal, record);
  }

  /** The caller's libraries (those whose folder they can still reach). */
  async list(principal: Principal): Promise<LibraryView[]> {
    const records = await this.database.read((db) => this.libraries.list(db, principal.userId));
    const views = await Promise.all(records.map((record) => this.view(principal, record).catch(() => null)));
    return views.filter((view): view is LibraryView => view !== null);
  }

  /** The library marked at `path`. */
  async at(principal: Principal, path: VPath): Promise<LibraryView> {
    const root = await this.vfs.stat(principal, path);
    const record = await this.database.read((db) => this.libraries.byRoot(db, root.id));
    if (!record || record.userId !== principal.userId) throw new LibraryNotFoundError(`${formatPath(path)} is not a photo library`);
    return this.view(principal, record);
  }

  /** Unmarks a library; its files stay where they are. */
  async remove(principal: Principal, path: VPath): Promise<LibraryView> {
    const library = await this.at(principal, path);
    await this.database.transaction((tx) => this.libraries.delete(tx, library.id));
    return library;
  }

  /** A page of a library's photos and videos, newest first. */
  async timeline(principal: Principal, id: number, page: { limit?: number; cursor?: string } = {}): Promise<TimelinePage> {
    const limit = page.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TIMELINE_PAGE) {
      throw new InvalidArgumentError(`The page size must be between 1 and ${MAX_TIMELINE_PAGE}`);
    }
    const record = await this.database.read((db) => this.libraries.byId(db, id));
    if (!record || record.userId !== principal.userId) throw new LibraryNotFoundError(`There is no photo library #${id}`);
    const { path } = await this.lookups.find(principal, record.rootId);
    const before = page.cursor ? decodeCursor(page.cursor) : undefined;
    const rows = await this.database.read((db) => this.libraries.timeline(db, record.rootId, { limit: limit + 1, before }));
    const items = await Promise.all(
      rows.slice(0, limit).map(async (item) => ({ ...item, path: [...path, ...(await this.below(record.rootId, item.entry.id))] })),
    );
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.takenAt, last.entry.id) : null };
  }

  /** The names from a library's folder down to an entry in it. */
  private async below(rootId: number, id: number): Promise<string[]> {
    const chain = await this.database.read((db) => this.entries.ancestry(db, id));
    const at = chain.findIndex((link) => link.id === rootId);
    return chain
      .slice(0, at < 0 ? 0 : at)
      .map((link) => link.name)
      .reverse();
  }

  private async view(principal: Principal, record: PhotoLibraryRecord): Promise<LibraryView> {
    const { path } = await this.lookups.find(principal, record.rootId);
    const importPath =
      record.importId === null
        ? null
        : await this.lookups.find(principal, record.importId).then(
            (found) => found.path,
            () => null,
          );
    const pending = await this.database.read((db) => this.libraries.pendingCount(db, record.id));
    return { id: record.id, path, importPath, createdAt: record.createdAt, pending };
  }
}

function encodeCursor(takenAt: number, id: number): string {
  return Buffer.from(JSON.stringify([takenAt, id])).toString('base64url');
}

function decodeCursor(cursor: string): { takenAt: number; id: number } {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && value.every((part) => Number.isSafeInteger(part))) {
      return { takenAt: value[0] as number, id: value[1] as number };
    }
  } catch {
    // Reported below.
  }
  throw new InvalidArgumentError('This page cursor is not valid');
}
