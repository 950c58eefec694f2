import { AlreadyExistsError, InvalidArgumentError, type Group, type GroupPermissions } from '../../core/index.js';
import { isForeignKeyViolation, isUniqueViolation, type Database, type GroupRepository } from '../../db/index.js';
import { BuiltInGroupError, GroupInUseError, GroupNotFoundError } from './group.errors.js';

export const BUILT_IN_GROUPS = { admin: 'Admin', user: 'User', anonymous: 'Anonymous' } as const;

export interface GroupChanges {
  readonly name?: string;
  readonly permissions?: Partial<GroupPermissions>;
  /** Bytes; null for no limit. */
  readonly maxStorage?: number | null;
  readonly storagePolicyIds?: readonly number[];
}

const NO_PERMISSIONS: GroupPermissions = { webdav: false, share: false, versions: false, admin: false };

/** Groups and what their members may do. */
export class GroupService {
  constructor(
    private readonly database: Database,
    private readonly groups: GroupRepository,
    private readonly clock: () => number,
  ) {}

  async list(): Promise<Group[]> {
    return this.database.read((db) => this.groups.list(db));
  }

  async get(nameOrId: string | number): Promise<Group> {
    const group = await this.database.read((db) =>
      typeof nameOrId === 'number' ? this.groups.byId(db, nameOrId) : this.groups.byName(db, nameOrId),
    );
    if (!group) throw new GroupNotFoundError(`No group ${typeof nameOrId === 'number' ? `#${nameOrId}` : `named "${nameOrId}"`}`);
    return group;
  }

  /** How many users belong to the group. */
  async memberCount(id: number): Promise<number> {
    return this.database.read((db) => this.groups.countMembers(db, id));
  }

  /** Deletes a group no user belongs to; built-in groups are never deleted. */
  async delete(nameOrId: string | number): Promise<void> {
    const group = await this.get(nameOrId);
    if (group.builtIn) throw new BuiltInGroupError(`The built-in group "${group.name}" cannot be deleted`);
    const inUse = (members: number) =>
      new GroupInUseError(members, `${members} user(s) still belong to the group "${group.name}"; move them to another group first`);
    try {
      await this.database.transaction(async (tx) => {
        const members = await this.groups.countMembers(tx, group.id);
        if (members > 0) throw inUse(members);
        if (!(await this.groups.delete(tx, group.id))) throw new GroupNotFoundError(`Group #${group.id} was removed meanwhile`);
      });
    } catch (error) {
      // A user moved into the group between the count and the delete: the foreign key refuses it.
      if (isForeignKeyViolation(error)) throw inUse(await this.memberCount(group.id));
      throw error;
    }
  }

  /** Without policies or a default policy id, the group stores where the built-in User group does. */
  async create(fields: GroupChanges & { name: string }, defaultPolicyId?: number): Promise<Group> {
    const name = validateGroupName(fields.name);
    validateQuota(fields.maxStorage);
    const storagePolicyIds =
      fields.storagePolicyIds ??
      (defaultPolicyId !== undefined ? [defaultPolicyId] : (await this.get(BUILT_IN_GROUPS.user)).storagePolicyIds);
    try {
      return await this.database.transaction((tx) =>
        this.groups.insert(tx, {
          name,
          permissions: { ...NO_PERMISSIONS, ...fields.permissions },
          maxStorage: fields.maxStorage ?? null,
          storagePolicyIds,
          builtIn: false,
          now: this.clock(),
        }),
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw new AlreadyExistsError(`A group named "${name}" already exists`);
      throw error;
    }
  }

  async update(nameOrId: string | number, changes: GroupChanges): Promise<Group> {
    const group = await this.get(nameOrId);
    if (changes.name !== undefined && group.builtIn && changes.name !== group.name) {
      throw new BuiltInGroupError(`The built-in group "${group.name}" cannot be renamed`);
    }
    if (group.builtIn && group.name === BUILT_IN_GROUPS.admin && changes.permissions?.admin === false) {
      throw new BuiltInGroupError(`The built-in group "${group.name}" always has the admin permission`);
    }
    validateQuota(changes.maxStorage);
    const fields = {
      ...(changes.name !== undefined && { name: validateGroupName(changes.name) }),
      ...(changes.permissions !== undefined && { permissions: { ...group.permissions, ...changes.permissions } }),
      ...(changes.maxStorage !== undefined && { maxStorage: changes.maxStorage }),
      ...(changes.storagePolicyIds !== undefined && { storagePolicyIds: changes.storagePolicyIds }),
    };
    // Nothing to change is no statement at all (an UPDATE needs a column to set).
    if (Object.keys(fields).length === 0) return group;
    try {
      const updated = await this.database.transaction((tx) => this.groups.update(tx, group.id, fields));
      if (!updated) throw new GroupNotFoundError(`Group #${group.id} was removed meanwhile`);
      return updated;
    } catch (error) {
      if (isUniqueViolation(error)) throw new AlreadyExistsError(`A group named "${changes.name}" already exists`);
      throw error;
    }
  }

  /** Creates Admin, User and Anonymous if missing. Idempotent; run at every start. */
  async ensureBuiltIns(defaultPolicyId: number): Promise<void> {
    const definitions: Array<{ name: string; permissions: GroupPermissions }> = [
      { name: BUILT_IN_GROUPS.admin, permissions: { webdav: true, share: true, versions: true, admin: true } },
      { name: BUILT_IN_GROUPS.user, permissions: { webdav: true, share: true, versions: true, admin: false } },
      { name: BUILT_IN_GROUPS.anonymous, permissions: NO_PERMISSIONS },
    ];
    await this.database.exclusive(async (tx) => {
      for (const definition of definitions) {
        if (await this.groups.byName(tx, definition.name)) continue;
        await this.groups.insert(tx, {
          ...definition,
          maxStorage: null,
          storagePolicyIds: [defaultPolicyId],
          builtIn: true,
          now: this.clock(),
        });
      }
    });
  }
}

function validateGroupName(raw: string): string {
  const name = raw.trim();
  if (name.length === 0 || name.length > 64) throw new InvalidArgumentError('A group name must be 1 to 64 characters long');
  return name;
}

function validateQuota(maxStorage: number | null | undefined): void {
  if (maxStorage !== undefined && maxStorage !== null && (!Number.isSafeInteger(maxStorage) || maxStorage < 0)) {
    throw new InvalidArgumentError('A storage quota must be a whole number of bytes, 0 or more');
  }
}
