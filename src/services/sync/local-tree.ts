import type { Readable } from 'node:stream';
import { NotFoundError, PreconditionFailedError, type Entry, type Principal, type VPath } from '../../core/index.js';
import type { Vfs } from '../../vfs/index.js';
import type { LocalItem } from './sync.types.js';

/** Deepest folder a local walk descends. */
const MAX_DEPTH = 64;

/**
 * The pair's local folder as its user sees it, through the vfs: every write takes the one write
 * path (permissions, quota, versions on overwrite, the events that feed photo libraries).
 */
export class LocalTree {
  constructor(
    private readonly vfs: Vfs,
    readonly principal: Principal,
    private readonly base: VPath,
  ) {}

  pathOf(relative: string): VPath {
    return relative === '' ? this.base : [...this.base, ...relative.split('/')];
  }

  /** Every file and folder below the base, keyed by relative path (names are NFC in the vfs). */
  async list(signal?: AbortSignal): Promise<Map<string, LocalItem>> {
    const items = new Map<string, LocalItem>();
    await this.vfs.mkdir(this.principal, this.base, { parents: true });
    const walk = async (relative: string, depth: number): Promise<void> => {
      for await (const entry of this.vfs.children(this.principal, this.pathOf(relative))) {
        signal?.throwIfAborted();
        const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
        items.set(child, itemOf(entry));
        if (entry.kind === 'folder' && depth < MAX_DEPTH) await walk(child, depth + 1);
      }
    };
    await walk('', 0);
    return items;
  }

  async stat(relative: string): Promise<Entry | null> {
    return this.vfs.stat(this.principal, this.pathOf(relative)).catch((error: unknown) => {
      if (error instanceof NotFoundError) return null;
      throw error;
    });
  }

  async read(relative: string): Promise<{ entry: Entry; stream: Readable }> {
    return this.vfs.read(this.principal, this.pathOf(relative));
  }

  /** Writes a file unless it changed since it was listed (`expectedEtag`, null: must not exist). */
  async write(
    relative: string,
    source: Readable,
    options: { size: number; mtime: number; expectedEtag: string | null; signal?: AbortSignal },
  ) {
    const { entry } = await this.vfs.write(this.principal, this.pathOf(relative), source, {
      expectedSize: options.size,
      mtime: options.mtime > 0 ? options.mtime : undefined,
      signal: options.signal,
      precondition: (current) => {
        if ((current?.etag ?? null) !== options.expectedEtag) {
          throw new PreconditionFailedError(`${relative} changed here while the run was going; it is left for the next run`);
        }
      },
    });
    return entry;
  }

  async mkdir(relative: string): Promise<Entry> {
    return this.vfs.mkdir(this.principal, this.pathOf(relative), { parents: true });
  }

  async delete(relative: string, expectedEtag: string | null): Promise<void> {
    await this.vfs
      .delete(this.principal, this.pathOf(relative), {
        precondition: (current) => {
          if (expectedEtag !== null && current.kind === 'file' && current.etag !== expectedEtag) {
            throw new PreconditionFailedError(`${relative} changed here while the run was going; it is left for the next run`);
          }
        },
      })
      .catch((error: unknown) => {
        if (!(error instanceof NotFoundError)) throw error;
      });
  }

  async move(from: string, to: string): Promise<Entry> {
    return (await this.vfs.move(this.principal, this.pathOf(from), this.pathOf(to))).entry;
  }
}

export function itemOf(entry: Entry): LocalItem {
  return { entryId: entry.id, isFolder: entry.kind === 'folder', etag: entry.etag, size: entry.size, mtime: entry.mtime };
}
