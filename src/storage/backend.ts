import type { Readable } from 'node:stream';

/** An inclusive byte range, already checked against the blob's size by the caller. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export interface StoredObject {
  readonly key: string;
  readonly size: number;
  /** Epoch milliseconds of the last write, for gc's grace period. */
  readonly modifiedAt: number;
}

/**
 * Where blob bytes live: a small core every backend implements, plus optional
 * capabilities that callers discover at run time and fall back from (STYLE.md item 2).
 * Keys are opaque, chosen by the caller, and never contain "..".
 */
export interface BlobBackend {
  /** 'memory', 'local', 's3', 'webdav'. */
  readonly type: string;
  /**
   * Streams `source` to `key` and resolves once the bytes are durable. On failure, or when
   * `signal` aborts, nothing is left at `key`. Returns the number of bytes stored.
   */
  put(key: string, source: Readable, options?: { signal?: AbortSignal }): Promise<number>;
  /** The object's bytes, or only `range` of them. Throws BlobMissingError if absent. */
  get(key: string, range?: ByteRange): Promise<Readable>;
  stat(key: string): Promise<{ size: number } | null>;
  /** Removes the object; a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** Every stored object, for gc and doctor. */
  list(): AsyncIterable<StoredObject>;

  /** Optional: server-side copy without moving bytes through this process. */
  copy?(from: string, to: string): Promise<void>;
  /** Optional: bytes still free where this backend stores, for capacity displays. */
  freeSpace?(): Promise<number>;
  /** Optional: removes the backend's own temporary files older than `olderThan` (epoch ms). */
  removeTemporaries?(olderThan: number): Promise<number>;
}

/** The backend holds no object under this key. */
export class BlobMissingError extends Error {
  constructor(readonly key: string) {
    super(`No stored object for key ${key}`);
    this.name = 'BlobMissingError';
  }
}
