import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ReadOnlyError,
  UnavailableError,
  type Entry,
  type Principal,
  type VPath,
} from '../../core/index.js';
import type { Database, EntryRepository, LockRepository, MembershipRepository, MountRecord, MountRepository, Tx } from '../../db/index.js';
import { SourceChangedError, SourceMissingError, SourceRefusedError, type MountSource } from '../../storage/index.js';
import type { VfsEvents } from '../events.js';

/** What the mounted parts of the vfs work with (wired by Vfs from VfsDependencies.mounts). */
export interface MountedDependencies {
  readonly database: Database;
  readonly entries: EntryRepository;
  readonly mounts: MountRepository;
  readonly memberships: MembershipRepository;
  readonly locks: LockRepository;
  readonly events: VfsEvents;
  readonly clock: () => number;
  readonly newId: () => string;
  /** The source holding a mount's bytes; null when this server cannot reach it. */
  readonly sourceFor: (mount: MountRecord) => Promise<MountSource | null>;
}

/** A path that lies in a mounted tree: the chain of entries, where the mount starts in it, and its names below the mount's top. */
export interface MountedPlace {
  readonly mount: MountRecord;
  readonly source: MountSource;
  /** Entries from the principal's root as far as the path resolves (see Resolver.chain). */
  readonly chain: Entry[];
  /** Index in `chain` of the mount's root entry. */
  readonly top: number;
  /** The path's names below the mount's top. */
  readonly names: string[];
}

/**
 * Finds whether a path reaches into a mount, from the one chain query the vfs makes anyway.
 * The principal must belong to the mount's group: membership is what grants a mount (the link
 * in a member's root is its consequence), so a WebDAV account rooted inside a mount loses it
 * with the membership.
 */
export class MountPlaces {
  constructor(private readonly deps: MountedDependencies) {}

  async locate(db: Tx, principal: Principal, path: VPath): Promise<MountedPlace | null> {
    const chain = await this.deps.entries.resolveChain(db, principal.rootId, path);
    const top = chain.findIndex((entry) => entry.mountId !== undefined);
    if (top < 0) return null;
    const mountId = chain[top]!.mountId!;
    const mount = await this.deps.mounts.byId(db, mountId);
    if (!mount) throw new NotFoundError('This shared folder was removed');
    if (!(await this.deps.memberships.isMember(db, principal.userId, mount.groupId))) {
      throw new NotFoundError('The file or folder does not exist');
    }
    // The view's root may itself lie inside the mount (a WebDAV account rooted there): the
    // names below the mount's top then start with the root's own place.
    const prefix = top === 0 && chain[0]!.parentId !== null ? await this.namesBelowTop(db, chain[0]!) : [];
    return { mount, source: await this.sourceOf(mount), chain, top, names: [...prefix, ...path.slice(top)] };
  }

  /** The names from a mount's top down to a mounted entry. */
  async namesBelowTop(db: Tx, entry: Entry): Promise<string[]> {
    const up = await this.deps.entries.ancestry(db, entry.id);
    return up
      .slice(0, -1)
      .map((link) => link.name)
      .reverse();
  }

  async sourceOf(mount: MountRecord): Promise<MountSource> {
    const source = await this.deps.sourceFor(mount);
    if (!source) throw new UnavailableError(`The shared folder "${mount.name}" is not reachable from this server`);
    return source;
  }
}

export function assertMountWritable(principal: Principal, mount: MountRecord): void {
  if (principal.readOnly) throw new ReadOnlyError();
  if (mount.readOnly) throw new ReadOnlyError(`The shared folder "${mount.name}" is read-only`);
}

/** The mount's own top stands for the shared folder: only an administrator removes it. */
export function assertNotTop(place: MountedPlace, index: number): void {
  if (index <= place.top && place.chain[place.top]!.parentId === null) {
    throw new ForbiddenError(`"${place.mount.name}" is a shared folder: it cannot be moved, copied over or deleted`);
  }
}

/** Source errors as domain errors, for the protocol layers. */
export function translateSourceError(error: unknown): unknown {
  if (error instanceof SourceMissingError) return new ConflictError('A folder on the way is gone from the shared folder on disk');
  if (error instanceof SourceRefusedError) return new ForbiddenError(`Refused in the shared folder: ${error.message}`);
  if (error instanceof SourceChangedError) return new ConflictError('The file changed on disk while it was opened; try again');
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'EEXIST') return new ConflictError('Something with this name appeared on disk meanwhile');
  if (code === 'ENOTEMPTY') return new ConflictError('The folder on disk is not empty');
  if (code === 'EACCES' || code === 'EPERM') return new ForbiddenError('The server may not change this on disk');
  if (code === 'ENOSPC') return new ConflictError('The disk of the shared folder is full');
  return error;
}
