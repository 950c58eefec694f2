import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  InvalidArgumentError,
  NotFoundError,
  QuotaExceededError,
  ReadOnlyError,
  type Entry,
  type Principal,
  type VPath,
} from '../../core/index.js';
import { ChunkSizeMismatchError, type ChunkStore } from '../../storage/index.js';
import type { Vfs } from '../../vfs/index.js';

/** Chunk numbers of Nextcloud's chunking v2 (1 to 10,000); v1 names chunks by byte offset, any value. */
const MAX_CHUNK_NAME = Number.MAX_SAFE_INTEGER;

/** One stored chunk of a transfer: its name (a number), size and when it arrived. */
export interface TransferChunk {
  readonly name: number;
  readonly size: number;
  readonly mtime: number;
}

export interface AssembleOptions {
  /** OC-Total-Length: the file's size; a different sum of chunks stores nothing. */
  readonly totalLength?: number;
  readonly mtime?: number;
  /** OC-Checksum's SHA-1; a mismatch stores nothing. */
  readonly sha1?: string;
  readonly precondition?: (current: Entry | null) => void;
  readonly lockTokens?: readonly string[];
}

/**
 * Nextcloud's chunked uploads (`/remote.php/dav/uploads/<user>/<transfer>/<chunk>`): a folder
 * of chunks that a client fills in any order, lists to resume, and finally assembles onto a
 * file. The chunks live in the REST API's chunk store, under a session id derived from the
 * user and the client's transfer name, so transfers of different users never meet; a folder
 * left alone is swept with the store's orphans (UploadSweeper, after an hour without a change).
 * Assembly is one vfs write: atomic, quota-checked, versioned like any other.
 */
export class ChunkedTransfers {
  constructor(
    private readonly vfs: Vfs,
    private readonly chunks: ChunkStore,
  ) {}

  /** MKCOL: opens the transfer; with the announced total length, refuses at once what the quota cannot take. */
  async open(principal: Principal, transfer: string, totalLength?: number): Promise<void> {
    if (principal.readOnly) throw new ReadOnlyError();
    if (totalLength !== undefined) await this.assertFits(principal, totalLength);
    await this.chunks.create(sessionIdOf(principal, transfer));
  }

  /** PUT of one chunk; the body must have the announced length. A re-sent chunk replaces the old one. */
  async putChunk(principal: Principal, transfer: string, name: number, body: Readable, length: number): Promise<void> {
    if (principal.readOnly) throw new ReadOnlyError();
    assertChunkName(name);
    const id = sessionIdOf(principal, transfer);
    if ((await this.chunks.list(id)) === null) throw new NotFoundError('This upload folder does not exist; create it with MKCOL');
    try {
      await this.chunks.put(id, name, body, length);
    } catch (error) {
      if (error instanceof ChunkSizeMismatchError) throw new InvalidArgumentError(error.message);
      throw error;
    }
  }

  /** PROPFIND: the chunks stored so far (null when the transfer does not exist). */
  async list(principal: Principal, transfer: string): Promise<TransferChunk[] | null> {
    const stored = await this.chunks.list(sessionIdOf(principal, transfer));
    return stored?.map((chunk) => ({ name: chunk.index, size: chunk.size, mtime: chunk.mtime })) ?? null;
  }

  /**
   * MOVE of `.file`: the chunks in the order of their names become the content of `target`,
   * through the vfs write path; then the transfer is gone. Chunk sizes must add up to the
   * announced total; nothing is written otherwise.
   */
  async assemble(
    principal: Principal,
    transfer: string,
    target: VPath,
    options: AssembleOptions,
  ): Promise<{ entry: Entry; created: boolean }> {
    const id = sessionIdOf(principal, transfer);
    const stored = await this.chunks.list(id);
    if (stored === null) throw new NotFoundError('This upload folder does not exist (it expired or was completed)');
    const total = stored.reduce((sum, chunk) => sum + chunk.size, 0);
    if (options.totalLength !== undefined && options.totalLength !== total) {
      throw new InvalidArgumentError(`The chunks hold ${total} bytes where OC-Total-Length announced ${options.totalLength}`);
    }
    await this.assertFits(principal, total);
    const result = await this.vfs.write(
      principal,
      target,
      this.chunks.concatIndices(
        id,
        stored.map((chunk) => chunk.index),
      ),
      {
        expectedSize: total,
        mtime: options.mtime,
        expectedSha1: options.sha1,
        precondition: options.precondition,
        lockTokens: options.lockTokens,
      },
    );
    await this.chunks.remove(id);
    return result;
  }

  /** DELETE: abandons the transfer and its chunks. */
  async abort(principal: Principal, transfer: string): Promise<void> {
    const id = sessionIdOf(principal, transfer);
    if ((await this.chunks.list(id)) === null) throw new NotFoundError('This upload folder does not exist');
    await this.chunks.remove(id);
  }

  private async assertFits(principal: Principal, bytes: number): Promise<void> {
    if (principal.quota === null) return;
    const { available } = await this.vfs.capacity(principal);
    if (bytes > available) throw new QuotaExceededError(`The file needs ${bytes} bytes; ${available} are left in your quota`);
  }
}

function assertChunkName(name: number): void {
  if (!Number.isSafeInteger(name) || name < 0 || name > MAX_CHUNK_NAME) throw new InvalidArgumentError('A chunk is named by a number');
}

/**
 * The chunk store's session id of a transfer: keyed by the user and the principal's root as
 * well as the client's name, so two devices (or users) choosing the same name never share chunks.
 */
function sessionIdOf(principal: Principal, transfer: string): string {
  const digest = createHash('sha256').update(`${principal.userId}\0${principal.rootId}\0${transfer}`).digest('hex');
  return `nc-${digest.slice(0, 40)}`;
}
