import { AlreadyExistsError, type Entry, type Principal, type VPath } from '../../core/index.js';
import type { Database, EntryRepository, PhotoLibraryRecord, PhotoLibraryRepository } from '../../db/index.js';
import type { Lookups, Vfs } from '../../vfs/index.js';
import { ensureFolder } from './folders.js';

export type ImportOutcome =
  | { readonly type: 'imported'; readonly from: VPath; readonly to: VPath }
  | { readonly type: 'duplicate'; readonly path: VPath; readonly of: VPath };

/** Renamed targets tried before giving up (`name (2).ext` ... `name (999).ext`). */
const MAX_SUFFIX = 999;

/**
 * Moves a file from a library's import folder into the library as `YYYY/MM/name` by the date
 * it was taken (UTC), through the vfs (one row update, atomic, its events fired), renaming it
 * on a collision. A file whose content (SHA-256) the library already holds outside the import
 * folder is left where it is and reported: an import never deletes anything.
 */
export class PhotoImporter {
  constructor(
    private readonly database: Database,
    private readonly libraries: PhotoLibraryRepository,
    private readonly entries: EntryRepository,
    private readonly vfs: Vfs,
    private readonly lookups: Lookups,
  ) {}

  async import(principal: Principal, library: PhotoLibraryRecord, entry: Entry, from: VPath, takenAt: number): Promise<ImportOutcome> {
    const duplicate = entry.sha256 ? await this.copyIn(principal, library, entry.sha256, entry.id) : null;
    if (duplicate) return { type: 'duplicate', path: from, of: duplicate };
    const { path: rootPath } = await this.lookups.find(principal, library.rootId);
    const date = new Date(takenAt);
    const folder = [...rootPath, String(date.getUTCFullYear()).padStart(4, '0'), String(date.getUTCMonth() + 1).padStart(2, '0')];
    await ensureFolder(this.vfs, principal, folder);
    for (let n = 1; n <= MAX_SUFFIX; n++) {
      const to = [...folder, numbered(entry.name, n)];
      try {
        await this.vfs.move(principal, from, to, { overwrite: false });
        return { type: 'imported', from, to };
      } catch (error) {
        if (!(error instanceof AlreadyExistsError)) throw error;
      }
    }
    throw new AlreadyExistsError(`${folder.join('/')} holds ${MAX_SUFFIX} files named like ${entry.name}`);
  }

  /** The path of a file in the library (outside its import folder) with this content, if any. */
  private async copyIn(principal: Principal, library: PhotoLibraryRecord, sha256: string, exceptId: number): Promise<VPath | null> {
    const found = await this.database.read(async (db) => {
      for (const id of await this.libraries.sameContent(db, sha256, exceptId)) {
        const above = (await this.entries.ancestry(db, id)).map((link) => link.id);
        if (above.includes(library.rootId) && (library.importId === null || !above.includes(library.importId))) return id;
      }
      return null;
    });
    return found === null ? null : (await this.lookups.find(principal, found)).path;
  }
}

/** `beach.jpg`, `beach (2).jpg`, `beach (3).jpg`...; a leading dot is part of the name. */
export function numbered(name: string, n: number): string {
  if (n === 1) return name;
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)} (${n})${name.slice(dot)}` : `${name} (${n})`;
}
