import { encodeId } from '../../../auth/index.js';
import type { Entry, User } from '../../../core/index.js';
import type { Share } from '../../../services/index.js';
import { isoTime, presentFile } from '../../present.js';
import type { Space } from '../../space.js';

/**
 * Cloudreve's `BuildShare` (contract 19): what anyone may see of a share, what only someone
 * who unlocked it sees, and what only its owner sees. `url` carries the password only when
 * unlocked. The `id` is the random link key (the database id would be guessable, contract 4.1).
 */
export function presentShare(share: Share, context: { owner: User; viewerId: number | null; unlocked: boolean; url: string }) {
  const { owner, unlocked } = context;
  const isOwner = context.viewerId === share.ownerId;
  return {
    id: share.key,
    name: share.name,
    visited: share.views,
    unlocked,
    ...(share.password !== null && { password_protected: true }),
    source_type: share.kind === 'folder' ? (1 as const) : (0 as const),
    owner: { id: encodeId('user', owner.id), nickname: owner.displayName, created_at: isoTime(owner.createdAt) },
    created_at: isoTime(share.createdAt),
    expired: share.expired,
    url: context.url,
    size: unlocked ? share.size : 0,
    ...(unlocked && {
      ...(share.remainingDownloads !== null && { remain_downloads: share.remainingDownloads }),
      ...(share.downloads > 0 && { downloaded: share.downloads }),
      ...(share.expiresAt !== null && { expires: isoTime(share.expiresAt) }),
      ...(share.password !== null && { password: share.password }),
      ...(share.showReadme && { show_readme: true }),
    }),
    ...(isOwner && {
      ...(share.password !== null && { is_private: true }),
      ...(share.shareView && { share_view: true }),
    }),
  };
}

/**
 * Contract 17: the root of a single-file share is a folder holding just that file. The folder
 * is not the file's real parent (whose name, id and other children stay private): it takes
 * the file's id and times, and the share's root URI.
 */
export function presentSharedFileRoot(file: Entry, space: Space) {
  const folder = { ...file, kind: 'folder' as const, name: '', size: 0 };
  return {
    files: [presentFile(file, space, [])],
    parent: { ...presentFile(folder, space, []), path: space.share!.rootUri },
  };
}
