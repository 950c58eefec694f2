import { z } from 'zod';

/**
 * What a storage policy's `settings` JSON holds, per type. Secrets (`secretAccessKey`,
 * `password`) are stored sealed by the policy service (services/policies) and are plain
 * here: this module only ever sees them after unsealing.
 */
const common = {
  /** `proxy` streams through Cumulus; `redirect` hands out presigned URLs where the backend can. */
  download: z.enum(['proxy', 'redirect']).default('proxy'),
  /** Bodies up to this many bytes stay in the database row instead of the store. */
  inlineMaxBytes: z
    .number()
    .int()
    .min(0)
    .max(1024 * 1024)
    .optional(),
};

export const localPolicySettings = z.object({
  ...common,
  /** Directory of the blobs; relative paths are under the data directory. */
  path: z.string().min(1),
});

export const s3PolicySettings = z.object({
  ...common,
  endpoint: z.url(),
  bucket: z.string().min(1),
  region: z.string().min(1).default('us-east-1'),
  accessKeyId: z.string().min(1),
  secretAccessKey: z.string().min(1),
  /** Key prefix inside the bucket, without a leading slash. */
  prefix: z.string().default(''),
  forcePathStyle: z.boolean().default(false),
  /** Multipart part size; S3 requires at least 5 MiB. */
  partSizeBytes: z
    .number()
    .int()
    .min(5 * 1024 * 1024)
    .default(16 * 1024 * 1024),
});

export const webdavPolicySettings = z.object({
  ...common,
  url: z.url(),
  username: z.string().optional(),
  password: z.string().optional(),
  /** Folder on the remote server that holds the blobs. */
  root: z.string().default('/'),
});

export type LocalPolicySettings = z.infer<typeof localPolicySettings>;
export type S3PolicySettings = z.infer<typeof s3PolicySettings>;
export type WebDavPolicySettings = z.infer<typeof webdavPolicySettings>;

export const POLICY_TYPES = ['local', 's3', 'webdav'] as const;
export type PolicyType = (typeof POLICY_TYPES)[number];

/** Settings keys that hold secrets: sealed at rest, never printed back. */
export const SECRET_POLICY_SETTINGS: Readonly<Record<PolicyType, readonly string[]>> = {
  local: [],
  s3: ['secretAccessKey'],
  webdav: ['password'],
};

/** Default inline threshold: small files in the database for local disks, every byte in the store otherwise. */
export function defaultInlineMaxBytes(type: PolicyType): number {
  return type === 'local' ? 64 * 1024 : 0;
}
