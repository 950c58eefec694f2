import type { Entry, Principal } from '../core/index.js';
import type { BlobRecord, Tx } from '../db/index.js';
import type { TreeRows } from './tree-rows.js';
import type { VfsDependencies } from './vfs.js';

/**
 * Saves through a temporary file (webdav-clients.md "Safe save", issue 12): an editor writes
 * `lu123.tmp`, deletes or renames away `report.odt`, then renames the temporary file to
 * `report.odt`. Done literally, the document would become a new file each save, its id,
 * shares and history lost. So a rename onto a name its principal left within the last two
 * minutes continues the file that left: that file (`departed`) comes back to the name, same
 * id, with the new content; its old content becomes a version.
 *
 * - Deleted (in the trash): it leaves the trash; the temporary file's row goes.
 * - Renamed away (Word: `report.docx` → `~WRL0001.tmp`): the two files swap contents and
 *   places, so the name the client renamed the original to still holds the old bytes (the
 *   client deletes it next) while the document keeps its identity.
 */
export async function continueDeparted(
  deps: VfsDependencies,
  rows: TreeRows,
  tx: Tx,
  principal: Principal,
  moves: { source: Entry; departed: Entry; parentId: number; name: string },
): Promise<BlobRecord[]> {
  const { source } = moves;
  // Versions are decided by the name it comes back to (its place now may be a temporary name).
  const departed = { ...moves.departed, name: moves.name };
  const freed: BlobRecord[] = [];
  const trashed = departed.parentId === null;
  const backup = { parentId: moves.departed.parentId!, name: moves.departed.name };
  if (trashed) {
    // The source's reference moves to the departed file; its row, versions and properties go.
    const properties = await rows.propertyBytesBelow(tx, source);
    freed.push(...(await rows.history.dropVersionsBelow(tx, source.id)));
    freed.push(...(await rows.replaceContent(tx, departed, source, { sourceReference: 'moved', by: principal })));
    await deps.entries.deleteSubtree(tx, source.id);
    await deps.users.addStorageUsed(tx, source.ownerId, -properties, null);
    await rows.history.trash.delete(tx, departed.id);
    await deps.entries.relocate(tx, departed.id, moves.parentId, moves.name);
  } else {
    // Swap: the departed file takes the new content (its old one a version), the source the old.
    await rows.chargeQuota(tx, principal, departed.size);
    await deps.blobs.addReferences(tx, new Map([[departed.blobId!, 1]]));
    freed.push(...(await rows.replaceContent(tx, departed, source, { sourceReference: 'copied', by: principal })));
    await deps.entries.setContent(tx, source.id, {
      size: departed.size,
      blobId: departed.blobId!,
      mtime: departed.mtime,
      etag: departed.etag,
    });
    if (source.blobId) freed.push(...(await deps.blobs.releaseReferences(tx, new Map([[source.blobId, 1]]))));
    await deps.locks.deleteSubtree(tx, source.id, deps.clock());
    await deps.locks.deleteSubtree(tx, departed.id, deps.clock());
    await deps.entries.relocate(tx, departed.id, moves.parentId, moves.name);
    await deps.entries.relocate(tx, source.id, backup.parentId, backup.name);
  }
  await rows.history.trash.forgetDepartures(tx, departed.id);
  return freed;
}
