import type { Selectable } from 'kysely';
import type { Entry, EntryKind } from '../../core/index.js';
import type { EntriesTable } from '../schema.js';

/** An entries row with its blob's digests, as the entry queries select it. */
export type EntryRow = Selectable<EntriesTable> & { sha256: string | null; sha1: string | null };

export function toEntry(row: EntryRow): Entry {
  return {
    id: Number(row.id),
    parentId: row.parent_id === null ? null : Number(row.parent_id),
    ownerId: Number(row.owner_id),
    name: row.name,
    kind: row.kind as EntryKind,
    size: Number(row.size),
    blobId: row.blob_id,
    sha256: row.sha256 ?? null,
    sha1: row.sha1 ?? null,
    mtime: Number(row.mtime),
    ctime: Number(row.ctime),
    etag: row.etag,
    ...(row.mount_id !== null && row.mount_id !== undefined && { mountId: Number(row.mount_id) }),
  };
}
