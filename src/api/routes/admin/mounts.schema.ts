import { z } from 'zod';

export const adminMountSchema = z.object({
  name: z.string().describe('Where members find it: /NAME; also the name of its group'),
  group_id: z.string(),
  dir: z.string().nullable().describe('The local directory it grafts'),
  policy: z.string().nullable().describe('The S3 or WebDAV storage policy whose store holds it (instead of dir)'),
  prefix: z.string().nullable().describe("The folder below the policy's prefix or root"),
  read_only: z.boolean(),
  members: z.number().int(),
  created_at: z.string(),
});

export const listMountsResponse = z.object({ mounts: z.array(adminMountSchema) });

export const createMountBody = z.strictObject({
  name: z.string().min(1).max(64),
  dir: z.string().min(1).optional().describe('An existing directory on the server (or policy)'),
  policy: z.string().min(1).optional().describe('An S3 or WebDAV storage policy, by name (or dir)'),
  prefix: z.string().optional().describe("A folder below the policy's prefix or root (with policy)"),
  read_only: z.boolean().optional(),
});

export const updateMountBody = z.strictObject({ read_only: z.boolean() });

export const mountMembersResponse = z.object({
  members: z.array(
    z.object({
      id: z.string().describe("The user's id"),
      email: z.string(),
      nickname: z.string(),
      primary: z.boolean().describe("The shared folder's group is this user's primary group (they leave it by changing group)"),
    }),
  ),
});
