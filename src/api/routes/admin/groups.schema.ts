import { z } from 'zod';

const permissions = z.strictObject({
  webdav: z.boolean().optional().describe('Members may use WebDAV accounts'),
  share: z.boolean().optional().describe('Members may create share links'),
  versions: z.boolean().optional().describe('Overwritten contents are kept as versions'),
  admin: z.boolean().optional().describe('Members administer the server'),
});
const maxStorage = z.number().int().min(0).nullable().describe('Bytes each member may store; null for no limit');

/** Creating a group: permissions left out are off, no limit unless max_storage says so. Unknown fields are refused. */
export const createGroupBody = z.strictObject({
  name: z.string().min(1).max(64),
  permissions: permissions.optional(),
  max_storage: maxStorage.optional(),
  storage_policies: z
    .array(z.string().regex(/^\d{1,12}$/))
    .min(1)
    .optional()
    .describe('Ids of the storage policies members may use; the first is their default'),
});

/** Changing a group: fields (and permissions) left out stay as they are. */
export const updateGroupBody = createGroupBody.partial();

/** Cloudreve lists with POST and a body; every group fits in one answer, so the body may be left out. */
export const listGroupsBody = z.object({}).optional();

export const groupSchema = z.object({
  id: z.string(),
  name: z.string(),
  built_in: z.boolean().describe('Admin, User and Anonymous: never deleted or renamed'),
  permissions: z.object({ webdav: z.boolean(), share: z.boolean(), versions: z.boolean(), admin: z.boolean() }),
  max_storage: z.number().int().nullable(),
  storage_policies: z.array(z.string()).describe('Storage policy ids members may use, the default first'),
  created_at: z.string(),
  total_users: z.number().int().optional().describe('How many users belong to it (one group only)'),
});

export const listGroupsResponse = z.object({ groups: z.array(groupSchema) });
