import { ConflictError, NotAFolderError, NotFoundError, type Entry, type Principal, type VPath } from '../core/index.js';
import type { EntryRepository, Tx } from '../db/index.js';

/**
 * Turns a principal's path into entries, always starting from the principal's root, so a
 * view can never name anything above it (DESIGN.md decision 4).
 */
export class Resolver {
  constructor(private readonly entries: EntryRepository) {}

  /** The chain of entries from the view's root to `path`; throws if any step is missing. */
  async chain(tx: Tx, principal: Principal, path: VPath): Promise<Entry[]> {
    const chain = await this.entries.resolveChain(tx, principal.rootId, path);
    if (chain.length === 0) throw new NotFoundError('The root folder of this view no longer exists');
    if (chain.length === path.length + 1) return chain;
    const last = chain[chain.length - 1]!;
    if (last.kind === 'file') {
      throw new NotAFolderError('A folder on the path is a file, not a folder');
    }
    throw new NotFoundError('The file or folder does not exist');
  }

  async entry(tx: Tx, principal: Principal, path: VPath): Promise<Entry> {
    const chain = await this.chain(tx, principal, path);
    return chain[chain.length - 1]!;
  }

  /**
   * The folder that will hold `path` and what is there now (or null), from one query: what a
   * write needs to know before it streams and again when it commits.
   */
  async target(tx: Tx, principal: Principal, path: VPath): Promise<{ parent: Entry; current: Entry | null }> {
    const chain = await this.entries.resolveChain(tx, principal.rootId, path);
    if (chain.length === 0) throw new NotFoundError('The root folder of this view no longer exists');
    if (chain.length === path.length + 1 && path.length > 0) return { parent: chain[chain.length - 2]!, current: chain[chain.length - 1]! };
    const last = chain[chain.length - 1]!;
    if (chain.length === path.length && last.kind === 'folder') return { parent: last, current: null };
    if (last.kind === 'file') throw new ConflictError('A folder on the path is a file, not a folder');
    throw new ConflictError('The parent folder does not exist');
  }

  /**
   * The folder that will hold `path`, with the chain leading to it. A missing or non-folder
   * parent is a ConflictError: the request is fine, the tree is not ready for it.
   */
  async parentFolder(tx: Tx, principal: Principal, path: VPath): Promise<{ parent: Entry; chain: Entry[] }> {
    const parentPath = path.slice(0, -1);
    let chain: Entry[];
    try {
      chain = await this.chain(tx, principal, parentPath);
    } catch (error) {
      if (error instanceof NotFoundError || error instanceof NotAFolderError) {
        throw new ConflictError('The parent folder does not exist');
      }
      throw error;
    }
    const parent = chain[chain.length - 1]!;
    if (parent.kind !== 'folder') throw new ConflictError('The parent folder is a file, not a folder');
    return { parent, chain };
  }
}
