import { FailureThrottle, generatePassword, hashPassword, verifyPassword } from '../../auth/index.js';
import {
  ConflictError,
  ForbiddenError,
  InvalidArgumentError,
  NotFoundError,
  RateLimitedError,
  UnauthenticatedError,
  type Group,
  type Principal,
  type User,
  type UserStatus,
} from '../../core/index.js';
import {
  isUniqueViolation,
  type Database,
  type EntryRepository,
  type GroupRepository,
  type Tx,
  type UserRepository,
  type UserWithSecret,
} from '../../db/index.js';
import { GroupNotFoundError } from '../groups/group.errors.js';
import { EmailTakenError, IncorrectPasswordError, UserNotFoundError } from './user.errors.js';

export interface NewUser {
  readonly email: string;
  readonly password: string;
  readonly displayName?: string;
  /** Group name or id; "User" by default. */
  readonly group?: string | number;
}

export const MIN_PASSWORD_LENGTH = 8;

/** What an administrator may change about a user at once; fields left out stay as they are. */
export interface UserChanges {
  readonly displayName?: string;
  readonly email?: string;
  readonly password?: string;
  readonly status?: UserStatus;
  /** Group name or id. */
  readonly group?: string | number;
}

export interface UserServiceOptions {
  /** Sign-ups one client address may attempt within the window (each one costs a password hash). */
  readonly maxSignUps?: number;
  readonly signUpWindowMs?: number;
}

/** Users: accounts, passwords, and the principal a signed-in user acts as. */
export class UserService {
  private readonly signUps: FailureThrottle;

  constructor(
    private readonly database: Database,
    private readonly users: UserRepository,
    private readonly groups: GroupRepository,
    private readonly entries: EntryRepository,
    private readonly clock: () => number,
    private readonly defaultPolicyId: () => number,
    options: UserServiceOptions = {},
  ) {
    this.signUps = new FailureThrottle(options.maxSignUps ?? 10, options.signUpWindowMs ?? 3600_000, clock);
  }

  /**
   * Someone signing themself up from `address` (the API's POST /user). Every well-formed
   * attempt counts against the address, successful or not: each costs a password hash, and
   * the answer for a taken email tells that the account exists. Past the allowance it is
   * RateLimited before anything is hashed or looked up.
   */
  async signUp(input: { email: string; password: string }, address: string): Promise<User> {
    const key = `sign-up:${address}`;
    const wait = this.signUps.retryAfter(key);
    if (wait > 0) throw new RateLimitedError(wait, `Too many sign-ups from this address; try again in ${wait} seconds`);
    // Malformed requests cost nothing and reveal nothing: refused without counting.
    normaliseEmail(input.email);
    validatePassword(input.password);
    this.signUps.fail(key);
    return this.create(input);
  }

  /** Creates a user with an empty root folder, in one transaction. */
  async create(input: NewUser): Promise<User> {
    const email = normaliseEmail(input.email);
    validatePassword(input.password);
    const passwordHash = await hashPassword(input.password);
    try {
      return await this.database.transaction(async (tx) => {
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
        return withoutSecret(updated!);
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new EmailTakenError('A user with this email already exists');
      throw error;
    }
  }

  /** Applies several changes in one transaction: all of them or, on any refusal, none. */
  async update(id: number, changes: UserChanges): Promise<User> {
    const user = await this.getWithSecret(id);
    const email = changes.email === undefined ? undefined : normaliseEmail(changes.email);
    const displayName = changes.displayName === undefined ? undefined : validateDisplayName(changes.displayName);
    if (changes.password !== undefined) validatePassword(changes.password);
    const passwordHash = changes.password === undefined ? undefined : await hashPassword(changes.password);
    try {
      const updated = await this.database.transaction(async (tx) => {
        const group = changes.group === undefined ? undefined : await this.findGroup(tx, changes.group);
        return this.users.update(tx, user.id, {
          displayName,
          email: email === user.email ? undefined : email,
          passwordHash,
          status: changes.status,
          groupId: group?.id,
          now: this.clock(),
        });
      });
      if (!updated) throw new UserNotFoundError(`No user #${id}`);
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

  async setPassword(emailOrId: string | number, password: string): Promise<User> {
    validatePassword(password);
    const user = await this.getWithSecret(emailOrId);
    const passwordHash = await hashPassword(password);
    const updated = await this.database.transaction((tx) => this.users.update(tx, user.id, { passwordHash, now: this.clock() }));
    return withoutSecret(updated!);
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
    return this.database.transaction(async (tx) => {
      // Another change committed since the check (from another device): the check no longer holds.
      const latest = await this.users.byId(tx, id);
      if (latest?.passwordHash !== user.passwordHash) throw new ConflictError('The password was changed meanwhile; try again');
      const updated = await this.users.update(tx, id, { passwordHash, now: this.clock() });
      return alongside(tx, updated!);
    });
  }

  async setStatus(emailOrId: string | number, status: UserStatus): Promise<User> {
    const user = await this.getWithSecret(emailOrId);
    const updated = await this.database.transaction((tx) => this.users.update(tx, user.id, { status, now: this.clock() }));
    return withoutSecret(updated!);
  }

  async setGroup(emailOrId: string | number, group: string | number): Promise<User> {
    const user = await this.getWithSecret(emailOrId);
    const updated = await this.database.transaction(async (tx) => {
      const target = await this.findGroup(tx, group);
      return this.users.update(tx, user.id, { groupId: target.id, now: this.clock() });
    });
    return withoutSecret(updated!);
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
  async principalFor(user: User, options: { rootId?: number; readOnly?: boolean; label?: string; group?: Group } = {}): Promise<Principal> {
    if (user.status !== 'active') throw new ForbiddenError('This account is disabled');
    const group = options.group ?? (await this.groupOf(user));
    return {
      userId: user.id,
      rootId: options.rootId ?? user.rootId,
      readOnly: options.readOnly ?? false,
      quota: group.maxStorage,
      storagePolicyId: group.storagePolicyIds[0] ?? this.defaultPolicyId(),
      label: options.label ?? `user:${user.id}`,
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
  if (password.length > 1024) throw new InvalidArgumentError('A password cannot be longer than 1024 characters');
}

function withoutSecret(user: UserWithSecret): User {
  const { passwordHash: _secret, ...rest } = user;
  return rest;
}
