import { decodeId, encodeId } from '../../../auth/index.js';
import { parsePath, type Entry, type VPath } from '../../../core/index.js';
import type { Authentication } from '../../../services/index.js';
import type { TrashedEntry } from '../../../vfs/index.js';
import type { ApiDependencies } from '../../context.js';
import { ApiError, CODES } from '../../errors.js';
import { cursorPagination } from '../../pagination.js';
import { presentFile } from '../../present.js';
import type { Located, Space } from '../../space.js';
import { renderFileUri, type FileUri } from '../../uri.js';
import { listingProps } from './files.listing.js';

/**
 * The trash file system (contract 4, `cloudreve://trash`, issue 12). Its top level lists what
 * the caller deleted; each item is addressed by its file id, `cloudreve://trash/{id}/below`,
 * since several deleted items may share a name. A trashed item is browsed read-only through a
 * view rooted at it; its listing entry carries `sys:restore_uri` (where it came from) and
 * `sys:expected_collect_time` (unix seconds when retention deletes it).
 */
export interface TrashLocated extends Located {
  /** The trashed top the URI names; null for the trash's root. */
  readonly item: TrashedEntry | null;
}

export async function locateTrash(uri: FileUri, auth: Authentication | null, deps: ApiDependencies): Promise<TrashLocated> {
  if (!auth) throw new ApiError(CODES.loginRequired, 'Login required');
  if (uri.user !== null && uri.user !== encodeId('user', auth.user.id)) {
    throw new ApiError(CODES.ownerOnly, 'Only the owner can see their trash');
  }
  const rootSpace: Space = {
    principal: auth.principal,
    ownerId: auth.user.id,
    owned: true,
    uriOf: () => renderFileUri({ fs: 'trash' }, []),
  };
  if (uri.names.length === 0) return { uri, space: rootSpace, path: [], root: true, item: null };
  const id = decodeId('file', uri.names[0]!);
  if (id === null) throw new ApiError(CODES.notExist, 'There is no such item in the trash');
  const item = await deps.vfs.history.trashed(auth.principal, id);
  const key = uri.names[0]!;
  const space: Space = {
    principal: { ...auth.principal, rootId: item.entry.id, readOnly: true },
    ownerId: auth.user.id,
    owned: true,
    uriOf: (path: VPath) => renderFileUri({ fs: 'trash' }, [key, ...path]),
  };
  return { uri, space, path: parsePath(uri.names.slice(1).join('/')), root: false, item };
}

/** A trashed top entry as a listing shows it. */
export function presentTrashed(item: TrashedEntry, space: Space) {
  const file = presentFile(item.entry, space, []);
  return {
    ...file,
    path: renderFileUri({ fs: 'trash' }, [encodeId('file', item.entry.id)]),
    metadata: {
      'sys:restore_uri': renderFileUri({ fs: 'my' }, item.record.restorePath),
      'sys:expected_collect_time': String(Math.floor(item.expiresAt / 1000)),
    },
  };
}

/** GET /file?uri=cloudreve://trash[/{id}/...]: the trash's items, or a trashed folder's content. */
export async function listTrash(located: TrashLocated, deps: ApiDependencies, pageSize: number, maxPageSize: number) {
  const { space, item, path } = located;
  const folder = (entry: Entry, uri: string) => ({ ...presentFile(entry, space, path), path: uri });
  if (!item) {
    const items = await deps.vfs.history.trash(space.principal);
    const root = await deps.vfs.stat(space.principal, []);
    return {
      files: items.map((trashed) => presentTrashed(trashed, space)),
      parent: { ...folder(root, renderFileUri({ fs: 'trash' }, [])), name: '' },
      pagination: cursorPagination(pageSize, null),
      props: listingProps(space, maxPageSize),
      mixed_type: false,
    };
  }
  const current = await deps.vfs.stat(space.principal, path);
  if (current.kind !== 'folder') throw new ApiError(CODES.notExist, 'This is a file, not a folder');
  const page = await deps.vfs.list(space.principal, path, { foldersFirst: true, limit: pageSize });
  return {
    files: page.entries.map((entry) => presentFile(entry, space, [...path, entry.name])),
    parent: path.length === 0 ? presentTrashed(item, space) : folder(current, space.uriOf(path)),
    pagination: cursorPagination(pageSize, page.nextCursor),
    props: listingProps(space, maxPageSize),
    mixed_type: false,
  };
}
