import { promises as fs } from 'node:fs';
import path from 'node:path';
import { AlreadyExistsError, InvalidArgumentError, normaliseName } from '../../core/index.js';
import {
  isUniqueViolation,
  type Database,
  type EntryRepository,
  type GroupRepository,
  type MembershipRepository,
  type MountRecord,
  type MountRepository,
  type Tx,
  type UserRepository,
} from '../../db/index.js';
import { LocalDirSource, type MountSource } from '../../storage/index.js';
import { BUILT_IN_GROUPS } from '../groups/group.service.js';
import { MountNameTakenError, MountNotFoundError } from './mount.errors.js';

export interface NewMountInput {
  readonly name: string;
  /** A local directory (the disk is the truth). */
  readonly dir: string;
  readonly readOnly?: boolean;
}

export interface MountView extends MountRecord {
  readonly members: number;
}

/**
 * Administrators' shared folders (issue 11 item 6, PicApport's model): each mount comes with a
 * group of the same name, and every member of that group, whether as primary group or joined,
 * finds the mount at /NAME in their tree. The link row in each member's root is kept in step
 * with membership here, inside the transaction that changes it (MembershipService.onChange).
 */
export class MountService {
  private readonly sources = new Map<number, MountSource>();

  constructor(
    private readonly database: Database,
    private readonly mounts: MountRepository,
    private readonly groups: GroupRepository,
    private readonly memberships: MembershipRepository,
    private readonly users: UserRepository,
    private readonly entries: EntryRepository,
    private readonly clock: () => number,
    private readonly newId: () => string,
  ) {}

  /** The source of a mount's bytes, one per mount per process. */
  sourceFor(mount: MountRecord): MountSource | null {
    if (mount.source !== 'dir' || !mount.dir) return null;
    let source = this.sources.get(mount.id);
    if (!source) this.sources.set(mount.id, (source = new LocalDirSource(mount.dir)));
    return source;
  }

  async add(input: NewMountInput): Promise<MountView> {
    const name = validateMountName(input.name);
    const dir = await realDirectory(input.dir);
    const top = await fs.stat(dir, { bigint: true });
    try {
      const id = await this.database.transaction(async (tx) => {
        const owner = await this.firstAdministrator(tx);
        const user = await this.groups.byName(tx, BUILT_IN_GROUPS.user);
        const group = await this.groups.insert(tx, {
          name,
          permissions: { webdav: false, share: false, versions: false, admin: false },
          maxStorage: null,
          storagePolicyIds: user?.storagePolicyIds ?? [],
          builtIn: false,
          now: this.clock(),
        });
        const now = this.clock();
        const mountId = await this.mounts.insert(tx, {
          name,
          groupId: group.id,
          source: 'dir',
          dir,
          policyId: null,
          prefix: null,
          readOnly: input.readOnly ?? false,
          ownerId: owner,
          createdAt: now,
        });
        const root = await this.mounts.insertMounted(tx, {
          parentId: null,
          ownerId: owner,
          mountId,
          name,
          kind: 'folder',
          size: 0,
          mtime: Math.trunc(Number(top.mtimeMs)),
          ctime: now,
          etag: this.newId(),
          ino: top.ino.toString(),
          mtimeNs: top.mtimeNs.toString(),
        });
        await this.mounts.setRoot(tx, mountId, root!.id);
        return mountId;
      });
      return this.get(id);
    } catch (error) {
      if (isUniqueViolation(error)) throw new AlreadyExistsError(`A shared folder or group named "${name}" already exists`);
      throw error;
    }
  }

  async list(): Promise<MountView[]> {
    return this.database.read(async (db) => {
      const mounts = await this.mounts.list(db);
      return Promise.all(mounts.map(async (m) => ({ ...m, members: (await this.memberships.members(db, m.groupId)).length })));
    });
  }

  async get(nameOrId: string | number): Promise<MountView> {
    return this.database.read(async (db) => {
      const mount = typeof nameOrId === 'number' ? await this.mounts.byId(db, nameOrId) : await this.mounts.byName(db, nameOrId);
      if (!mount) throw new MountNotFoundError(`No shared folder ${typeof nameOrId === 'number' ? `#${nameOrId}` : `named "${nameOrId}"`}`);
      return { ...mount, members: (await this.memberships.members(db, mount.groupId)).length };
    });
  }

  async setReadOnly(name: string, readOnly: boolean): Promise<MountView> {
    const mount = await this.get(name);
    await this.database.transaction((tx) => this.mounts.setReadOnly(tx, mount.id, readOnly));
    return this.get(mount.id);
  }

  /**
   * Removes the shared folder from every member's tree, with its locks and dead properties, and
   * its group; the directory on disk is left as it is. Refused while the group is someone's
   * primary group.
   */
  async remove(name: string): Promise<MountRecord> {
    const mount = await this.get(name);
    await this.database.transaction(async (tx) => {
      await this.entries.lockOwnerTree(tx, mount.ownerId, this.database.dialect, 'exclusive');
      await this.mounts.deleteLinksTo(tx, mount.rootId);
      await this.entries.deleteSubtree(tx, mount.rootId);
      await this.memberships.removeGroup(tx, mount.groupId);
      await this.mounts.delete(tx, mount.id);
      if ((await this.groups.countMembers(tx, mount.groupId)) > 0) {
        throw new InvalidArgumentError(`"${mount.name}" is the primary group of some users: move them to another group first`);
      }
      await this.groups.delete(tx, mount.groupId);
    });
    this.sources.delete(mount.id);
    return mount;
  }

  /**
   * Puts a link at /NAME in the user's root for each mount of their groups, and takes away the
   * others: run in the transaction of every membership change.
   */
  async syncLinks(tx: Tx, userId: number): Promise<void> {
    const user = await this.users.byId(tx, userId);
    if (!user?.rootId) return;
    const groupIds = [user.groupId, ...(await this.memberships.joined(tx, userId))];
    const wanted = new Map((await this.mounts.ofGroups(tx, groupIds)).map((m) => [m.rootId, m]));
    for (const link of await this.mounts.linksIn(tx, user.rootId)) {
      if (wanted.delete(link.linkTo)) continue;
      await this.entries.deleteSubtree(tx, link.id);
    }
    for (const mount of wanted.values()) {
      const now = this.clock();
      const linked = await this.mounts.insertLink(tx, {
        folderId: user.rootId,
        ownerId: user.id,
        name: mount.name,
        linkTo: mount.rootId,
        now,
        etag: this.newId(),
      });
      if (!linked) {
        throw new MountNameTakenError(`${user.email} already has a "/${mount.name}": rename or move it before joining the shared folder`);
      }
    }
  }

  private async firstAdministrator(tx: Tx): Promise<number> {
    const admin = await this.groups.byName(tx, BUILT_IN_GROUPS.admin);
    const members = admin ? await this.memberships.members(tx, admin.id) : [];
    if (members.length === 0) throw new InvalidArgumentError('Create an administrator first: the shared folder belongs to them');
    return members[0]!;
  }
}

function validateMountName(raw: string): string {
  const name = normaliseName(raw.trim());
  if (name.length > 64) throw new InvalidArgumentError('A shared folder name must be 1 to 64 characters long');
  return name;
}

async function realDirectory(dir: string): Promise<string> {
  const resolved = await fs.realpath(path.resolve(dir)).catch(() => {
    throw new InvalidArgumentError(`${dir} does not exist`);
  });
  if (!(await fs.stat(resolved)).isDirectory()) throw new InvalidArgumentError(`${dir} is not a directory`);
  return resolved;
}
