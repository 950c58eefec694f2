import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';
import { BlobMissingError, type BlobBackend, type ByteRange, type StoredObject } from '../../backend.js';
import { PRIVATE_FOLDER_MODE } from '../../private-dir.js';
import { writeDurably } from './durable-write.js';
import { translateFileSystemError } from './errors.js';

const TEMPORARY_FOLDER = '.tmp';

/**
 * Blobs as files under one directory. A write goes to `.tmp/`, is fsynced, then renamed into
 * place and its directory fsynced, so a blob that exists is whole and survives a power cut;
 * a crash leaves at most a temporary file that removeTemporaries() clears.
 */
export class LocalBackend implements BlobBackend {
  readonly type = 'local';

  /** Folders known to exist, so a write does not mkdir them again. */
  private readonly knownFolders = new Set<string>();

  constructor(private readonly root: string) {}

  private async ensureFolder(folder: string): Promise<void> {
    if (this.knownFolders.has(folder)) return;
    await fs.mkdir(folder, { recursive: true, mode: PRIVATE_FOLDER_MODE });
    if (this.knownFolders.size > 100_000) this.knownFolders.clear();
    this.knownFolders.add(folder);
  }

  async put(key: string, source: Readable, options: { signal?: AbortSignal } = {}): Promise<number> {
    const target = this.pathOf(key);
    const temporary = path.join(this.root, TEMPORARY_FOLDER, `${randomUUID()}.part`);
    await this.ensureFolder(path.dirname(temporary));
    return writeDurably(
      temporary,
      target,
      (sink) => pipeline(source, sink, { signal: options.signal }),
      () => this.ensureFolder(path.dirname(target)),
    );
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const file = this.pathOf(key);
    const handle = await fs.open(file, 'r').catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'ENOENT' ? new BlobMissingError(key) : translateFileSystemError(error);
    });
    return createReadStream('', {
      fd: handle,
      start: range?.start,
      end: range?.end,
      highWaterMark: 1 << 20,
    });
  }

  async stat(key: string): Promise<{ size: number } | null> {
    try {
      const stats = await fs.stat(this.pathOf(key));
      return { size: stats.size };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw translateFileSystemError(error);
    }
  }

  async delete(key: string): Promise<void> {
    await fs.unlink(this.pathOf(key)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }

  async *list(): AsyncIterable<StoredObject> {
    yield* this.walk(this.root, '');
  }

  async freeSpace(): Promise<number> {
    await fs.mkdir(this.root, { recursive: true, mode: PRIVATE_FOLDER_MODE });
    const stats = await fs.statfs(this.root);
    return stats.bavail * stats.bsize;
  }

  async removeTemporaries(olderThan: number): Promise<number> {
    const folder = path.join(this.root, TEMPORARY_FOLDER);
    let names: string[];
    try {
      names = await fs.readdir(folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
    let removed = 0;
    for (const name of names) {
      const file = path.join(folder, name);
      const stats = await fs.stat(file).catch(() => null);
      if (stats && stats.mtimeMs < olderThan) {
        await fs.rm(file, { force: true });
        removed++;
      }
    }
    return removed;
  }

  private async *walk(folder: string, prefix: string): AsyncIterable<StoredObject> {
    let dirents;
    try {
      dirents = await fs.readdir(folder, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const dirent of dirents) {
      if (prefix === '' && dirent.name === TEMPORARY_FOLDER) continue;
      const key = prefix === '' ? dirent.name : `${prefix}/${dirent.name}`;
      const full = path.join(folder, dirent.name);
      if (dirent.isDirectory()) {
        yield* this.walk(full, key);
      } else if (dirent.isFile()) {
        const stats = await fs.stat(full).catch(() => null);
        if (stats) yield { key, size: stats.size, modifiedAt: stats.mtimeMs };
      }
    }
  }

  private pathOf(key: string): string {
    if (key.split('/').some((part) => part === '' || part === '.' || part === '..')) {
      throw new Error(`Invalid blob key ${JSON.stringify(key)}`);
    }
    return path.join(this.root, key);
  }
}
