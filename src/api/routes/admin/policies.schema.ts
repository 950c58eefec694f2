import { z } from 'zod';

const settings = z
  .record(z.string(), z.unknown())
  .describe(
    'The type\'s settings: local {path}; s3 {endpoint, bucket, region, accessKeyId, secretAccessKey, prefix, forcePathStyle}; webdav {url, username, password, root}; all {download: "proxy"|"redirect", inlineMaxBytes}',
  );

/** Adding a policy. Unknown fields are refused; the settings are checked per type. */
export const createPolicyBody = z.strictObject({
  name: z.string().min(1).max(64),
  type: z.enum(['local', 's3', 'webdav']),
  settings,
});

/** Changing a policy: settings are merged into the stored ones (null removes one); secrets left out stay. */
export const updatePolicyBody = z.strictObject({
  name: z.string().min(1).max(64).optional(),
  settings: settings.optional(),
});

export const policySchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  settings: z.record(z.string(), z.unknown()).describe('Secrets read "(set)"'),
  inline_max_bytes: z.number().int().describe('Files up to this size are kept in the database'),
  usage: z.object({
    blobs: z.number().int(),
    bytes: z.number().int(),
    folders: z.number().int(),
    groups: z.array(z.string()),
  }),
});

export const listPoliciesResponse = z.object({ policies: z.array(policySchema) });

export const probeResponse = z.object({
  ok: z.boolean(),
  steps: z.array(z.object({ step: z.string(), ok: z.boolean(), error: z.string().optional() })),
});

export const migrateBody = z.strictObject({
  to: z.string().describe('Target policy id'),
  from: z.string().optional().describe('Only files stored in this policy'),
  user_id: z.string().optional().describe("Only this user's files (an opaque user id)"),
  path: z.string().optional().describe("Only below this folder of the user's tree (with user_id)"),
});

export const migrateResponse = z.object({
  job_id: z.number().int(),
  remaining: z.object({ blobs: z.number().int(), bytes: z.number().int() }),
});
