import { call } from './session';
import type { Pagination, Share, ShareInfo } from './types';

export interface NewShare {
  readonly uri: string;
  readonly password?: string;
  /** Seconds from now until the link stops working. */
  readonly expireSeconds?: number;
  /** How many downloads the link allows. */
  readonly downloads?: number;
}

/** `PUT /share` (contract 19, Cloudreve frontend shape): answers the link's URL. */
export function createShare(share: NewShare): Promise<string> {
  return call<string>('PUT', '/share', {
    json: {
      uri: share.uri,
      is_private: Boolean(share.password),
      ...(share.password && { password: share.password }),
      ...(share.expireSeconds && { expire: share.expireSeconds }),
      ...(share.downloads && { downloads: share.downloads }),
    },
  });
}

/** `GET /share`: my share links, newest first. */
export function listShares(nextToken?: string): Promise<{ shares: Share[]; pagination: Pagination }> {
  return call('GET', '/share', { query: { page_size: 50, order_by: 'created_at', order_direction: 'desc', next_page_token: nextToken } });
}

/** `DELETE /share/{id}`: the link stops working at once. */
export function deleteShare(id: string): Promise<void> {
  return call<void>('DELETE', `/share/${encodeURIComponent(id)}`);
}

/** `GET /share/info/{id}`: what the link points at; `unlocked` once the password is right. */
export function shareInfo(id: string, password?: string): Promise<ShareInfo> {
  return call<ShareInfo>('GET', `/share/info/${encodeURIComponent(id)}`, { query: { password: password || undefined } });
}
