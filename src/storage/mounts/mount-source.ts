import type { Readable } from 'node:stream';
import type { ByteRange } from '../backend.js';

/**
 * What a shared folder's tree is stored in (DESIGN.md decision 3): a local directory now, an
 * S3 prefix or a remote WebDAV tree later. Every item is named by its names below the mount's
 * top ([] is the top); a source never resolves anything above it. The database keeps the
 * namespace (a mirror of what was last seen); a source only answers for the bytes and the
 * identity of what it holds.
 */
export interface SourceStat {
  readonly kind: 'file' | 'folder';
  readonly size: number;
  readonly mtimeMs: number;
  /** Modification time in nanoseconds, exact (a string: beyond a double's precision). */
  readonly mtimeNs: string;
  /** What stays the same while the item does (the inode of a local file; an ETag elsewhere). */
  readonly identity: string;
}

export interface SourceChild {
  readonly name: string;
  readonly stat: SourceStat;
}

export interface MountSource {
  /**
   * Set by sources whose folders have no modification time that follows their names (S3, a
   * remote WebDAV server): a folder scanned less than this long ago is not read again, unless
   * forced (the watch job). Local directories leave it unset: their folder times prune scans.
   */
  readonly rescanAfterMs?: number;
  /** The item, or null when it is missing or is not a plain file or folder (a symlink, a device). */
  stat(names: readonly string[]): Promise<SourceStat | null>;
  /** A folder's own state, read before its children, and its plain files and folders. */
  list(names: readonly string[]): Promise<{ self: SourceStat; children: SourceChild[] }>;
  /** The bytes of a file; `expect` (a sourceTag) refuses a file that changed since it was seen. */
  read(names: readonly string[], range?: ByteRange, expect?: string): Promise<Readable>;
  /** Replaces or creates a file whole: readers see the old bytes or the new, never a part. */
  write(names: readonly string[], body: Readable, options?: SourceWriteOptions): Promise<SourceStat>;
  mkdir(names: readonly string[]): Promise<SourceStat>;
  /** Removes a file, or a folder with everything below it. */
  remove(names: readonly string[]): Promise<void>;
  rename(from: readonly string[], to: readonly string[]): Promise<SourceStat>;
  setMtime(names: readonly string[], mtimeMs: number): Promise<SourceStat>;
  /** Releases connections (remote sources). */
  close?(): void | Promise<void>;
}

export interface SourceWriteOptions {
  readonly signal?: AbortSignal;
  readonly mtimeMs?: number;
  /** Runs once the body is whole and durable, before it replaces anything: a throw stores nothing. */
  readonly beforeCommit?: () => void;
}

/** What changes whenever a file's content may have: identity, size and modification time (a file's ETag). */
export function sourceTag(stat: SourceStat): string {
  return `${stat.identity}-${stat.size.toString(16)}-${BigInt(stat.mtimeNs).toString(16)}`;
}

/** A name on the way is missing or is not a folder. */
export class SourceMissingError extends Error {}

/** The item changed since the caller saw it (another writer, or a change outside Cumulus). */
export class SourceChangedError extends Error {}

/** A symlink, device or socket where a plain file or folder was expected: never followed. */
export class SourceRefusedError extends Error {}
