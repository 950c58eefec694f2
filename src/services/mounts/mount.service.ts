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
import { LocalDirSource, SourceMissingError, createPolicySource, type MountSource } from '../../storage/index.js';
import { BUILT_IN_GROUPS } from '../groups/group.service.js';
import { MountNameTakenError, MountNotFoundError } from './mount.errors.js';

export interface NewMountInput {
  readonly name: string;
  /** A local directory (the disk is the truth); or else `policy`. */
  readonly dir?: string;
  /** An S3 or WebDAV storage policy (name or id) whose store holds the tree, below `prefix`. */
  readonly policy?: string | number;
  readonly prefix?: string;
  readonly readOnly?: boolean;
}

/** What mounts need of storage policies (wired after the policy service exists: usePolicies). */
export interface MountPolicies {
  get(nameOrId: string | number): Promise<{ id: number; name: string; type: string }>;
  settingsOf(policyId: number): Promise<{ type: string; fingerprint: string; open: () => Record<string, unknown> }>;
}

/** Where a new mount's tree is, checked: a real directory, or a policy's store and prefix that answer. */
interface CheckedSource {
  readonly source: 'dir' | 'policy';
  readonly dir: string | null;
  readonly policyId: number | null;
  readonly prefix: string | null;
  readonly top: { mtimeMs: number; ino: string; mtimeNs: string };
}

export interface MountView extends MountRecord {
  readonly members: number;
  /** The name of the storage policy a mount from a policy comes from. */
  readonly policyName: string | null;
}

/**
 * Administrators' shared folders (issue 11 item 6, PicApport's model): each mount comes with a
 * group of the same name, and every member of that group, whether as primary group or joined,
 * finds the mount at /NAME in their tree. The link row in each member's root is kept in step
 * with membership here, inside the transaction that changes it (MembershipService.onChange).
 */
export class MountService {
  private readonly sources = new Map<number, { fingerprint: string; source: MountSource }>();
  private policies: MountPolicies | null = null;

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

  usePolicies(policies: MountPolicies): void {
    this.policies = policies;
  }

  /** The source of a mount's bytes, one per mount per process (rebuilt when its policy changes). */
  async sourceFor(mount: MountRecord): Promise<MountSource | null> {
    let fingerprint = mount.dir ?? '';
    let make = () => new LocalDirSource(mount.dir!) as MountSource;
    if (mount.source === 'policy') {
      if (mount.policyId === null || !this.policies) return null;
      const policy = await this.policies.settingsOf(mount.policyId);
      fingerprint = policy.fingerprint;
      make = () => createPolicySource(policy.type, policy.open(), mount.prefix ?? '');
    } else if (!mount.dir) {
      return null;
    }
    const cached = this.sources.get(mount.id);
    if (cached?.fingerprint === fingerprint) return cached.source;
    void cached?.source.close?.();
    const source = make();
    this.sources.set(mount.id, { fingerprint, source });
    return source;
  }

  async add(input: NewMountInput): Promise<MountView> {
    const name = validateMountName(input.name);
    const checked = await this.checkSource(input);
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
          source: checked.source,
          dir: checked.dir,
          policyId: checked.policyId,
          prefix: checked.prefix,
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
          mtime: Math.trunc(checked.top.mtimeMs),
          ctime: now,
          etag: this.newId(),
          ino: checked.top.ino,
          mtimeNs: checked.top.mtimeNs,
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
      return Promise.all(mounts.map((m) => this.view(db, m)));
    });
  }

  async get(nameOrId: string | number): Promise<MountView> {
    return this.database.read(async (db) => {
      const mount = typeof nameOrId === 'number' ? await this.mounts.byId(db, nameOrId) : await this.mounts.byName(db, nameOrId);
      if (!mount) throw new MountNotFoundError(`No shared folder ${typeof nameOrId === 'number' ? `#${nameOrId}` : `named "${nameOrId}"`}`);
      return this.view(db, mount);
    });
  }

  /** Who sees a shared folder: the members of its group, primary or joined, in one query. */
  async members(name: string): Promise<Array<{ id: number; email: string; displayName: string; primary: boolean }>> {
    const mount = await this.get(name);
    return this.database.read((db) => this.memberships.memberList(db, mount.groupId));
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
    void this.sources.get(mount.id)?.source.close?.();
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

  private async view(db: Tx, mount: MountRecord): Promise<MountView> {
    const members = (await this.memberships.members(db, mount.groupId)).length;
    const policy = mount.policyId === null ? null : await this.policies?.get(mount.policyId).catch(() => null);
    return { ...mount, members, policyName: policy?.name ?? null };
  }

  private async checkSource(input: NewMountInput): Promise<CheckedSource> {
    if ((input.dir === undefined) === (input.policy === undefined)) {
      throw new InvalidArgumentError('A shared folder comes from either a directory (--dir) or a storage policy (--policy)');
    }
    if (input.dir !== undefined) {
      if (input.prefix !== undefined) throw new InvalidArgumentError('--prefix goes with --policy, not --dir');
      const dir = await realDirectory(input.dir);
      const top = await fs.stat(dir, { bigint: true });
      return {
        source: 'dir',
        dir,
        policyId: null,
        prefix: null,
        top: { mtimeMs: Number(top.mtimeMs), ino: top.ino.toString(), mtimeNs: top.mtimeNs.toString() },
      };
    }
    if (!this.policies) throw new InvalidArgumentError('Storage policies are not available in this process');
    const policy = await this.policies.get(input.policy!);
    const prefix = validatePrefix(input.prefix ?? '');
    const settings = await this.policies.settingsOf(policy.id);
    const source = createPolicySource(settings.type, settings.open(), prefix);
    try {
      // The top must answer now: a typo in the prefix or an unreachable store is said at once.
      await source.list([]);
    } catch (error) {
      if (error instanceof SourceMissingError)
        throw new InvalidArgumentError(`"${prefix}" does not exist in policy ${policy.name}'s store`);
      throw error;
    } finally {
      await source.close?.();
    }
    const now = this.clock();
    return { source: 'policy', dir: null, policyId: policy.id, prefix, top: { mtimeMs: now, ino: '', mtimeNs: '0' } };
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

/** A prefix below the policy's own prefix or root: plain names joined by slashes, no dot-dots. */
function validatePrefix(raw: string): string {
  const names = raw.split('/').filter((name) => name !== '');
  for (const name of names) {
    if (name === '.' || name === '..' || normaliseName(name) !== name) throw new InvalidArgumentError(`Not a usable prefix: ${raw}`);
  }
  return names.join('/');
}
