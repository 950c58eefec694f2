import { z } from 'zod';

const uri = z.string().min(1).describe('A cloudreve:// URI');

/** 9999-12-31T23:59:59.999Z: later modification times are refused (by the vfs too), as no client could show them. */
const LATEST_TIME_MS = 253402300799999;

/**
 * Contract 15.1. `policy_id` is accepted and ignored (files go to the folder's policy, as in
 * Cloudreve 4.18); so are `mime_type`, `previous`, `encryption_supported` (no client-side
 * encryption: the answer has no encrypt_metadata) and `metadata` (no custom metadata is kept yet).
 */
export const createUploadBody = z.object({
  uri,
  size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).describe('The whole file, in bytes'),
  last_modified: z
    .number()
    .int()
    .min(0)
    .max(LATEST_TIME_MS, `must be a time before the year 10000 (at most ${LATEST_TIME_MS} Unix milliseconds)`)
    .optional()
    .describe('Unix milliseconds: the modification time the file gets'),
  mime_type: z.string().optional(),
  policy_id: z.string().optional(),
  metadata: z
    .record(z.string(), z.string())
    .refine((metadata) => Object.keys(metadata).length <= 256, 'at most 256 metadata entries')
    .optional(),
  entity_type: z
    .enum(['', 'version', 'live_photo'])
    .optional()
    .describe('"" for a new file (an existing one is 40004); "version" to replace the content of an existing file'),
  previous: z.string().optional(),
  encryption_supported: z.array(z.string()).optional(),
  relay: z
    .boolean()
    .optional()
    .describe('Cumulus: send the chunks to this server even where the store could take them directly (the web UI does)'),
});

/** Contract 7.3, `storage_policy`. */
export const storagePolicySchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string().describe('"local" (or relay): chunks are posted to this server; "s3" without relay: parts go to the store'),
  max_size: z.number().int().nonnegative().describe('Largest file in bytes; 0 for no limit'),
  relay: z.boolean().optional(),
});

/**
 * Contract 15.1: chunks to this server (type "local", or relay), or, for a direct upload to
 * S3 (15.5: type "s3", no relay), one presigned URL per part and the completion's URL.
 */
export const uploadSessionSchema = z.object({
  session_id: z.string(),
  upload_id: z.string().describe('The store\'s multipart upload id for a direct upload; "" otherwise'),
  chunk_size: z.number().int().positive().describe('Bytes per chunk (part); the last one holds the rest'),
  expires: z.number().int().describe('Unix seconds'),
  storage_policy: storagePolicySchema,
  uri: z.string().describe('The target, as this server writes it; send it back to cancel'),
  upload_urls: z.array(z.string()).optional().describe('Direct uploads: PUT part i+1 to upload_urls[i]'),
  completeURL: z.string().optional().describe('Direct uploads: POST the CompleteMultipartUpload XML here, then call the callback'),
  callback_secret: z.string().describe('Direct uploads: the secret of GET /callback/s3/{session_id}/{callback_secret}'),
});

/**
 * Not in Cloudreve: where an upload stands, so that a client whose connection dropped can
 * send only the chunks that are missing.
 */
export const uploadProgressSchema = z.object({
  session_id: z.string(),
  uri: z.string(),
  size: z.number().int().nonnegative(),
  chunk_size: z.number().int().positive(),
  chunks: z.number().int().positive().describe('How many chunks the file has'),
  uploaded: z.array(z.number().int().nonnegative()).describe('Indexes of the chunks stored so far, in order (empty once completed)'),
  completed: z.boolean().describe('Whether the file is complete'),
  expires: z.number().int().describe('Unix seconds'),
});

/** Contract 15.6. */
export const cancelUploadBody = z.object({ id: z.string().min(1), uri });
