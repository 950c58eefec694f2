import { InsufficientStorageError, UnavailableError } from '../../../core/index.js';

/** File-system errors a client can cause or must hear about, as typed domain errors. */
export function translateFileSystemError(error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new InsufficientStorageError('The server has no space left to store this file', { cause: error });
  }
  if (code === 'EROFS' || code === 'EIO' || code === 'EACCES' || code === 'EPERM') {
    return new UnavailableError(`Storage is not writable (${code})`, { cause: error });
  }
  return error;
}
