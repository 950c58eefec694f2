import {
  AlreadyExistsError,
  NotAFolderError,
  NotFoundError,
  PreconditionFailedError,
  type Entry,
  type Principal,
} from '../../core/index.js';
import type { UploadSessionRecord } from '../../db/index.js';
import type { Vfs } from '../../vfs/index.js';

/**
 * Contract 15.1: a new file shows as an empty placeholder while it uploads. The placeholder is
 * not locked (a lock would make deleting it answer 40073, which OpenList can only resolve
 * through DELETE /file/lock), so others may delete or overwrite it; the upload then lands
 * only on its own placeholder, untouched (same id and etag), and otherwise gives way.
 */
export function checkPlaceholder(session: UploadSessionRecord, current: Entry | null): void {
  if (session.placeholderId === null) return;
  if (!current || current.id !== session.placeholderId) {
    throw new NotFoundError('The placeholder of this upload was deleted or moved, which cancelled the upload');
  }
  if (current.etag !== session.placeholderEtag) {
    throw new AlreadyExistsError('The file was written by someone else while this upload was in progress');
  }
}

/** Deletes a session's placeholder if it is still there untouched; anything else is left alone. */
export async function removePlaceholder(
  vfs: Vfs,
  principal: Principal,
  session: UploadSessionRecord,
  warn: (error: unknown, message: string) => void,
): Promise<void> {
  if (session.placeholderId === null) return;
  try {
    // A placeholder never held the user's content: it goes for good, not to the trash.
    await vfs.delete(principal, session.path, {
      permanent: true,
      precondition: (entry) => {
        if (entry.id !== session.placeholderId || entry.etag !== session.placeholderEtag) {
          throw new PreconditionFailedError('No longer the placeholder');
        }
      },
    });
  } catch (error) {
    if (error instanceof NotFoundError || error instanceof NotAFolderError || error instanceof PreconditionFailedError) return;
    warn(error, `could not remove the placeholder of upload ${session.id}`);
  }
}
