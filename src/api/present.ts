import { encodeId } from '../auth/index.js';
import type { Entry, User, VPath } from '../core/index.js';
import type { Space } from './space.js';

/** Contract section 6: the `my` file system's capability boolset (bits 0,1,6-10,14-16,18-20,23,24). */
export const MY_CAPABILITY = 'w8edAQ==';

/** Contract 3.3: RFC 3339 with fractional seconds. */
export function isoTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/**
 * Contract section 6: a FileResponse. `uploadSession` marks the placeholder of an upload in
 * progress (contract 15.1: `metadata["sys:upload_session_id"]`).
 */
export function presentFile(entry: Entry, space: Space, path: VPath, uploadSession?: string) {
  return {
    type: entry.kind === 'folder' ? (1 as const) : (0 as const),
    id: encodeId('file', entry.id),
    name: entry.name,
    created_at: isoTime(entry.ctime),
    updated_at: isoTime(entry.mtime),
    size: entry.kind === 'file' ? entry.size : 0,
    metadata: uploadSession ? { 'sys:upload_session_id': uploadSession } : null,
    path: space.uriOf(path),
    capability: MY_CAPABILITY,
    ...(space.owned && { owned: true }),
  };
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
