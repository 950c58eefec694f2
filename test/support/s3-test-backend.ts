// TEMPORARY: a minimal S3 backend for the transfers tests until branch `backends` brings
// src/storage/backends/s3 (then createBackend('s3', …) replaces this file).
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { BlobBackend, ByteRange, DirectUpload, PresignGetOptions, StoredObject } from '../../src/storage/index.js';
import { BlobMissingError } from '../../src/storage/index.js';
import type { S3Server } from './s3-server.js';

export class TestS3Backend implements BlobBackend {
  readonly type = 's3';
  readonly client: S3Client;
  constructor(private readonly server: S3Server) {
    this.client = new S3Client({
      endpoint: server.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    });
  }

  private get bucket(): string {
    return this.server.bucket;
  }

  async put(key: string, source: Readable): Promise<number> {
    const chunks: Buffer[] = [];
    for await (const chunk of source) chunks.push(Buffer.from(chunk as Uint8Array));
    const body = Buffer.concat(chunks);
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body }));
    return body.length;
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, ...(range && { Range: `bytes=${range.start}-${range.end}` }) }),
      );
      return out.Body as Readable;
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') throw new BlobMissingError(key);
      throw error;
    }
  }

  async stat(key: string): Promise<{ size: number } | null> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: out.ContentLength ?? 0 };
    } catch (error) {
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return null;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async *list(): AsyncIterable<StoredObject> {
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, ContinuationToken: token }));
      for (const item of page.Contents ?? []) {
        yield { key: item.Key!, size: item.Size ?? 0, modifiedAt: item.LastModified?.getTime() ?? 0 };
      }
      token = page.NextContinuationToken;
    } while (token);
  }

  presignGet(key: string, options: PresignGetOptions): Promise<string> {
    const disposition = `${options.disposition}; filename*=UTF-8''${encodeURIComponent(options.fileName)}`;
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ResponseContentDisposition: disposition,
      ...(options.contentType && { ResponseContentType: options.contentType }),
    });
    return getSignedUrl(this.client, command, { expiresIn: options.expiresInSeconds });
  }

  async createDirectUpload(key: string, options: { size: number; partSize: number; expiresInSeconds: number }): Promise<DirectUpload> {
    const created = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key }));
    const uploadId = created.UploadId!;
    const parts = Math.max(1, Math.ceil(options.size / options.partSize));
    const expiresIn = options.expiresInSeconds;
    const partUrls: string[] = [];
    for (let part = 1; part <= parts; part++) {
      const command = new UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, PartNumber: part });
      partUrls.push(await getSignedUrl(this.client, command, { expiresIn }));
    }
    const complete = new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId });
    return { uploadId, partUrls, completeUrl: await getSignedUrl(this.client, complete, { expiresIn }) };
  }

  async abortDirectUpload(key: string, uploadId: string): Promise<void> {
    await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }));
  }
}
