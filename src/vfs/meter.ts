import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { QuotaExceededError } from '../core/index.js';

/**
 * Counts and hashes the bytes flowing to storage, and stops the stream as soon as it passes
 * `maxBytes` (the quota left), so an oversized upload fails while it streams, not after.
 */
export class ContentMeter extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private readonly sha1: Hash = createHash('sha1');
  private count = 0;

  constructor(private readonly maxBytes: number | null) {
    super({ highWaterMark: 256 * 1024 });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.count += chunk.length;
    if (this.maxBytes !== null && this.count > this.maxBytes) {
      callback(new QuotaExceededError(`This upload does not fit in the storage quota (${this.maxBytes} bytes left)`));
      return;
    }
    this.hash.update(chunk);
    this.sha1.update(chunk);
    callback(null, chunk);
  }

  get size(): number {
    return this.count;
  }

  /** Hex SHA-256 and SHA-1; call once, after the stream has ended. */
  digests(): { sha256: string; sha1: string } {
    return { sha256: this.hash.digest('hex'), sha1: this.sha1.digest('hex') };
  }
}
