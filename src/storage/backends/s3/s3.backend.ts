import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
import {
  BlobMissingError,
  type BlobBackend,
  type ByteRange,
  type DirectUpload,
  type PresignGetOptions,
  type StoredObject,
} from '../../backend.js';
import type { S3PolicySettings } from '../../policy-settings.js';
import { createS3Client, normalisePrefix, s3StoreLabel, type S3Timeouts } from './s3-client.js';
import { isMissing, translateS3Error } from './s3-errors.js';
import { abortMultipart, createPresignedMultipart, presignObjectGet, type S3Target } from './s3-presign.js';
import { CountedSource } from '../counted-source.js';
import { probeBackend } from '../probe.js';
import { withTranslatedErrors } from '../translated-body.js';

export interface S3BackendOptions {
  readonly timeouts?: S3Timeouts;
  /** Parts in flight during a put; memory holds about (queueSize + 1) × partSizeBytes. */
  readonly queueSize?: number;
}

/**
 * Blobs as objects in an S3-compatible bucket, under the policy's prefix. A put streams through
 * lib-storage's Upload: one PutObject for a small body, a multipart upload in parts of
 * `partSizeBytes` otherwise, with at most `queueSize` parts held in memory. S3 publishes an
 * object only when its PutObject or CompleteMultipartUpload succeeds, so a failed or aborted
 * put never leaves a partial object at the key.
 */
export class S3Backend implements BlobBackend {
  readonly type = 's3';
  private readonly client: S3Client;
  private readonly prefix: string;
  private readonly label: string;
  private readonly target: S3Target;
  private readonly queueSize: number;
  readonly directUploadOrigins: readonly string[];

  constructor(
    private readonly settings: S3PolicySettings,
    options: S3BackendOptions = {},
  ) {
    this.client = createS3Client(settings, options.timeouts);
    this.prefix = normalisePrefix(settings.prefix);
    this.label = s3StoreLabel(settings);
    this.target = { client: this.client, bucket: settings.bucket, label: this.label };
    this.queueSize = options.queueSize ?? 2;
    this.directUploadOrigins = presignedOrigins(settings);
  }

  async put(key: string, source: Readable, options: { signal?: AbortSignal } = {}): Promise<number> {
    const { signal } = options;
    signal?.throwIfAborted();
    // lib-storage reports its own cleanup's failure when it cannot abandon the parts (s3rver
    // answers 405): the source's error, when there is one, is the real cause.
    const counted = new CountedSource(source);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.settings.bucket, Key: this.objectKey(key), Body: counted.body },
      partSize: this.settings.partSizeBytes,
      queueSize: this.queueSize,
      leavePartsOnError: false,
    });
    const onAbort = () => {
      void upload.abort();
      source.destroy(signal?.reason instanceof Error ? signal.reason : new Error('The write was aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await upload.done();
      return counted.bytes;
    } catch (error) {
      counted.release();
      if (signal?.aborted) throw signal.reason;
      // The source's own failure (a client that hung up) is not the store's.
      if (counted.sourceError) throw counted.sourceError;
      throw translateS3Error(error, this.label, 'storing an object', key);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    try {
      const answer = await this.client.send(
        new GetObjectCommand({
          Bucket: this.settings.bucket,
          Key: this.objectKey(key),
          ...(range && { Range: `bytes=${range.start}-${range.end}` }),
        }),
      );
      if (!(answer.Body instanceof Readable)) return Readable.from([]);
      return withTranslatedErrors(answer.Body, (failure) => translateS3Error(failure, this.label, 'reading an object', key));
    } catch (error) {
      if (isMissing(error)) throw new BlobMissingError(key);
      throw translateS3Error(error, this.label, 'reading an object', key);
    }
  }

  async stat(key: string): Promise<{ size: number } | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.settings.bucket, Key: this.objectKey(key) }));
      return { size: head.ContentLength ?? 0 };
    } catch (error) {
      if (isMissing(error)) return null;
      throw translateS3Error(error, this.label, 'looking up an object', key);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: this.objectKey(key) }));
    } catch (error) {
      if (isMissing(error)) return;
      throw translateS3Error(error, this.label, 'deleting an object', key);
    }
  }

  async *list(): AsyncIterable<StoredObject> {
    const pages = paginateListObjectsV2({ client: this.client }, { Bucket: this.settings.bucket, Prefix: this.prefix || undefined });
    try {
      for await (const page of pages) {
        for (const object of page.Contents ?? []) {
          if (!object.Key?.startsWith(this.prefix)) continue;
          yield {
            key: object.Key.slice(this.prefix.length),
            size: object.Size ?? 0,
            modifiedAt: object.LastModified?.getTime() ?? 0,
          };
        }
      }
    } catch (error) {
      throw translateS3Error(error, this.label, 'listing objects');
    }
  }

  /** CopyObject copies up to 5 GiB in one call; larger objects fail and callers stream them. */
  async copy(from: string, to: string): Promise<void> {
    const source = `${this.settings.bucket}/${this.objectKey(from)}`.split('/').map(encodeURIComponent).join('/');
    try {
      await this.client.send(new CopyObjectCommand({ Bucket: this.settings.bucket, Key: this.objectKey(to), CopySource: source }));
    } catch (error) {
      if (isMissing(error)) throw new BlobMissingError(from);
      throw translateS3Error(error, this.label, 'copying an object', from);
    }
  }

  async presignGet(key: string, options: PresignGetOptions): Promise<string> {
    return presignObjectGet(this.target, this.objectKey(key), options);
  }

  async createDirectUpload(key: string, options: { size: number; partSize: number; expiresInSeconds: number }): Promise<DirectUpload> {
    return createPresignedMultipart(this.target, this.objectKey(key), options);
  }

  async abortDirectUpload(key: string, uploadId: string): Promise<void> {
    await abortMultipart(this.target, this.objectKey(key), uploadId);
  }

  async probe(): Promise<void> {
    await probeBackend(this, this.label);
  }

  /** Releases the client's sockets. */
  async close(): Promise<void> {
    this.client.destroy();
  }

  private objectKey(key: string): string {
    return this.prefix + key;
  }
}

/**
 * Presigned URLs are on the endpoint (path style) or on the bucket's subdomain of it
 * (virtual-hosted style, which the SDK leaves for path style when the bucket's name is no
 * DNS label): the endpoint's origin always, the subdomain's too unless path style is forced.
 */
function presignedOrigins(settings: S3PolicySettings): string[] {
  const endpoint = new URL(settings.endpoint);
  if (settings.forcePathStyle) return [endpoint.origin];
  const virtual = new URL(endpoint);
  virtual.hostname = `${settings.bucket}.${endpoint.hostname}`;
  return [endpoint.origin, virtual.origin];
}
