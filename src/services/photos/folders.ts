import { AlreadyExistsError, NotAFolderError, formatPath, type Entry, type Principal, type VPath } from '../../core/index.js';
import type { Vfs } from '../../vfs/index.js';

/**
 * The folder at `path`, made with its parents when missing. A mounted tree answers an existing
 * folder with AlreadyExistsError even with `parents` (its mkdir creates on the disk): then it
 * is looked up.
 */
export async function ensureFolder(vfs: Vfs, principal: Principal, path: VPath): Promise<Entry> {
  const folder = await vfs.mkdir(principal, path, { parents: true }).catch(async (error: unknown) => {
    if (error instanceof AlreadyExistsError) return vfs.stat(principal, path);
    throw error;
  });
  if (folder.kind !== 'folder') throw new NotAFolderError(`${formatPath(path)} is a file, not a folder`);
  return folder;
}
