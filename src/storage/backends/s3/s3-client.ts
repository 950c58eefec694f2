import { S3Client } from '@aws-sdk/client-s3';
import type { S3PolicySettings } from '../../policy-settings.js';

/** How long to wait for a TCP connection, and for a socket to move again mid-transfer. */
export interface S3Timeouts {
  readonly connectMs: number;
  /** A body (up or down) that stalls this long fails instead of hanging. */
  readonly idleMs: number;
}

export const DEFAULT_S3_TIMEOUTS: S3Timeouts = { connectMs: 10_000, idleMs: 60_000 };

export function createS3Client(settings: S3PolicySettings, timeouts: S3Timeouts = DEFAULT_S3_TIMEOUTS): S3Client {
  return new S3Client({
    endpoint: settings.endpoint,
    region: settings.region,
    forcePathStyle: settings.forcePathStyle,
    credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
    // The SDK's default checksums wrap streamed bodies in aws-chunked trailers that
    // S3-compatible stores (s3rver, older MinIO, Ceph) store verbatim: extra bytes in the blob.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
    requestHandler: { connectionTimeout: timeouts.connectMs, socketTimeout: timeouts.idleMs },
  });
}

/** How messages name the store: host and bucket, never the credentials or a signed URL. */
export function s3StoreLabel(settings: Pick<S3PolicySettings, 'endpoint' | 'bucket'>): string {
  let host = 'the S3 endpoint';
  try {
    host = new URL(settings.endpoint).host;
  } catch {
    // zod validated the URL; a label is never worth failing for
  }
  return `S3 bucket "${settings.bucket}" at ${host}`;
}

/** The policy prefix as a key prefix: no leading slash, one trailing slash unless empty. */
export function normalisePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? '' : `${trimmed}/`;
}
