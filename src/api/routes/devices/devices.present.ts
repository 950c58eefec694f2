import type { z } from 'zod';
import { decodeId, encodeId } from '../../../auth/index.js';
import { formatPath, parsePath, type VPath } from '../../../core/index.js';
import type { Authentication, DavAccount } from '../../../services/index.js';
import { ApiError, CODES } from '../../errors.js';
import { isoTime } from '../../present.js';
import { parseFileUri, renderFileUri } from '../../uri.js';
import type { davAccountSchema } from './devices.schema.js';

/** Contract 3.3 boolset of a DavAccount's options: bit 0 (byte 0, value 1) is read-only. */
const READ_ONLY_OPTIONS = Buffer.from([1]).toString('base64');

/** Contract 18.1: a DavAccount; the password only where it was just generated. */
export function presentAccount(account: DavAccount, password?: string): z.input<typeof davAccountSchema> {
  return {
    id: encodeId('dav', account.id),
    created_at: isoTime(account.createdAt),
    name: account.name,
    uri: renderFileUri({ fs: 'my' }, parsePath(account.root ?? '/')),
    ...(password !== undefined && { password }),
    options: account.readOnly ? READ_ONLY_OPTIONS : '',
    expires_at: account.expiresAt === null ? null : isoTime(account.expiresAt),
    last_used_at: account.lastUsedAt === null ? null : isoTime(account.lastUsedAt),
    redirect_downloads: account.redirectDownloads,
  };
}

/**
 * Contract 18.1: an account's root is a `cloudreve://` URI without a search query, else
 * 40001 "Invalid URI". Of the file systems only the caller's own `my` can hold one here
 * (Cloudreve also allows `share`, which this server does not have yet).
 */
export function accountRoot(text: string, auth: Authentication): string {
  const invalid = (why: string) => new ApiError(CODES.parameter, `Invalid URI: ${why}`);
  const uri = (() => {
    try {
      return parseFileUri(text);
    } catch (error) {
      throw error instanceof ApiError ? invalid(error.message) : error;
    }
  })();
  if (uri.fs !== 'my') throw invalid(`a WebDAV account is rooted in a folder of cloudreve://my, not of "${uri.fs}"`);
  if (uri.user !== null && uri.user !== encodeId('user', auth.user.id)) throw invalid('a WebDAV account is rooted in your own files');
  if (uri.query !== '') throw invalid('a WebDAV account root has no search query');
  const path: VPath = parsePath(uri.names.join('/'));
  return formatPath(path);
}

/** The database id behind an account id of the URL; anything else is the contract's 404. */
export function accountId(text: string): number {
  const id = decodeId('dav', text);
  if (id === null) throw new ApiError(CODES.notFound, 'Account not exist');
  return id;
}

/** Optional RFC 3339 text as epoch milliseconds; null stays null (never expires). */
export function expiryOf(text: string | null | undefined): number | null | undefined {
  return text === undefined || text === null ? text : Date.parse(text);
}
