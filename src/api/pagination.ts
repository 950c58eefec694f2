import { z } from 'zod';
import { decodeId, type IdKind } from '../auth/index.js';
import { ApiError, CODES } from './errors.js';

// Cloudreve's cursor paging, one definition for every listing: the file listing (contract
// 7.3), WebDAV accounts (18.1), shares (19) and administration's users. `page` is always 0;
// the next page starts at `next_token`, sent back as `next_page_token`.

/** The `pagination` object of a listing's answer. */
export const paginationSchema = z.object({
  page: z.number().int(),
  page_size: z.number().int(),
  next_token: z.string().optional(),
  is_cursor: z.boolean(),
});

/** One page's `pagination`; without a `nextToken` it was the last page. */
export function cursorPagination(pageSize: number, nextToken?: string | null) {
  return { page: 0, page_size: pageSize, is_cursor: true, ...(nextToken && { next_token: nextToken }) };
}

/**
 * Contract 18.1 and 19: the required `page_size` query parameter, 10 to 100. Not z.coerce: a
 * missing (or empty) page_size must read "page_size cannot be empty", not "received NaN".
 */
export const pageSizeParam = z.preprocess(
  (value) => (value === undefined || value === '' ? undefined : Number(value)),
  z.number().int().min(10).max(100),
);

/**
 * The id behind a `next_page_token` that is the opaque id of a listing's last item (undefined
 * for the first page); anything this server did not hand out is 40001.
 */
export function pageTokenId(kind: IdKind, token: string | undefined): number | undefined {
  if (!token) return undefined;
  const id = decodeId(kind, token);
  if (id === null) throw new ApiError(CODES.parameter, 'next_page_token is not a token this server gave out');
  return id;
}
