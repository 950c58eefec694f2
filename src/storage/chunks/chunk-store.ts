import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidArgumentError } from '../../core/index.js';
import { writeDurably } from '../backends/local/durable-write.js';
import { PRIVATE_FOLDER_MODE } from '../private-dir.js';

/** A chunk body longer or shorter than the session says it must be; nothing was stored. */
export class ChunkSizeMismatchError extends Error {
  constructor(
    readonly expected: number,
    readonly received: number,
  ) {
    super(`The chunk has ${received > expected ? 'more than ' : ''}${received} bytes where ${expected} were expected`);
    this.name = 'ChunkSizeMismatchError';
  }
}

/** A chunk the caller recorded as stored is not on disk (lost in a crash, or removed by hand). */
export class ChunkMissingError extends Error {
  constructor(
    readonly sessionId: string,
    readonly index: number,
  ) {
    super(`Chunk ${index} of upload session ${sessionId} is missing from the upload folder`);
    this.name = 'ChunkMissingError';
  }
}

const SESSION_ID = /^[A-Za-z0-9-]{1,64}$/;

/**
 * The bytes of upload sessions' chunks, as files DATA/uploads/<session>/<index>. A chunk is
 * written to a temporary file beside it, fsynced and renamed into place, so a chunk that
 * exists is whole, and a re-sent chunk replaces the old one in one step; readers of the old
 * one keep reading it. Chunk bodies stream through; none is held in memory.
 */
export class ChunkStore {
  constructor(private readonly root: string) {}

  /** Stores exactly `expectedBytes` from `source` as chunk `index`, or nothing (ChunkSizeMismatchError, or the source's error). */
  async put(sessionId: string, index: number, source: Readable, expectedBytes: number): Promise<void> {
    const folder = this.folderOf(sessionId);
    const target = path.join(folder, chunkName(index));
    const temporary = path.join(folder, `.${chunkName(index)}.${randomUUID()}.part`);
    await fs.mkdir(folder, { recursive: true, mode: PRIVATE_FOLDER_MODE });
    const counter = new ExactLength(expectedBytes);
    // Piped rather than pipelined from the source: a refused body must not destroy the source,
    // which for a request would drop the connection before the refusal could be answered.
    // A source that fails or closes early is the client's doing (a dropped connection), not ours.
    const cut = () =>
      new InvalidArgumentError(`The chunk ended after ${counter.count} of its ${expectedBytes} bytes (the connection was closed)`);
    const onError = () => counter.destroy(cut());
    const onClose = () => {
      if (!source.readableEnded) counter.destroy(cut());
    };
    try {
      await writeDurably(temporary, target, async (sink) => {
        source.once('error', onError).once('close', onClose).pipe(counter);
        await pipeline(counter, sink);
        if (counter.count !== expectedBytes) throw new ChunkSizeMismatchError(expectedBytes, counter.count);
      });
    } finally {
      source.unpipe(counter);
      source.off('error', onError).off('close', onClose);
    }
  }

  /** Chunks 0 to count-1, one after the other, as one byte stream (ChunkMissingError if one is absent). */
  concat(sessionId: string, count: number): Readable {
    return this.concatIndices(
      sessionId,
      Array.from({ length: count }, (_, index) => index),
    );
  }

  /** The chunks named by `indices`, in that order, as one byte stream (ChunkMissingError if one is absent). */
  concatIndices(sessionId: string, indices: readonly number[]): Readable {
    const folder = this.folderOf(sessionId);
    async function* bytes(): AsyncGenerator<Buffer> {
      for (const index of indices) {
        try {
          for await (const piece of createReadStream(path.join(folder, chunkName(index)), { highWaterMark: 1 << 20 })) {
            yield piece as Buffer;
          }
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ChunkMissingError(sessionId, index);
          throw error;
        }
      }
    }
    return Readable.from(bytes(), { objectMode: false, highWaterMark: 1 << 20 });
  }

  /** Creates a session's folder before any chunk (a client that opens an upload, then lists it). */
  async create(sessionId: string): Promise<void> {
    await fs.mkdir(this.folderOf(sessionId), { recursive: true, mode: PRIVATE_FOLDER_MODE });
  }

  /** The stored chunks of a session by index, with their sizes and times (epoch ms); null when it has no folder. */
  async list(sessionId: string): Promise<{ index: number; size: number; mtime: number }[] | null> {
    const folder = this.folderOf(sessionId);
    let names: string[];
    try {
      names = await fs.readdir(folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    const out: { index: number; size: number; mtime: number }[] = [];
    for (const name of names) {
      if (!/^\d+$/.test(name)) continue; // temporaries of chunks being written
      const stats = await fs.stat(path.join(folder, name)).catch(() => null);
      if (stats) out.push({ index: Number(name), size: stats.size, mtime: stats.mtimeMs });
    }
    return out.sort((a, b) => a.index - b.index);
  }

  /** Removes a session's chunks and leftovers; returns what it freed. */
  async remove(sessionId: string): Promise<{ files: number; bytes: number }> {
    const folder = this.folderOf(sessionId);
    let files = 0;
    let bytes = 0;
    try {
      for (const name of await fs.readdir(folder)) {
        const stats = await fs.stat(path.join(folder, name)).catch(() => null);
        files++;
        bytes += stats?.size ?? 0;
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { files: 0, bytes: 0 };
      throw error;
    }
    await fs.rm(folder, { recursive: true, force: true });
    return { files, bytes };
  }

  /** Every session that has a chunk folder, with the folder's last change (epoch ms), for gc. */
  async *sessions(): AsyncIterable<{ sessionId: string; modifiedAt: number }> {
    let dirents;
    try {
      dirents = await fs.readdir(this.root, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const dirent of dirents) {
      if (!dirent.isDirectory() || !SESSION_ID.test(dirent.name)) continue;
      const stats = await fs.stat(path.join(this.root, dirent.name)).catch(() => null);
      if (stats) yield { sessionId: dirent.name, modifiedAt: stats.mtimeMs };
    }
  }

  private folderOf(sessionId: string): string {
    // Session ids come from the database, but never let one name a path outside the root.
    if (!SESSION_ID.test(sessionId)) throw new Error(`Invalid upload session id ${JSON.stringify(sessionId)}`);
    return path.join(this.root, sessionId);
  }
}

function chunkName(index: number): string {
  if (!Number.isSafeInteger(index) || index < 0) throw new Error(`Invalid chunk index ${index}`);
  return String(index);
}

/** Passes bytes through and fails as soon as more than `limit` arrive, so an oversized body is not read to its end. */
class ExactLength extends Transform {
  count = 0;

  constructor(private readonly limit: number) {
    super({ highWaterMark: 256 * 1024 });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.count += chunk.length;
    if (this.count > this.limit) {
      callback(new ChunkSizeMismatchError(this.limit, this.count));
      return;
    }
    callback(null, chunk);
  }
}
