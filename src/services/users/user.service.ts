import { generatePassword, hashPassword, verifyPassword } from '../../auth/index.js';
import {
  ConflictError,
  ForbiddenError,
  InvalidArgumentError,
  NotFoundError,
  UnauthenticatedError,
  type Group,
  type Principal,
  type User,
  type UserStatus,
} from '../../core/index.js';
import {
  isUniqueViolation,
  TrashRepository,
  type Database,
  type EntryRepository,
  type GroupRepository,
  type SessionRepository,
  type Tx,
  type UserRepository,
  type UserWithSecret,
} from '../../db/index.js';
import { GroupNotFoundError } from '../groups/group.errors.js';
import type { SharedVersions } from '../shared-state/shared-versions.js';
import { EmailTakenError, IncorrectPasswordError, UserNotFoundError } from './user.errors.js';

export interface NewUser {
  readonly email: string;
  readonly password: string;
  readonly displayName?: string;
  /** Group name or id; "User" by default. */
  readonly group?: string | number;
}

export const MIN_PASSWORD_LENGTH = 8;
/** The longest password sign-in accepts (the API's schema), so none set elsewhere is unusable. */
export const MAX_PASSWORD_LENGTH = 128;

/** What an administrator may change about a user at once; fields left out stay as they are. */
export interface UserChanges {
  readonly displayName?: string;
  readonly email?: string;
  readonly password?: string;
  readonly status?: UserStatus;
  /** Group name or id. */
  readonly group?: string | number;
}

/** Whose change it is: an administrator changing their own account keeps the session they act from. */
export interface ChangeContext {
  readonly keepSessionId?: string;
  /** Why the user's sessions end, in their session list ("disabled by an administrator"). */
  readonly by?: string;
}

/**
 * Counts a sign-up attempt from a client address and throws RateLimited past the allowance
 * (10 an hour); the app's counts live in the shared `throttles` table (LoginThrottle.countAttempt).
 */
export type SignUpLimit = (address: string, how: 'check' | 'count') => Promise<void>;

/** Users: accounts, passwords, and the principal a signed-in user acts as. */
export class UserService {
  /** Until the app hands its shared limit over (limitSignUpsWith), sign-ups are refused. */
  private signUpLimit: SignUpLimit = async () => {
    throw new Error('UserService: no sign-up limit was set (limitSignUpsWith)');
  };

  /** Told, inside the transaction, when a user's primary group is set (MembershipService.changed). */
  private groupsChanged: (tx: Tx, userId: number) => Promise<void> = async () => undefined;

  private readonly trash = new TrashRepository();

  constructor(
    private readonly database: Database,
    private readonly users: UserRepository,
    private readonly groups: GroupRepository,
    private readonly entries: EntryRepository,
    private readonly sessions: SessionRepository,
    private readonly versions: SharedVersions,
    private readonly clock: () => number,
    private readonly defaultPolicyId: () => number,
  ) {}

  /** Wired by the app once the shared throttle exists (it needs the signing key, loaded later). */
  limitSignUpsWith(limit: SignUpLimit): void {
    this.signUpLimit = limit;
  }

  /**
   * Someone signing themself up from `address` (the API's POST /user). Every well-formed
   * attempt counts against the address, successful or not: each costs a password hash, and
   * the answer for a taken email tells that the account exists. Past the allowance it is
   * RateLimited before anything is hashed or looked up.
   */
  async signUp(input: { email: string; password: string }, address: string): Promise<User> {
    // A blocked address gets the same 429 whatever it sends, so nothing more is learnt.
    await this.signUpLimit(address, 'check');
    // Malformed requests cost nothing and reveal nothing: refused without counting.
    normaliseEmail(input.email);
    validatePassword(input.password);
    await this.signUpLimit(address, 'count');
    return this.create(input);
  }

  /** Creates a user with an empty root folder, in one transaction. */
  async create(input: NewUser): Promise<User> {
    return (await this.insert(input, false))!;
  }

  /**
   * Creates the user only if there are no users at all (the first administrator), as a
   * start-up duty that runs in one process at a time: null when another got there first.
   */
  async createFirst(input: NewUser): Promise<User | null> {
    return this.insert(input, true);
  }

  private async insert(input: NewUser, onlyIfFirst: boolean): Promise<User | null> {
    const email = normaliseEmail(input.email);
    validatePassword(input.password);
    const passwordHash = await hashPassword(input.password);
    const work = async (tx: Tx): Promise<User | null> => {
      if (onlyIfFirst && (await this.users.count(tx)) > 0) return null;
      const group = await this.findGroup(tx, input.group ?? 'User');
      const now = this.clock();
      const user = await this.users.insert(tx, {
        email,
        displayName: input.displayName?.trim() || email.split('@')[0]!,
        passwordHash,
        groupId: group.id,
        now,
      });
      const root = await this.entries.insertIfAbsent(tx, {
        parentId: null,
        ownerId: user.id,
        name: '',
        kind: 'folder',
        size: 0,
        blobId: null,
        mtime: now,
        ctime: now,
        etag: `root-${user.id}-${now}`,
      });
      const updated = await this.users.update(tx, user.id, { rootId: root!.id, now });
      await this.groupsChanged(tx, user.id);
      return withoutSecret(updated!);
    };
    try {
      return await (onlyIfFirst ? this.database.exclusive(work) : this.database.transaction(work));
    } catch (error) {
      if (isUniqueViolation(error)) throw new EmailTakenError('A user with this email already exists');
      throw error;
    }
  }

  /**
   * Applies several changes in one transaction: all of them or, on any refusal, none. The one
   * path for every surface (admin API, CLI): disabling the account or setting its password ends
   * every session of the user (but `context.keepSessionId`) in the same transaction, and the
   * shared 'auth' counter moves with it, so every process drops its cached sessions and WebDAV
   * credentials of the user within a second. Enabling never revives an ended session.
   */
  async update(emailOrId: string | number, changes: UserChanges, context: ChangeContext = {}): Promise<User> {
    const user = await this.getWithSecret(emailOrId);
    const email = changes.email === undefined ? undefined : normaliseEmail(changes.email);
    const displayName = changes.displayName === undefined ? undefined : validateDisplayName(changes.displayName);
    if (changes.password !== undefined) validatePassword(changes.password);
    const passwordHash = changes.password === undefined ? undefined : await hashPassword(changes.password);
    const disabling = changes.status !== undefined && changes.status !== 'active';
    try {
      const updated = await this.versions.transaction('auth', async (tx) => {
        const group = changes.group === undefined ? undefined : await this.findGroup(tx, changes.group);
        const row = await this.users.update(tx, user.id, {
          displayName,
          email: email === user.email ? undefined : email,
          passwordHash,
          status: changes.status,
          groupId: group?.id,
          now: this.clock(),
        });
        if (row && group) await this.groupsChanged(tx, user.id);
        if (row && (disabling || passwordHash !== undefined)) {
          const reason = `${disabling ? 'disabled' : 'password reset'} by ${context.by ?? 'an administrator'}`;
          const now = this.clock();
          if (context.keepSessionId === undefined) await this.sessions.revokeAllOfUser(tx, user.id, reason, now);
          else await this.sessions.revokeOthersOfUser(tx, user.id, context.keepSessionId, reason, now);
        }
        return row;
      });
      if (!updated) throw new UserNotFoundError(`No user #${user.id}`);
      return withoutSecret(updated);
    } catch (error) {
      if (isUniqueViolation(error)) throw new EmailTakenError('A user with this email already exists');
      throw error;
    }
  }

  async get(emailOrId: string | number): Promise<User> {
    return withoutSecret(await this.getWithSecret(emailOrId));
  }

  async list(page: { afterId?: number; limit?: number } = {}): Promise<User[]> {
    const rows = await this.database.read((db) => this.users.list(db, { afterId: page.afterId, limit: page.limit ?? 1000 }));
    return rows.map(withoutSecret);
  }

  async count(): Promise<number> {
    return this.database.read((db) => this.users.count(db));
  }

  async setPassword(emailOrId: string | number, password: string, context: ChangeContext = {}): Promise<User> {
    return this.update(emailOrId, { password }, context);
  }

  /**
   * A user's own password change: IncorrectPassword unless `currentPassword` is theirs. The
   * new hash is written and `alongside` runs (the session service ends other sessions there)
   * in one transaction, so either both happen or neither.
   */
  async changePassword<T>(
    id: number,
    currentPassword: string,
    newPassword: string,
    alongside: (tx: Tx, user: UserWithSecret) => Promise<T>,
  ): Promise<T> {
    validatePassword(newPassword);
    const user = await this.getWithSecret(id);
    if (!(await verifyPassword(currentPassword, user.passwordHash))) throw new IncorrectPasswordError();
    const passwordHash = await hashPassword(newPassword);
    return this.versions.transaction('auth', async (tx) => {
      // Compare-and-set: another change committed since the check (from another device) means
      // the check no longer holds. One statement, so two changes at once cannot both pass it.
      const updated = await this.users.update(tx, id, { passwordHash, now: this.clock(), ifPasswordHash: user.passwordHash });
      if (!updated) throw new ConflictError('The password was changed meanwhile; try again');
      return alongside(tx, updated);
    });
  }

  async setStatus(emailOrId: string | number, status: UserStatus, context: ChangeContext = {}): Promise<User> {
    return this.update(emailOrId, { status }, context);
  }

  /** Wired once in app.ts: memberships (and the mounts they give) follow primary-group changes. */
  onGroupsChanged(listener: (tx: Tx, userId: number) => Promise<void>): void {
    this.groupsChanged = listener;
  }

  async setGroup(emailOrId: string | number, group: string | number): Promise<User> {
    return this.update(emailOrId, { group });
  }

  /** Checks a login password; the same error whether the email or the password is wrong. */
  async authenticate(email: string, password: string): Promise<User> {
    const user = await this.database.read((db) => this.users.byEmail(db, normaliseEmailLoose(email)));
    // Hash even for unknown emails so timing does not reveal which accounts exist.
    const valid = await verifyPassword(password, user?.passwordHash ?? (await this.dummyHash()));
    if (!user || !valid) throw new UnauthenticatedError('Incorrect password or email address');
    if (user.status !== 'active') throw new ForbiddenError('This account is disabled');
    return withoutSecret(user);
  }

  /** The principal a user acts as over their whole tree. */
  async principalFor(
    user: User,
    options: { rootId?: number; readOnly?: boolean; label?: string; lockHolder?: string | null; group?: Group } = {},
  ): Promise<Principal> {
    if (user.status !== 'active') throw new ForbiddenError('This account is disabled');
    // A view rooted in a trashed folder (a WebDAV account, a share) stops working until it is restored (issue 12).
    if (options.rootId !== undefined && options.rootId !== user.rootId) {
      const rootId = options.rootId;
      if (await this.database.read((db) => this.trash.isTrashed(db, rootId))) throw new NotFoundError('This folder is in the trash');
    }
    const group = options.group ?? (await this.groupOf(user));
    return {
      userId: user.id,
      rootId: options.rootId ?? user.rootId,
      readOnly: options.readOnly ?? false,
      quota: group.maxStorage,
      storagePolicyId: group.storagePolicyIds[0] ?? this.defaultPolicyId(),
      label: options.label ?? `user:${user.id}`,
      lockHolder: options.lockHolder === undefined ? `user:${user.id}` : options.lockHolder,
    };
  }

  /** A user and their group, read in one transaction-free pass (two primary-key lookups). */
  async withGroup(userId: number): Promise<{ user: User; group: Group }> {
    return this.database.read(async (db) => {
      const user = await this.users.byId(db, userId);
      if (!user) throw new UserNotFoundError(`No user #${userId}`);
      const group = await this.groups.byId(db, user.groupId);
      if (!group) throw new NotFoundError(`The group of ${user.email} no longer exists`);
      return { user: withoutSecret(user), group };
    });
  }

  async groupOf(user: User): Promise<Group> {
    const group = await this.database.read((db) => this.groups.byId(db, user.groupId));
    if (!group) throw new NotFoundError(`The group of ${user.email} no longer exists`);
    return group;
  }

  /** A hash of a random password, verified against when the email is unknown. */
  private dummy?: Promise<string>;
  private dummyHash(): Promise<string> {
    this.dummy ??= hashPassword(generatePassword(24));
    return this.dummy;
  }

  private async getWithSecret(emailOrId: string | number): Promise<UserWithSecret> {
    const user = await this.database.read((db) =>
      typeof emailOrId === 'number' ? this.users.byId(db, emailOrId) : this.users.byEmail(db, normaliseEmailLoose(emailOrId)),
    );
    if (!user) throw new UserNotFoundError(`No user ${typeof emailOrId === 'number' ? `#${emailOrId}` : emailOrId}`);
    return user;
  }

  private async findGroup(tx: Parameters<GroupRepository['byId']>[0], group: string | number): Promise<Group> {
    const found = typeof group === 'number' ? await this.groups.byId(tx, group) : await this.groups.byName(tx, group);
    if (!found) throw new GroupNotFoundError(`No group ${typeof group === 'number' ? `#${group}` : `named "${group}"`}`);
    return found;
  }
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

export function normaliseEmail(raw: string): string {
  const email = normaliseEmailLoose(raw);
  if (!EMAIL.test(email) || email.length > 254) throw new InvalidArgumentError('This is not a valid email address');
  return email;
}

function normaliseEmailLoose(raw: string): string {
  return raw.trim().toLowerCase();
}

function validateDisplayName(raw: string): string {
  const name = raw.trim();
  if (name.length === 0 || name.length > 255) throw new InvalidArgumentError('A nickname must be 1 to 255 characters long');
  return name;
}

function validatePassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new InvalidArgumentError(`A password must be at least ${MIN_PASSWORD_LENGTH} characters long`);
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new InvalidArgumentError(`A password cannot be longer than ${MAX_PASSWORD_LENGTH} characters`);
  }
}

function withoutSecret(user: UserWithSecret): User {
  const { passwordHash: _secret, ...rest } = user;
  return rest;
}
