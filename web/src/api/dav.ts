import { call } from './session';
import type { DavAccount, Pagination } from './types';

/** Contract 18.1. */
export function listDavAccounts(nextToken?: string): Promise<{ accounts: DavAccount[]; pagination?: Pagination }> {
  return call('GET', '/devices/dav', { query: { page_size: 100, next_page_token: nextToken } });
}

export interface NewDavAccount {
  readonly name: string;
  /** The account's root folder (a cloudreve://my URI). */
  readonly uri: string;
  readonly readonly: boolean;
  /** GETs of files on a redirect storage policy answer 302 to the store (a Cumulus extension). */
  readonly redirectDownloads?: boolean;
  /** RFC 3339; the account stops working then (a Cumulus extension). */
  readonly expiresAt?: string;
}

/** Contract 18.1: the answer carries the generated password, shown to the user once. */
export function createDavAccount(account: NewDavAccount): Promise<DavAccount> {
  return call<DavAccount>('PUT', '/devices/dav', {
    json: {
      name: account.name,
      uri: account.uri,
      readonly: account.readonly,
      ...(account.redirectDownloads && { redirect_downloads: true }),
      ...(account.expiresAt && { expires_at: account.expiresAt }),
    },
  });
}

export function deleteDavAccount(id: string): Promise<void> {
  return call<void>('DELETE', `/devices/dav/${encodeURIComponent(id)}`);
}

/** Boolset bit 0 (contract 18.1). */
export function isReadOnly(account: DavAccount): boolean {
  return hasBit(account.options, 0);
}

/** Contract 3.3: bit n is byte n/8, bit n%8 of a standard base64 string. */
export function hasBit(boolset: string | undefined, bit: number): boolean {
  if (!boolset) return false;
  try {
    const bytes = atob(boolset);
    const byte = bytes.charCodeAt(Math.floor(bit / 8));
    return Number.isFinite(byte) && (byte & (1 << (bit % 8))) !== 0;
  } catch {
    return false;
  }
}
