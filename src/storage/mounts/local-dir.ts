import { constants, createWriteStream, promises as fs, type BigIntStats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ByteRange } from '../backend.js';
import {
  SourceChangedError,
  SourceMissingError,
  SourceRefusedError,
  type MountSource,
  type SourceChild,
  type SourceStat,
  type SourceWriteOptions,
  sourceTag,
} from './mount-source.js';

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK, O_WRONLY, O_CREAT, O_EXCL } = constants;
const DIR_FLAGS = O_RDONLY | O_DIRECTORY | O_NOFOLLOW;

/** Temporary files of writes in progress: never listed, never mirrored. */
export const TEMP_NAME = /^\.cumulus-[0-9a-f]{16}\.tmp$/;

/**
 * A local directory as a mount source, where the disk is the truth and a symlink is never
 * followed, whoever planted it and whenever.
 *
 * Node has no openat(2), so every path is walked one name at a time through the directory
 * descriptor of the step before: `/proc/self/fd/<dirfd>/<name>` names `name` inside the
 * directory that descriptor holds, wherever it has been moved, and O_NOFOLLOW refuses `name`
 * itself being a symlink (the magic link /proc/self/fd/<dirfd> is the descriptor, not a path,
 * so nothing planted can redirect it). Each step opens with O_DIRECTORY | O_NOFOLLOW, so a
 * folder swapped for a link mid-walk fails the walk (ELOOP or ENOTDIR) instead of leaving the
 * mount. Files are read from the descriptor that was opened and checked (fstat), never reopened
 * by path. Linux only (it needs /proc), which is where Cumulus runs.
 */
export class LocalDirSource implements MountSource {
  constructor(private readonly top: string) {}

  async stat(names: readonly string[]): Promise<SourceStat | null> {
    if (names.length === 0) return this.withDir([], async (dir) => toStat(await dir.stat({ bigint: true })));
    try {
      return await this.withDir(names.slice(0, -1), async (dir) => {
        const stats = await fs.lstat(at(dir, names[names.length - 1]!), { bigint: true });
        return stats.isFile() || stats.isDirectory() ? toStat(stats) : null;
      });
    } catch (error) {
      if (error instanceof SourceMissingError || isCode(error, 'ENOENT')) return null;
      throw error;
    }
  }

  async list(names: readonly string[]): Promise<{ self: SourceStat; children: SourceChild[] }> {
    return this.withDir(names, async (dir) => {
      // The folder's mtime is read before its names: a change after this shows as a newer mtime.
      const self = toStat(await dir.stat({ bigint: true }));
      const children: SourceChild[] = [];
      for (const dirent of await fs.readdir(fdPath(dir), { withFileTypes: true })) {
        if (TEMP_NAME.test(dirent.name) || !(dirent.isFile() || dirent.isDirectory())) continue;
        try {
          const stats = await fs.lstat(at(dir, dirent.name), { bigint: true });
          if (stats.isFile() || stats.isDirectory()) children.push({ name: dirent.name, stat: toStat(stats) });
        } catch (error) {
          if (!isCode(error, 'ENOENT')) throw error; // removed since readdir: not there
        }
      }
      return { self, children };
    });
  }

  async read(names: readonly string[], range?: ByteRange, expect?: string): Promise<Readable> {
    const file = await this.openFile(names);
    try {
      const stats = await file.stat({ bigint: true });
      if (!stats.isFile()) throw new SourceRefusedError('Not a plain file');
      if (expect !== undefined && sourceTag(toStat(stats)) !== expect) throw new SourceChangedError('The file changed on disk');
      return file.createReadStream({ start: range?.start, end: range?.end, autoClose: true });
    } catch (error) {
      await file.close();
      throw error;
    }
  }

  async write(names: readonly string[], body: Readable, options: SourceWriteOptions = {}): Promise<SourceStat> {
    const name = lastName(names);
    return this.withDir(names.slice(0, -1), async (dir) => {
      const temp = `.cumulus-${randomBytes(8).toString('hex')}.tmp`;
      const file = await fs.open(at(dir, temp), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o644);
      let renamed = false;
      try {
        // A plain descriptor: a stream made from the FileHandle would hold it open past close().
        await pipeline(body, createWriteStream('', { fd: file.fd, autoClose: false, emitClose: false }), { signal: options.signal });
        options.beforeCommit?.();
        if (options.mtimeMs !== undefined) await file.utimes(new Date(), new Date(options.mtimeMs));
        await file.sync();
        const stats = toStat(await file.stat({ bigint: true }));
        // rename(2) replaces the name atomically and never follows a symlink at the target.
        await fs.rename(at(dir, temp), at(dir, name)).catch((error: unknown) => {
          throw isCode(error, 'EISDIR') || isCode(error, 'ENOTEMPTY') ? new SourceRefusedError('A folder has this name') : error;
        });
        renamed = true;
        return stats;
      } finally {
        await file.close();
        if (!renamed) await fs.unlink(at(dir, temp)).catch(() => undefined);
      }
    });
  }

  async mkdir(names: readonly string[]): Promise<SourceStat> {
    const name = lastName(names);
    return this.withDir(names.slice(0, -1), async (dir) => {
      await fs.mkdir(at(dir, name), { mode: 0o755 });
      return toStat(await fs.lstat(at(dir, name), { bigint: true }));
    });
  }

  async remove(names: readonly string[]): Promise<void> {
    const name = lastName(names);
    await this.withDir(names.slice(0, -1), (dir) => removeAt(dir, name));
  }

  async rename(from: readonly string[], to: readonly string[]): Promise<SourceStat> {
    return this.withDir(from.slice(0, -1), (source) =>
      this.withDir(to.slice(0, -1), async (target) => {
        await fs.rename(at(source, lastName(from)), at(target, lastName(to)));
        const stats = await fs.lstat(at(target, lastName(to)), { bigint: true });
        if (!(stats.isFile() || stats.isDirectory())) throw new SourceRefusedError('Not a plain file or folder');
        return toStat(stats);
      }),
    );
  }

  async setMtime(names: readonly string[], mtimeMs: number): Promise<SourceStat> {
    const name = lastName(names);
    return this.withDir(names.slice(0, -1), async (dir) => {
      // lutimes: a symlink's own time, never its target's.
      await fs.lutimes(at(dir, name), new Date(), new Date(mtimeMs));
      return toStat(await fs.lstat(at(dir, name), { bigint: true }));
    });
  }

  /** Opens a file below the top without following any symlink, as a descriptor. */
  private async openFile(names: readonly string[]): Promise<FileHandle> {
    const name = lastName(names);
    const dir = await this.openDir(names.slice(0, -1));
    try {
      // O_NONBLOCK: a FIFO planted under a file's name must not hang the open.
      return await fs.open(at(dir, name), O_RDONLY | O_NOFOLLOW | O_NONBLOCK).catch((error: unknown) => {
        throw translate(error);
      });
    } finally {
      await dir.close();
    }
  }

  private async withDir<T>(names: readonly string[], work: (dir: FileHandle) => Promise<T>): Promise<T> {
    const dir = await this.openDir(names);
    try {
      return await work(dir);
    } finally {
      await dir.close();
    }
  }

  /** Walks to a folder name by name, each step relative to the last one's descriptor. */
  private async openDir(names: readonly string[]): Promise<FileHandle> {
    let dir = await fs.open(this.top, O_RDONLY | O_DIRECTORY).catch((error: unknown) => {
      throw isCode(error, 'ENOENT') ? new SourceMissingError(`The shared folder's directory ${this.top} is gone`) : error;
    });
    for (const name of names) {
      assertPlainName(name);
      let next: FileHandle;
      try {
        next = await fs.open(at(dir, name), DIR_FLAGS);
      } catch (error) {
        await dir.close();
        throw translate(error);
      }
      await dir.close();
      dir = next;
    }
    return dir;
  }
}

/** Removes a file, a symlink (itself) or a folder tree, walking by descriptor: a swap mid-way removes the link, never its target. */
async function removeAt(dir: FileHandle, name: string): Promise<void> {
  assertPlainName(name);
  let child: FileHandle;
  try {
    child = await fs.open(at(dir, name), DIR_FLAGS);
  } catch (error) {
    if (isCode(error, 'ENOTDIR') || isCode(error, 'ELOOP')) return fs.unlink(at(dir, name));
    throw translate(error);
  }
  try {
    for (const entry of await fs.readdir(fdPath(child))) await removeAt(child, entry);
  } finally {
    await child.close();
  }
  await fs.rmdir(at(dir, name));
}

function fdPath(dir: FileHandle): string {
  return `/proc/self/fd/${dir.fd}`;
}

function at(dir: FileHandle, name: string): string {
  assertPlainName(name);
  return `${fdPath(dir)}/${name}`;
}

function lastName(names: readonly string[]): string {
  const name = names[names.length - 1];
  if (name === undefined) throw new SourceRefusedError('The top of a shared folder cannot be replaced');
  return name;
}

/** Defence in depth: names reach here validated (core/names.ts), but a slash or a dot-dot would escape the walk. */
function assertPlainName(name: string): void {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
    throw new SourceRefusedError(`Not a plain name: ${JSON.stringify(name)}`);
  }
}

function toStat(stats: BigIntStats): SourceStat {
  return {
    kind: stats.isDirectory() ? 'folder' : 'file',
    size: stats.isDirectory() ? 0 : Number(stats.size),
    mtimeMs: Number(stats.mtimeMs),
    mtimeNs: stats.mtimeNs.toString(),
    identity: stats.ino.toString(),
  };
}

function translate(error: unknown): unknown {
  if (isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR')) return new SourceMissingError('No such file or folder on disk');
  if (isCode(error, 'ELOOP') || isCode(error, 'ENXIO'))
    return new SourceRefusedError('A symlink or special file is in the way; it is never followed');
  return error;
}

function isCode(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === code;
}
