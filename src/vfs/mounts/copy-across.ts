import {
  AlreadyExistsError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  childPath,
  formatPath,
  isWithin,
  type Entry,
  type Principal,
  type VPath,
} from '../../core/index.js';
import type { TransferOptions, Vfs } from '../vfs.js';

/**
 * COPY (RFC 4918 9.8) where a mount is the source or the destination: blobs cannot be shared
 * with a directory on disk, so each file's bytes are read and written again through the vfs
 * (which routes each write to its store), and folders are made level by level. Not atomic as a
 * whole, as on any file system: a failure part-way leaves what was copied so far.
 */
export async function copyAcrossStores(
  vfs: Vfs,
  principal: Principal,
  from: VPath,
  to: VPath,
  options: TransferOptions & { depth?: '0' | 'infinity' },
): Promise<{ entry: Entry; replaced: boolean }> {
  if (isWithin(to, from)) throw new ConflictError(`${formatPath(from)} cannot be copied into itself`);
  const source = await vfs.stat(principal, from);
  const existing = await vfs.stat(principal, to).catch((error: unknown) => {
    if (error instanceof NotFoundError) return null;
    throw error;
  });
  if (existing?.id === source.id) throw new ForbiddenError('The source and the destination are the same');
  if (existing && !options.overwrite) throw new AlreadyExistsError(`${formatPath(to)} already exists`);
  const written = { lockTokens: options.lockTokens };
  // Replaced as Transfers replaces a destination: for good, as RFC 4918 9.8.4 deletes it.
  const replaced = { ...written, permanent: true };
  if (source.kind === 'file') {
    if (existing?.kind === 'folder') await vfs.delete(principal, to, replaced);
    const { stream } = await vfs.read(principal, from);
    const { entry } = await vfs.write(principal, to, stream, { ...written, mtime: source.mtime, expectedSize: source.size });
    return { entry, replaced: existing !== null };
  }
  if (existing) await vfs.delete(principal, to, replaced);
  const top = await vfs.mkdir(principal, to, { ...written, mtime: source.mtime });
  if (options.depth !== '0') {
    for await (const child of vfs.children(principal, from)) {
      await copyAcrossStores(vfs, principal, childPath(from, child.name), childPath(to, child.name), { ...options, overwrite: false });
    }
  }
  return { entry: top, replaced: existing !== null };
}
