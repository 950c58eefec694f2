import { z } from 'zod';
import { pageSizeParam, paginationSchema } from '../../pagination.js';

/** Query-string booleans as Cloudreve's binding reads them. */
const flag = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');

/**
 * Contract 17 and 19: Cloudreve's ShareCreateService, for `PUT /share` and `POST /share/:id`
 * (an edit replaces every setting). `expire` is in seconds from now; `downloads` and `expire`
 * of 0 or less mean no limit. A password makes the share private; `is_private` without one
 * gets a generated password.
 */
export const shareBody = z.object({
  uri: z.string().min(1).describe('The cloudreve://my URI of the file or folder to share'),
  is_private: z.boolean().optional(),
  password: z.string().max(32).optional().describe('1 to 32 letters and digits'),
  downloads: z.number().int().optional().describe('Downloads allowed before the link stops working; 0 for no limit'),
  expire: z.number().int().optional().describe('Seconds until the link stops working; 0 for never'),
  share_view: z.boolean().optional(),
  show_readme: z.boolean().optional(),
});

/** Contract 19 (`GET /share`), as Cloudreve's ListShareService: page_size 10 to 100, cursor paging. */
export const listQuery = z.object({
  page_size: pageSizeParam,
  order_by: z.string().optional().describe('Shares are listed in creation order whatever this says'),
  order_direction: z.string().optional().describe('desc for newest first, ascending for anything else'),
  next_page_token: z.string().optional(),
});

/** Cloudreve's ShareInfoService. */
export const infoQuery = z.object({
  password: z.string().optional(),
  count_views: flag.optional(),
  owner_extended: flag.optional(),
});

/** 4.18's batch delete. */
export const deleteManyBody = z.object({ ids: z.array(z.string()).min(1) });

/** The owner as visitors see them: no email. */
const ownerSchema = z.object({ id: z.string(), nickname: z.string(), created_at: z.string() });

/**
 * Cloudreve's `explorer.Share`. Counters, expiry and password only once unlocked (no password,
 * the right one, or the owner); is_private and share_view for the owner only.
 */
export const shareSchema = z.object({
  id: z.string(),
  name: z.string(),
  remain_downloads: z.number().int().optional(),
  visited: z.number().int().nonnegative(),
  downloaded: z.number().int().nonnegative().optional(),
  expires: z.string().optional(),
  unlocked: z.boolean(),
  password_protected: z.boolean().optional(),
  source_type: z.union([z.literal(0), z.literal(1)]).describe('0 file, 1 folder'),
  owner: ownerSchema,
  created_at: z.string(),
  expired: z.boolean(),
  url: z.string(),
  show_readme: z.boolean().optional(),
  size: z.number().int().nonnegative(),
  is_private: z.boolean().optional(),
  password: z.string().optional(),
  share_view: z.boolean().optional(),
});

export const listResponse = z.object({
  shares: z.array(shareSchema),
  pagination: paginationSchema,
});
