import { ConflictError, ForbiddenError, formatPath, isWithin, type Entry, type Principal, type VPath } from '../../core/index.js';
import type { Database } from '../../db/index.js';
import type { LockRules } from '../locks.js';
import type { TransferOptions, Vfs } from '../vfs.js';
import { copyAcrossStores } from './copy-across.js';

/**
 * MOVE (RFC 4918 9.9) into, out of or between mounts, where no rename can carry the bytes from
 * one store to the other: a copy through the vfs (each write routed to its store, quota charged
 * on the user's side), then the source deleted (quota released). The destination is whole
 * before the source goes, so a failure part-way never loses both: the source stays, and for a
 * folder what was copied so far stays at the destination. Everything that would refuse the
 * delete (locks, a read-only mount, the top of a mount) is checked before the first byte moves.
 * Dead properties do not follow (they are not copied across stores either).
 */
export async function moveAcrossStores(
  vfs: Vfs,
  guards: {
    readonly database: Database;
    readonly lockRules: LockRules;
    readonly assertWritable: (tx: Parameters<LockRules['assertCanModify']>[0], principal: Principal, entry: Entry) => Promise<void>;
  },
  principal: Principal,
  from: VPath,
  to: VPath,
  options: TransferOptions,
): Promise<{ entry: Entry; replaced: boolean }> {
  if (isWithin(to, from)) throw new ConflictError(`${formatPath(from)} cannot be moved into itself`);
  const source = await vfs.stat(principal, from);
  if (source.parentId === null) throw new ForbiddenError(`${formatPath(from)} is a shared folder: it cannot be moved`);
  await guards.database.read(async (db) => {
    await guards.assertWritable(db, principal, source);
    await guards.lockRules.assertCanModify(db, principal, { covering: [source.parentId!], subtrees: [source.id] }, options.lockTokens);
  });
  const copied = await copyAcrossStores(vfs, principal, from, to, { ...options, depth: 'infinity' });
  // A move, not a delete: the content lives on at the destination, so nothing goes to the trash.
  await vfs.delete(principal, from, { lockTokens: options.lockTokens, permanent: true });
  return copied;
}
