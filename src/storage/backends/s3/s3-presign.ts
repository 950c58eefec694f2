import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { contentDisposition, contentTypeOf, InvalidArgumentError, UpstreamError } from '../../../core/index.js';
import type { DirectUpload, PresignGetOptions } from '../../backend.js';
import { httpStatusOf, translateS3Error } from './s3-errors.js';

/** SigV4 presigned URLs live at most seven days. */
const MAX_EXPIRY_SECONDS = 7 * 24 * 3600;
/** S3 numbers parts 1..10000, and every part but the last holds at least 5 MiB. */
const MAX_PARTS = 10_000;
const MIN_PART_BYTES = 5 * 1024 * 1024;

/** Where presigned requests go: the client that signs, the bucket and the store's label for errors. */
export interface S3Target {
  readonly client: S3Client;
  readonly bucket: string;
  readonly label: string;
}

function expiry(seconds: number): number {
  return Math.max(1, Math.min(Math.floor(seconds), MAX_EXPIRY_SECONDS));
}

/**
 * A GET URL that serves the object straight from the store, with the Content-Disposition
 * (RFC 6266, filename* for non-ASCII names) and Content-Type the store must answer with.
 */
export async function presignObjectGet(target: S3Target, objectKey: string, options: PresignGetOptions): Promise<string> {
  const type = options.contentType ?? contentTypeOf(options.fileName);
  const command = new GetObjectCommand({
    Bucket: target.bucket,
    Key: objectKey,
    ResponseContentDisposition: contentDisposition(options.fileName, type, options.disposition),
    ResponseContentType: type,
  });
  return getSignedUrl(target.client, command, { expiresIn: expiry(options.expiresInSeconds) });
}

/**
 * Starts a multipart upload the client carries out itself (Cloudreve contract 15.5): one
 * presigned UploadPart PUT per part and a presigned CompleteMultipartUpload POST, to which the
 * client posts the `<CompleteMultipartUpload>` XML listing the parts' ETags. The body is not
 * part of a presigned signature, so one URL serves whatever parts list the client sends.
 */
export async function createPresignedMultipart(
  target: S3Target,
  objectKey: string,
  options: { size: number; partSize: number; expiresInSeconds: number },
): Promise<DirectUpload> {
  const parts = Math.max(1, Math.ceil(options.size / options.partSize));
  if (options.partSize < MIN_PART_BYTES && parts > 1) {
    throw new InvalidArgumentError(`S3 parts must hold at least ${MIN_PART_BYTES} bytes`);
  }
  if (parts > MAX_PARTS) throw new InvalidArgumentError(`A file of ${options.size} bytes needs more than ${MAX_PARTS} parts`);
  const expiresIn = expiry(options.expiresInSeconds);
  let uploadId: string | undefined;
  try {
    const created = await target.client.send(new CreateMultipartUploadCommand({ Bucket: target.bucket, Key: objectKey }));
    uploadId = created.UploadId;
  } catch (error) {
    throw translateS3Error(error, target.label, 'starting a multipart upload');
  }
  if (!uploadId) throw new UpstreamError(`The ${target.label} started a multipart upload without an upload id`);
  const base = { Bucket: target.bucket, Key: objectKey, UploadId: uploadId };
  const partUrls = await Promise.all(
    Array.from({ length: parts }, (_, i) =>
      getSignedUrl(target.client, new UploadPartCommand({ ...base, PartNumber: i + 1 }), { expiresIn }),
    ),
  );
  const completeUrl = await getSignedUrl(target.client, new CompleteMultipartUploadCommand(base), { expiresIn });
  return { uploadId, partUrls, completeUrl };
}

/**
 * Abandons a multipart upload; its parts go. An upload that no longer exists is fine, and so
 * is a store that does not implement the call (s3rver answers 405): its parts were never
 * visible at the key, and the store's lifecycle rules reclaim them.
 */
export async function abortMultipart(target: S3Target, objectKey: string, uploadId: string): Promise<void> {
  try {
    await target.client.send(new AbortMultipartUploadCommand({ Bucket: target.bucket, Key: objectKey, UploadId: uploadId }));
  } catch (error) {
    const status = httpStatusOf(error);
    if (status === 404 || status === 405 || status === 501) return;
    throw translateS3Error(error, target.label, 'abandoning a multipart upload');
  }
}
