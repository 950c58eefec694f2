import { Readable, pipeline } from 'node:stream';
import { IntegrityError, InvalidArgumentError, UnavailableError } from '../core/index.js';
import type { BlobRecord, BlobRepository, Database } from '../db/index.js';
import { BlobMissingError, type BlobBackend, type ByteRange } from '../storage/index.js';
import { ContentMeter, digestsOf, quotaExceeded, readUpTo } from './meter.js';

export interface StoredBlob {
  readonly id: string;
  readonly size: number;
  readonly sha256: string;
  readonly sha1: string;
  /** The bytes of a small blob, not stored yet: the commit writes them into the blob row. */
  readonly content?: Buffer;
}

/**
 * A pending blob whose bytes a client put straight into the store (contract 15.5): this server
 * never read them, so their digests are unknown.
 */
export interface DirectBlob {
  readonly id: string;
  readonly size: number;
  readonly sha256: null;
  readonly sha1: null;
  readonly content?: undefined;
}

export interface BlobStoreOptions {
  readonly clock: () => number;
  readonly newId: () => string;
  /** How often a long write tells gc it is alive. */
  readonly heartbeatMs?: number;
  readonly warn: (error: unknown, message: string) => void;
  /** Bodies up to this many bytes are kept in the database row instead of the backend. */
  readonly inlineMaxBytes?: number;
}

/** The key a blob's bytes are stored under: fanned out so no directory grows huge. */
export function storageKeyOf(blobId: string): string {
  return `${blobId.slice(0, 2)}/${blobId.slice(2, 4)}/${blobId}`;
}

/**
 * Moves bytes between clients and storage backends and keeps the blob rows honest: a row
 * exists (pending) before any byte is stored, and bytes are removed only after the row is.
 */
export class BlobStore {
  constructor(
    private readonly database: Database,
    private readonly blobs: BlobRepository,
    private readonly backends: ReadonlyMap<number, BlobBackend>,
    private readonly options: BlobStoreOptions,
  ) {}

  /** Bodies up to this size are kept in their database row. */
  get inlineMaxBytes(): number {
    return this.options.inlineMaxBytes ?? 0;
  }

  backendOf(policyId: number): BlobBackend {
    const backend = this.backends.get(policyId);
    if (!backend) throw new UnavailableError(`Storage policy ${policyId} is not available on this server`);
    return backend;
  }

  /**
   * Streams `source` into a new blob, hashing and counting as it goes, and returns once the
   * bytes are durable. A body that ends within `inlineMaxBytes` comes back as `content`, to be
   * written by the caller's commit transaction with `blobs.createInline` (nothing is stored
   * yet); a larger one goes to the policy's backend under a pending row. On any failure
   * whatever was stored is discarded and the error rethrown.
   */
  async store(
    policyId: number,
    source: Readable,
    limits: { maxBytes: number | null; expectedSize?: number; expectedSha1?: string; signal?: AbortSignal },
  ): Promise<StoredBlob> {
    const backend = this.backendOf(policyId);
    const id = this.options.newId();
    const inlineMax = this.inlineMaxBytes;
    const announcedLarge = limits.expectedSize !== undefined && limits.expectedSize > inlineMax;
    const head = announcedLarge ? { chunks: [], ended: false } : await readUpTo(source, inlineMax);
    if (head.ended) {
      const content = head.chunks.length === 1 ? head.chunks[0]! : Buffer.concat(head.chunks);
      if (limits.maxBytes !== null && content.length > limits.maxBytes) throw quotaExceeded(limits.maxBytes);
      return { id, ...verified(content.length, digestsOf([content]), limits), content };
    }

    const meter = new ContentMeter(limits.maxBytes);
    for (const chunk of head.chunks) meter.write(chunk);
    // pipeline() destroys the meter when the source errors or closes early (a client that
    // disconnects), which fails the backend's write and leaves nothing behind.
    pipeline(source, meter, () => undefined);
    const key = storageKeyOf(id);
    // One statement: autocommit gives the same guarantee as a transaction, for less work.
    await this.database.read((db) => this.blobs.createPending(db, { id, policyId, storageKey: key, now: this.options.clock() }));
    const heartbeat = setInterval(() => {
      this.database
        .transaction((tx) => this.blobs.touch(tx, id, this.options.clock()))
        .catch((error: unknown) => this.options.warn(error, 'blob heartbeat failed'));
    }, this.options.heartbeatMs ?? 60_000);
    heartbeat.unref();
    try {
      await backend.put(key, meter, { signal: limits.signal });
      return { id, ...verified(meter.size, meter.digests(), limits) };
    } catch (error) {
      await this.discard(id, policyId, key);
      throw error;
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** Removes a blob that no entry points at: its row first, then its bytes. */
  async discard(id: string, policyId: number, key = storageKeyOf(id)): Promise<void> {
    try {
      await this.database.transaction((tx) => this.blobs.delete(tx, id));
      await this.backendOf(policyId).delete(key);
    } catch (error) {
      // gc removes what this could not.
      this.options.warn(error, `could not discard blob ${id}`);
    }
  }

  /** Deletes the bytes of blobs whose rows a committed transaction removed. */
  async removeFreed(freed: readonly BlobRecord[]): Promise<void> {
    // Several at a time: deleting a tree of thousands of files is bound by file-system round trips.
    let next = 0;
    const worker = async () => {
      while (next < freed.length) {
        const blob = freed[next++]!;
        if (blob.inline) continue; // its bytes went with its row
        try {
          await this.backendOf(blob.policyId).delete(blob.storageKey);
        } catch (error) {
          this.options.warn(error, `could not delete freed blob ${blob.id}; gc will retry`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(16, freed.length) }, worker));
  }

  /** Opens a blob's bytes, or a range of them. */
  async open(blobId: string, range?: ByteRange): Promise<Readable> {
    const found = await this.database.read((db) => this.blobs.withContent(db, blobId));
    if (!found) throw new IntegrityError(`Blob ${blobId} has no record`);
    const { record, content } = found;
    if (content) return Readable.from([range ? content.subarray(range.start, range.end + 1) : content], { objectMode: false });
    try {
      return await this.backendOf(record.policyId).get(record.storageKey, range);
    } catch (error) {
      if (error instanceof BlobMissingError) throw new IntegrityError(`The content of this file is missing from storage (blob ${blobId})`);
      throw error;
    }
  }
}

/** Size and digests of a finished body, checked against what the client announced. */
function verified(size: number, digests: { sha256: string; sha1: string }, limits: { expectedSize?: number; expectedSha1?: string }) {
  if (limits.expectedSize !== undefined && size !== limits.expectedSize) {
    throw new InvalidArgumentError(`Received ${size} bytes where ${limits.expectedSize} were announced`);
  }
  if (limits.expectedSha1 !== undefined && limits.expectedSha1.toLowerCase() !== digests.sha1) {
    throw new InvalidArgumentError(`The content's SHA-1 is ${digests.sha1}, not the one announced`);
  }
  return { size, ...digests };
}
