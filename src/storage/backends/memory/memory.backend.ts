import { Readable } from 'node:stream';
import { BlobMissingError, type BlobBackend, type ByteRange, type StoredObject } from '../../backend.js';

/** Blobs in a Map: for tests and for measuring the layers above storage. */
export class MemoryBackend implements BlobBackend {
  readonly type = 'memory';
  private readonly objects = new Map<string, { bytes: Buffer; modifiedAt: number }>();

  constructor(private readonly clock: () => number = Date.now) {}

  async put(key: string, source: Readable, options: { signal?: AbortSignal } = {}): Promise<number> {
    const chunks: Buffer[] = [];
    for await (const chunk of source) {
      options.signal?.throwIfAborted();
      chunks.push(Buffer.from(chunk as Uint8Array));
    }
    options.signal?.throwIfAborted();
    const bytes = Buffer.concat(chunks);
    this.objects.set(key, { bytes, modifiedAt: this.clock() });
    return bytes.length;
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const object = this.objects.get(key);
    if (!object) throw new BlobMissingError(key);
    const bytes = range ? object.bytes.subarray(range.start, range.end + 1) : object.bytes;
    return Readable.from([bytes]);
  }

  async stat(key: string): Promise<{ size: number } | null> {
    const object = this.objects.get(key);
    return object ? { size: object.bytes.length } : null;
  }

  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }

  async *list(): AsyncIterable<StoredObject> {
    for (const [key, object] of [...this.objects]) {
      yield { key, size: object.bytes.length, modifiedAt: object.modifiedAt };
    }
  }

  async copy(from: string, to: string): Promise<void> {
    const object = this.objects.get(from);
    if (!object) throw new BlobMissingError(from);
    this.objects.set(to, { bytes: object.bytes, modifiedAt: this.clock() });
  }
}
