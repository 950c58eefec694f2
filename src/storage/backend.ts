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
  /**
   * Optional: an absolute URL that serves the object without this server (S3 presigned GET),
   * valid for at most `expiresInSeconds`, with the given Content-Disposition.
   */
  presignGet?(key: string, options: PresignGetOptions): Promise<string>;
  /**
   * Optional: a multipart upload the client performs straight against the store (Cloudreve
   * contract 15.5): one presigned PUT URL per part, and a presigned completion URL.
   */
  createDirectUpload?(key: string, options: { size: number; partSize: number; expiresInSeconds: number }): Promise<DirectUpload>;
  /**
   * Optional, with createDirectUpload: the origins (scheme://host[:port]) its presigned URLs
   * may have, which the web UI's Content-Security-Policy must let the page connect to.
   */
  readonly directUploadOrigins?: readonly string[];
  /** Optional: abandons a direct upload; the parts stored so far go. */
  abortDirectUpload?(key: string, uploadId: string): Promise<void>;
  /** Optional: checks that the store can be reached and written (`cumulus policy test`). */
  probe?(): Promise<void>;
  /**
   * Optional, for backends that hold sockets or agents (S3's client, the WebDAV agent): releases
   * them. Called once nothing uses the backend any more (its policy changed or went, or the app
   * stops); the backend is not used after it.
   */
  close?(): Promise<void>;
}

export interface PresignGetOptions {
  readonly expiresInSeconds: number;
  /** The name a browser saves the file as. */
  readonly fileName: string;
  /** `attachment` (download) or `inline` (preview). */
  readonly disposition: 'attachment' | 'inline';
  readonly contentType?: string;
}

export interface DirectUpload {
  readonly uploadId: string;
  /** Part i+1 goes to partUrls[i]. */
  readonly partUrls: readonly string[];
  readonly completeUrl: string;
}

/** The backend holds no object under this key. */
export class BlobMissingError extends Error {
  constructor(readonly key: string) {
    super(`No stored object for key ${key}`);
    this.name = 'BlobMissingError';
  }
}
