import { z } from 'zod';
import { pageSizeParam, paginationSchema } from '../../pagination.js';

/** Contract 18.1: page_size (10 to 100) is required; next_page_token is the previous page's next_token. */
export const listQuery = z.object({
  page_size: pageSizeParam,
  next_page_token: z.string().optional(),
});

/** A Cumulus extension: when the account stops working (RFC 3339), or null for never. */
const expiresAt = z.iso.datetime({ offset: true }).nullable().describe('When the account stops working (RFC 3339); null for never');

/**
 * Contract 18.1, PUT. `proxy` is accepted and changes nothing: this server streams WebDAV
 * downloads itself unless the account asks for `redirect_downloads` (a Cumulus extension, off
 * by default because many WebDAV clients do not follow redirects). `disable_sys_files` (4.18)
 * is not supported, so `true` is refused.
 */
export const createBody = z.object({
  uri: z.string().min(1).describe('The folder the account is jailed to: a cloudreve://my URI (created when missing)'),
  name: z.string().min(1).max(255),
  readonly: z.boolean().optional(),
  proxy: z.boolean().optional(),
  disable_sys_files: z.boolean().optional(),
  expires_at: expiresAt.optional(),
  redirect_downloads: z
    .boolean()
    .optional()
    .describe('Cumulus: GETs of files on a storage policy with redirect downloads answer 302 to the store (off: always streamed)'),
});

/** Contract 18.1, PATCH: the same fields; a field left out stays as it is (Cloudreve resets it). */
export const updateBody = createBody.partial();

export const davAccountSchema = z.object({
  id: z.string(),
  created_at: z.string(),
  name: z.string(),
  uri: z.string(),
  password: z.string().optional().describe('Only in the answer that creates the account: the server keeps a hash and cannot show it again'),
  options: z.string().describe('Boolset (contract 3.3): bit 0 read-only, so "AQ==" read-only and "" read-write'),
  expires_at: z.string().nullable().describe('Cumulus: when the account stops working; null for never'),
  last_used_at: z.string().nullable().describe('Cumulus: the last WebDAV request, to the minute; null for never'),
  redirect_downloads: z.boolean().describe('Cumulus: GETs of files on a redirect policy answer 302 to the store'),
});

export const listResponse = z.object({
  accounts: z.array(davAccountSchema),
  pagination: paginationSchema,
});
