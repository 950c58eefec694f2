import { z } from 'zod';
import { paginationSchema } from '../../pagination.js';
import { extendedInfoSchema } from './files.media.js';

const uri = z.string().min(1).describe('A cloudreve:// URI');
const uris = z.array(uri).min(1);
/** Query-string booleans as Cloudreve's binding reads them. */
const flag = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');

export const folderSummarySchema = z.object({
  size: z.number().int().nonnegative(),
  files: z.number().int().nonnegative(),
  folders: z.number().int().nonnegative(),
  completed: z.boolean(),
  calculated_at: z.string(),
});

/** Contract section 6. */
export const fileSchema = z.object({
  type: z.union([z.literal(0), z.literal(1)]).describe('0 file, 1 folder'),
  id: z.string(),
  name: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  size: z.number().int().nonnegative(),
  metadata: z.record(z.string(), z.string()).nullable(),
  path: z.string(),
  capability: z.string().optional(),
  owned: z.boolean().optional(),
  folder_summary: folderSummarySchema.optional(),
  extended_info: extendedInfoSchema.optional(),
});

/** Contract 7.1. `page` (offset paging) is accepted and ignored: paging is by cursor. */
export const listQuery = z.object({
  uri,
  page: z.coerce.number().int().min(0).optional(),
  page_size: z.coerce.number().int().min(0).optional(),
  order_by: z.string().optional().describe('name, size, updated_at or created_at; anything else orders by creation'),
  order_direction: z.string().optional().describe('desc, or ascending for anything else'),
  next_page_token: z.string().optional(),
});

export const listResponse = z.object({
  files: z.array(fileSchema),
  parent: fileSchema,
  pagination: paginationSchema,
  props: z.object({
    capability: z.string(),
    max_page_size: z.number().int(),
    order_by_options: z.array(z.string()),
    order_direction_options: z.array(z.string()),
  }),
  mixed_type: z.boolean(),
});

/** Contract 8.1. `extended` adds `extended_info` (with media metadata, issue 12); `id` counts only when `uri` is empty. */
export const infoQuery = z.object({
  uri: uri.optional(),
  id: z.string().optional(),
  folder_summary: flag.optional(),
  extended: flag.optional(),
});

/** Contract section 11; OpenList's `error_on_conflict` is not a Cloudreve key and is ignored, as Cloudreve does. */
export const createBody = z.object({
  uri,
  type: z.enum(['file', 'folder']),
  metadata: z.record(z.string(), z.string()).optional(),
  err_on_conflict: z.boolean().optional(),
});

export const renameBody = z.object({ uri, new_name: z.string().min(1).max(255) });

export const moveBody = z.object({ uris, dst: uri, copy: z.boolean().optional() });

/** Contract 14.1. */
export const deleteBody = z.object({
  uris,
  skip_soft_delete: z.boolean().optional(),
  unlink: z.boolean().optional(),
});
