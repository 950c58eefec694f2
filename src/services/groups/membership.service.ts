import { AlreadyExistsError, ConflictError, NotFoundError, type Group, type User } from '../../core/index.js';
import type { Database, GroupRepository, MembershipRepository, Tx, UserRepository } from '../../db/index.js';
import { UserNotFoundError } from '../users/user.errors.js';
import { GroupNotFoundError } from './group.errors.js';

/**
 * Runs inside the transaction that changed a user's groups, after the change: mounts use it
 * to graft or remove the user's shared folders in the same commit.
 */
export type MembershipListener = (tx: Tx, userId: number) => Promise<void>;

/**
 * The one place that says which groups a user belongs to: the primary group (users.group_id,
 * which decides rights, quota and storage policy) and any number of joined groups (which today
 * give access to the shared folder of the same name).
 */
export class MembershipService {
  private readonly listeners: MembershipListener[] = [];

  constructor(
    private readonly database: Database,
    private readonly memberships: MembershipRepository,
    private readonly users: UserRepository,
    private readonly groups: GroupRepository,
    private readonly clock: () => number,
  ) {}

  /** Called in the transaction of every membership change (mounts register here). */
  onChange(listener: MembershipListener): void {
    this.listeners.push(listener);
  }

  /** Runs the listeners for a user whose primary group changed in `tx`. */
  async changed(tx: Tx, userId: number): Promise<void> {
    for (const listener of this.listeners) await listener(tx, userId);
  }

  async join(email: string | number, group: string | number): Promise<{ user: User; group: Group }> {
    return this.database.transaction(async (tx) => {
      const { user, found } = await this.find(tx, email, group);
      if (user.groupId === found.id)
        throw new AlreadyExistsError(`${user.email} already belongs to "${found.name}": it is their primary group`);
      if (!(await this.memberships.add(tx, user.id, found.id, this.clock()))) {
        throw new AlreadyExistsError(`${user.email} already belongs to "${found.name}"`);
      }
      await this.changed(tx, user.id);
      return { user, group: found };
    });
  }

  async leave(email: string | number, group: string | number): Promise<{ user: User; group: Group }> {
    return this.database.transaction(async (tx) => {
      const { user, found } = await this.find(tx, email, group);
      if (user.groupId === found.id) {
        throw new ConflictError(`"${found.name}" is the primary group of ${user.email}: move them to another group instead`);
      }
      if (!(await this.memberships.remove(tx, user.id, found.id))) {
        throw new NotFoundError(`${user.email} does not belong to "${found.name}"`);
      }
      await this.changed(tx, user.id);
      return { user, group: found };
    });
  }

  /** The primary group first, then the joined ones. */
  async groupsOf(userId: number): Promise<Group[]> {
    return this.database.read(async (db) => {
      const user = await this.users.byId(db, userId);
      if (!user) throw new UserNotFoundError(`No user #${userId}`);
      const ids = [user.groupId, ...(await this.memberships.joined(db, userId))];
      const groups = await Promise.all(ids.map((id) => this.groups.byId(db, id)));
      return groups.filter((g): g is Group => g !== null);
    });
  }

  /** Group ids the user belongs to, primary first (for checks inside a transaction). */
  async groupIdsOf(tx: Tx, userId: number): Promise<number[]> {
    const user = await this.users.byId(tx, userId);
    return user ? [user.groupId, ...(await this.memberships.joined(tx, userId))] : [];
  }

  async isMember(tx: Tx, userId: number, groupId: number): Promise<boolean> {
    return this.memberships.isMember(tx, userId, groupId);
  }

  /** Every member of a group, primary or joined, by user id. */
  async members(tx: Tx, groupId: number): Promise<number[]> {
    return this.memberships.members(tx, groupId);
  }

  private async find(tx: Tx, email: string | number, group: string | number) {
    const user = typeof email === 'number' ? await this.users.byId(tx, email) : await this.users.byEmail(tx, email.trim().toLowerCase());
    if (!user) throw new UserNotFoundError(`No user ${email}`);
    const found = typeof group === 'number' ? await this.groups.byId(tx, group) : await this.groups.byName(tx, group);
    if (!found) throw new GroupNotFoundError(`No group ${typeof group === 'number' ? `#${group}` : `named "${group}"`}`);
    const { passwordHash: _secret, ...plain } = user;
    return { user: plain as User, found };
  }
}
