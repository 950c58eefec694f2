import { createHmac, timingSafeEqual } from 'node:crypto';
import { decodeId, encodeId } from '../../../auth/index.js';

/**
 * Signed download URLs (contract 9.1 and 9.3). A link grants one version of one file, read as
 * one user within one root (their whole space, or a share's folder), until it expires; a link
 * made through a share also names the share and its revision, checked again on every fetch.
 * It is self-contained, so it works without a token and on any node sharing the key:
 *
 *   /file/content/{content version}/{speed}/{name}?download=true&sign={user}.{root}.{file}.{expires}[.{share}.{revision}].{mac}
 *
 * The MAC (HMAC-SHA256 under a key derived for this use alone, see app.ts) covers every part
 * of the link, the file name and the download flag included, so none can be changed. Only the
 * part below /api/v4 is signed, so a proxy that adds a path prefix does not break links.
 */
export interface DownloadGrant {
  readonly userId: number;
  readonly rootId: number;
  readonly fileId: number;
  /** The content version (blob id); null for a file without content. */
  readonly blobId: string | null;
  readonly name: string;
  /** Content-Disposition: attachment rather than inline. */
  readonly download: boolean;
  /** Unix seconds. */
  readonly expires: number;
  /** Set when the link was made through a share: it works only while the share stays at this revision. */
  readonly share?: { readonly id: number; readonly revision: number };
  /** The link serves the content's thumbnail (contract 9.3 `thumb=true`), not the content. */
  readonly thumb?: boolean;
}

/** Contract 9.3: the entity of a file without content is 0. */
const NO_CONTENT = '0';
/** Contract 9.3: the speed limit segment, in bytes per second; links from this server never limit. */
const NO_LIMIT = '0';

/** The link below /api/v4 for a grant. */
export function signedPath(key: Uint8Array, grant: DownloadGrant): string {
  const entity = grant.blobId ?? NO_CONTENT;
  const holder = [encodeId('user', grant.userId), encodeId('file', grant.rootId), encodeId('file', grant.fileId), String(grant.expires)];
  if (grant.share) holder.push(encodeId('share', grant.share.id), String(grant.share.revision));
  const mac = macOf(key, { entity, speed: NO_LIMIT, name: grant.name, download: grant.download, holder, thumb: grant.thumb ?? false });
  const query = `${grant.download ? 'download=true&' : ''}${grant.thumb ? 'thumb=true&' : ''}sign=${holder.join('.')}.${mac}`;
  return `/file/content/${entity}/${NO_LIMIT}/${encodeURIComponent(grant.name)}?${query}`;
}

export type Verification =
  { readonly ok: true; readonly grant: DownloadGrant } | { readonly ok: false; readonly reason: 'invalid' | 'expired' };

/** Checks a link's parts as the router decoded them; `now` in epoch milliseconds. */
export function verifyLink(
  key: Uint8Array,
  link: { entity: string; speed: string; name: string; download: boolean; thumb?: boolean; sign: string | undefined },
  now: number,
): Verification {
  const parts = link.sign?.split('.') ?? [];
  if ((parts.length !== 5 && parts.length !== 7) || !/^\d+$/.test(link.speed) || !/^[0-9A-Za-z_-]{1,128}$/.test(link.entity)) {
    return INVALID;
  }
  // The MAC covers the holder as a list, so a share's parts can be neither dropped nor added.
  const holder = parts.slice(0, -1);
  const thumb = link.thumb ?? false;
  const expected = Buffer.from(
    macOf(key, { entity: link.entity, speed: link.speed, name: link.name, download: link.download, holder, thumb }),
  );
  const given = Buffer.from(parts[parts.length - 1]!);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return INVALID;
  // Only a link we signed gets this far, so its parts are well formed.
  const [userId, rootId, fileId] = [decodeId('user', holder[0]!), decodeId('file', holder[1]!), decodeId('file', holder[2]!)];
  const expires = Number(holder[3]);
  if (userId === null || rootId === null || fileId === null || !Number.isSafeInteger(expires)) return INVALID;
  let share: DownloadGrant['share'];
  if (holder.length === 6) {
    const [id, revision] = [decodeId('share', holder[4]!), Number(holder[5])];
    if (id === null || !Number.isSafeInteger(revision)) return INVALID;
    share = { id, revision };
  }
  if (expires * 1000 <= now) return { ok: false, reason: 'expired' };
  const blobId = link.entity === NO_CONTENT ? null : link.entity;
  return {
    ok: true,
    grant: {
      userId,
      rootId,
      fileId,
      blobId,
      name: link.name,
      download: link.download,
      expires,
      ...(share && { share }),
      ...(thumb && { thumb }),
    },
  };
}

const INVALID: Verification = { ok: false, reason: 'invalid' };

function macOf(
  key: Uint8Array,
  parts: { entity: string; speed: string; name: string; download: boolean; holder: readonly string[]; thumb: boolean },
): string {
  // JSON keeps the fields apart whatever characters a name holds; a thumbnail link is told apart by its first word.
  const purpose = parts.thumb ? 'cumulus thumbnail v1' : 'cumulus download v1';
  const message = JSON.stringify([purpose, parts.entity, parts.speed, parts.name, parts.download, ...parts.holder]);
  return createHmac('sha256', key).update(message).digest('base64url');
}
