import { encodeId } from '../auth/index.js';
import type { Entry, User, VPath } from '../core/index.js';
import type { UploadPolicy } from '../services/index.js';
import type { Space } from './space.js';

/** Contract section 6: the `my` file system's capability boolset (bits 0,1,6-10,14-16,18-20,23,24). */
export const MY_CAPABILITY = 'w8edAQ==';
/** Contract section 6: the `share` file system's (bits 7,9,10,15,19,20,23,24: list, info, download). */
export const SHARE_CAPABILITY = 'gIaYAQ==';

/** The capability boolset of a space's files and listings (contract 6, 7.3 `props.capability`). */
export function capabilityOf(space: Space): string {
  return space.share ? SHARE_CAPABILITY : MY_CAPABILITY;
}

/** 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: the times RFC 3339's four-digit years can write. */
const EARLIEST_TIME_MS = -62167219200000;
const LATEST_TIME_MS = 253402300799999;

/**
 * Contract 3.3: RFC 3339 with fractional seconds. A stored time outside what RFC 3339 (or a
 * Date) can hold is clamped to the nearest one it can, so one odd row cannot fail a listing.
 */
export function isoTime(epochMs: number): string {
  const clamped = Number.isNaN(epochMs) ? 0 : Math.min(Math.max(epochMs, EARLIEST_TIME_MS), LATEST_TIME_MS);
  return new Date(clamped).toISOString();
}

/**
 * Contract section 6: a FileResponse. `uploadSession` marks the placeholder of an upload in
 * progress (contract 15.1: `metadata["sys:upload_session_id"]`), shown only in a space the
 * caller owns: the session id is the owner's, not a share visitor's.
 */
export function presentFile(entry: Entry, space: Space, path: VPath, uploadSession?: string) {
  return {
    type: entry.kind === 'folder' ? (1 as const) : (0 as const),
    id: encodeId('file', entry.id),
    name: entry.name,
    created_at: isoTime(entry.ctime),
    updated_at: isoTime(entry.mtime),
    size: entry.kind === 'file' ? entry.size : 0,
    metadata: uploadSession && space.owned ? { 'sys:upload_session_id': uploadSession } : null,
    path: space.uriOf(path),
    capability: capabilityOf(space),
    ...(space.owned && { owned: true }),
  };
}

/**
 * Contract 7.3 and 15.1, `storage_policy`: a client sends chunks to this server when the type
 * is "local" (or `relay` is set), whatever the policy stores into behind it. Policies have no
 * opaque id kind yet: the id is the policy's number. No size limit (0).
 */
export function presentStoragePolicy(policy: UploadPolicy) {
  const local = policy.type === 'local';
  return { id: String(policy.id), name: policy.name, type: policy.type, max_size: 0, ...(!local && { relay: true }) };
}

/** Contract 5.3: the user object of a login answer and of /site/config/basic. */
export function presentUser(user: User, group: { id: number; name: string }) {
  return {
    id: encodeId('user', user.id),
    email: user.email,
    nickname: user.displayName,
    status: user.status === 'active' ? ('active' as const) : ('manual_banned' as const),
    created_at: isoTime(user.createdAt),
    group: { id: encodeId('group', group.id), name: group.name },
  };
}
