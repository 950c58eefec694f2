import { call } from './session';
import type { FileResponse } from './types';
import { segmentsOf } from './uri';

/** The caller's trash (contract 4 and 14.1): its top entries are what was deleted. */
export const TRASH_URI = 'cloudreve://trash';

/** Where a trashed entry came from and when the server will remove it for good (contract 6's `sys:` metadata). */
export interface TrashFacts {
  /** The original names from the root of My files, the entry's own name last; null when the server did not say. */
  readonly from: string[] | null;
  /** When the entry will be removed for good; null when the server did not say. */
  readonly removedAt: Date | null;
}

export function trashFactsOf(item: FileResponse): TrashFacts {
  const restore = item.metadata?.['sys:restore_uri'];
  const collect = Number(item.metadata?.['sys:expected_collect_time']);
  return {
    from: restore ? segmentsOf(restore) : null,
    removedAt: Number.isFinite(collect) && collect > 0 ? new Date(collect * 1000) : null,
  };
}

/** Contract 13 (Cloudreve's `POST /file/restore`): back to the original path, renamed on a conflict. */
export function restoreFromTrash(uris: string[]): Promise<void> {
  return call<void>('POST', '/file/restore', { json: { uris } });
}

/** Contract 14.1 with `skip_soft_delete`: trashed entries, gone for good. */
export function deleteForever(uris: string[]): Promise<void> {
  return call<void>('DELETE', '/file', { json: { uris, skip_soft_delete: true } });
}

/** Cloudreve 4.18's `DELETE /file/trash`: everything in the trash, gone for good. */
export function emptyTrash(): Promise<void> {
  return call<void>('DELETE', '/file/trash');
}
