import { Readable } from 'node:stream';
import type { BlobRepository, Database, MediaMetadata, MediaRecord, MediaRepository } from '../../db/index.js';
import type { BlobStore } from '../../vfs/index.js';
import { formatOf, kindOf } from './media-types.js';
import { NO_METADATA, readMetadata } from './metadata.js';
import { MediaSource, NoThumbnail, type Thumbnailer, type ThumbnailLimits } from './thumbnailer.js';
import type { MediaTool } from './tools.js';

export interface MediaServiceOptions extends ThumbnailLimits {
  readonly clock: () => number;
  /** Thumbnails are stored in this policy (internal blobs, charged to no one). */
  readonly policyId: () => number;
  readonly tools: ReadonlySet<MediaTool>;
  readonly warn: (error: unknown, message: string) => void;
}

/**
 * Indexes contents (issue 12): a thumbnail and metadata per blob, made by a job after a write
 * or on first view. A thumbnail is an internal blob pointed at by the content's media row;
 * the row goes with the content's blob (foreign key), and gc then removes the thumbnail.
 */
export class MediaService {
  constructor(
    private readonly database: Database,
    private readonly media: MediaRepository,
    private readonly blobs: BlobRepository,
    private readonly blobStore: BlobStore,
    private readonly thumbnailer: Thumbnailer,
    private readonly options: MediaServiceOptions,
  ) {}

  /** Whether a file of this name may have a thumbnail on this server (`thumb:disabled` otherwise). */
  mayHaveThumbnail(name: string): boolean {
    return this.thumbnailer.supports(formatOf(name));
  }

  /** What is known of a content; null when it was never indexed. */
  recordOf(blobId: string): Promise<MediaRecord | null> {
    return this.database.read((db) => this.media.byBlob(db, blobId));
  }

  /** The content's row, indexing it now when it has none (the first view). */
  async ensureIndexed(blobId: string, name: string, signal?: AbortSignal): Promise<MediaRecord> {
    return (await this.recordOf(blobId)) ?? this.index(blobId, name, signal);
  }

  /** Reads a content's metadata and makes its thumbnail; stores both. */
  async index(blobId: string, name: string, signal?: AbortSignal): Promise<MediaRecord> {
    const format = formatOf(name);
    const source = new MediaSource(() => this.blobStore.open(blobId), this.options.maxSourceBytes);
    const tool = { timeoutMs: this.options.toolTimeoutMs, maxOutputBytes: this.options.maxSourceBytes, signal };
    let metadata: MediaMetadata = NO_METADATA;
    try {
      metadata = await readMetadata(format, source, tool, this.options.tools.has('ffprobe'));
    } catch (error) {
      if (!(error instanceof NoThumbnail)) this.options.warn(error, `could not read the metadata of blob ${blobId}`);
    }
    let thumbnail: Buffer | null = null;
    let thumbState: MediaRecord['thumbState'];
    let thumbError: string | null = null;
    try {
      thumbnail = await this.thumbnailer.make(format, source, signal);
      thumbState = 'ok';
    } catch (error) {
      if (signal?.aborted) throw error;
      thumbState = error instanceof NoThumbnail ? 'none' : 'failed';
      thumbError = (error instanceof Error ? error.message : String(error)).slice(0, 500);
    }
    const record: Omit<MediaRecord, 'thumbBlobId'> = {
      blobId,
      kind: kindOf(format),
      thumbState,
      thumbError,
      ...metadata,
      indexedAt: this.options.clock(),
    };
    return this.save(record, thumbnail);
  }

  /** Stores the thumbnail as an internal blob and the row that points at it, in one transaction. */
  private async save(record: Omit<MediaRecord, 'thumbBlobId'>, thumbnail: Buffer | null): Promise<MediaRecord> {
    const policyId = this.options.policyId();
    const stored = thumbnail ? await this.blobStore.store(policyId, Readable.from([thumbnail]), { maxBytes: null }) : null;
    const full: MediaRecord = { ...record, thumbBlobId: stored?.id ?? null };
    const now = this.options.clock();
    const saved = await this.database
      .transaction(async (tx) => {
        // The content may have been deleted meanwhile: then nothing is kept.
        if (!(await this.media.blobExists(tx, record.blobId))) return false;
        if (stored) {
          const digests = { sha256: stored.sha256, sha1: stored.sha1, now };
          if (stored.content) await this.blobs.createInline(tx, { id: stored.id, policyId, content: stored.content, ...digests });
          else if (!(await this.blobs.markReady(tx, stored.id, { size: stored.size, ...digests }))) return false;
          // No entry points at a thumbnail: its media row keeps it (see BlobRepository.unreferenced).
          await this.blobs.setReferenceCount(tx, stored.id, 0);
        }
        // A thumbnail replaced by a re-index is left to gc, which sees nothing points at it.
        await this.media.save(tx, full);
        return true;
      })
      .catch(async (error: unknown) => {
        if (stored && !stored.content) await this.blobStore.discard(stored.id, policyId);
        throw error;
      });
    if (!saved && stored && !stored.content) await this.blobStore.discard(stored.id, policyId);
    return full;
  }

  /** The bytes of a thumbnail blob. */
  openThumbnail(thumbBlobId: string): Promise<Readable> {
    return this.blobStore.open(thumbBlobId);
  }
}
