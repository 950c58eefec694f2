import { z } from 'zod';
import { MAX_PASSWORD_LENGTH } from '../../../services/index.js';
import { paginationSchema } from '../../pagination.js';

const email = z
  .string()
  .min(1)
  .max(254)
  .regex(/^[^\s@]+@[^\s@]+$/, 'Email format error');
const groupId = z.string().min(1).describe('A group id, as /admin/group lists them');

/**
 * Cloudreve lists with POST and a body. Paging here is by cursor: `page` may only be 1 (or
 * absent); further pages come from `next_page_token`.
 */
export const listUsersBody = z
  .object({
    page: z.number().int().min(1).max(1, 'paging is by cursor: send next_page_token instead of a page number').optional(),
    page_size: z.number().int().min(1).max(1000).optional().describe('50 when left out'),
    next_page_token: z.string().optional(),
  })
  .optional();

/** Creating a user: the group is the built-in User group when left out. Unknown fields are refused. */
export const createUserBody = z.strictObject({
  email,
  password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
  nickname: z.string().optional(),
  group_id: groupId.optional(),
});

/**
 * Changing a user: fields left out stay as they are; unknown fields (a per-user quota, say:
 * quotas belong to groups here) are refused. `manual_banned` disables the account and ends
 * its sessions at once; `active` enables it again.
 */
export const updateUserBody = z.strictObject({
  email: email.optional(),
  nickname: z.string().optional(),
  password: z.string().min(1).max(MAX_PASSWORD_LENGTH).optional(),
  group_id: groupId.optional(),
  status: z.enum(['active', 'manual_banned']).optional(),
});

export const adminUserSchema = z.object({
  id: z.string(),
  email: z.string(),
  nickname: z.string(),
  status: z.enum(['active', 'manual_banned']),
  created_at: z.string(),
  updated_at: z.string(),
  group: z.object({ id: z.string(), name: z.string() }),
  storage_used: z.number().int().nonnegative().describe('Bytes'),
  max_storage: z.number().int().nullable().describe("The group's quota in bytes; null for no limit"),
});

export const listUsersResponse = z.object({
  users: z.array(adminUserSchema),
  pagination: paginationSchema.extend({ total_items: z.number().int() }),
});
