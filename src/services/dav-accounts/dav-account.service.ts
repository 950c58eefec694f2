import { CredentialCache, FailureThrottle, generatePassword, hashPassword, verifyPassword } from '../../auth/index.js';
import {
  AlreadyExistsError,
  ForbiddenError,
  InvalidArgumentError,
  NotFoundError,
  RateLimitedError,
  UnauthenticatedError,
  formatPath,
  parsePath,
  type Principal,
} from '../../core/index.js';
import {
  isUniqueViolation,
  type Database,
  type DavAccountRecord,
  type DavAccountRepository,
  type EntryRepository,
} from '../../db/index.js';
import type { Vfs } from '../../vfs/index.js';
import type { ServerSettings } from '../settings/server-settings.service.js';
import type { UserService } from '../users/user.service.js';

/** An account as shown to its owner: never the password or its hash. */
export interface DavAccount {
  readonly id: number;
  readonly userId: number;
  readonly name: string;
  /** The root folder's path in the user's tree, or null if that folder was deleted. */
  readonly root: string | null;
  readonly readOnly: boolean;
  readonly expiresAt: number | null;
  readonly lastUsedAt: number | null;
  readonly createdAt: number;
}

export const DAV_PASSWORD_LENGTH = 32;
/** The password's first characters, stored in clear, find the account without trying the KDF on each. */
const KEY_ID_LENGTH = 8;

export interface DavAccountServiceOptions {
  readonly clock: () => number;
  readonly cacheTtlMs?: number;
  readonly maxFailures?: number;
  readonly failureWindowMs?: number;
}

/**
 * Per-device WebDAV accounts (the Cloudreve model): the server generates the password and
 * shows it once, stores only a KDF hash, and each account is jailed to a folder of the
 * user's tree and may be read-only or expire. The login password never works over WebDAV.
 */
export class DavAccountService {
  private readonly cache: CredentialCache<number>;
  private readonly throttle: FailureThrottle;
  private readonly lastTouched = new Map<number, number>();

  constructor(
    private readonly database: Database,
    private readonly accounts: DavAccountRepository,
    private readonly entries: EntryRepository,
    private readonly users: UserService,
    private readonly settings: ServerSettings,
    private readonly vfs: Vfs,
    private readonly options: DavAccountServiceOptions,
  ) {
    this.cache = new CredentialCache(options.cacheTtlMs ?? 60_000, 10_000, options.clock);
    this.throttle = new FailureThrottle(options.maxFailures ?? 10, options.failureWindowMs ?? 5 * 60_000, options.clock);
  }

  /** Creates an account; the returned password is shown once and never stored in clear. */
  async create(input: {
    userId: number;
    name: string;
    root?: string;
    readOnly?: boolean;
    expiresAt?: number | null;
  }): Promise<{ account: DavAccount; password: string }> {
    const user = await this.users.get(input.userId);
    const group = await this.users.groupOf(user);
    if (!group.permissions.webdav) throw new ForbiddenError(`The group ${group.name} may not use WebDAV`);
    const name = validateAccountName(input.name);
    validateExpiry(input.expiresAt, this.options.clock());
    const principal = await this.users.principalFor(user);
    // The root is created when missing, as a user picking a folder for a new device expects.
    const root = await this.vfs.mkdir(principal, parsePath(input.root ?? '/'), { parents: true });
    for (let attempt = 0; ; attempt++) {
      const password = generatePassword(DAV_PASSWORD_LENGTH);
      try {
        const record = await this.database.transaction(async (tx) =>
          this.accounts.insert(tx, {
            userId: user.id,
            name,
            keyId: password.slice(0, KEY_ID_LENGTH),
            secretHash: await hashPassword(password),
            rootId: root.id,
            readOnly: input.readOnly ?? false,
            expiresAt: input.expiresAt ?? null,
            createdAt: this.options.clock(),
          }),
        );
        return { account: await this.present(record), password };
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        const clash = await this.database.read((db) => this.accounts.listByUser(db, user.id));
        if (clash.some((account) => account.name === name))
          throw new AlreadyExistsError(`You already have a WebDAV account named "${name}"`);
        if (attempt >= 3) throw error;
      }
    }
  }

  async list(userId: number): Promise<DavAccount[]> {
    const records = await this.database.read((db) => this.accounts.listByUser(db, userId));
    return Promise.all(records.map((record) => this.present(record)));
  }

  async get(id: number, userId?: number): Promise<DavAccount> {
    return this.present(await this.record(id, userId));
  }

  async update(
    id: number,
    userId: number | undefined,
    changes: { name?: string; root?: string; readOnly?: boolean; expiresAt?: number | null },
  ): Promise<DavAccount> {
    const record = await this.record(id, userId);
    validateExpiry(changes.expiresAt, this.options.clock());
    let rootId: number | undefined;
    if (changes.root !== undefined) {
      const principal = await this.users.principalFor(await this.users.get(record.userId));
      rootId = (await this.vfs.mkdir(principal, parsePath(changes.root), { parents: true })).id;
    }
    const updated = await this.database.transaction((tx) =>
      this.accounts.update(tx, record.id, {
        ...(changes.name !== undefined && { name: validateAccountName(changes.name) }),
        ...(rootId !== undefined && { rootId }),
        ...(changes.readOnly !== undefined && { readOnly: changes.readOnly }),
        ...(changes.expiresAt !== undefined && { expiresAt: changes.expiresAt }),
      }),
    );
    if (!updated) throw new NotFoundError(`No WebDAV account #${id}`);
    return this.present(updated);
  }

  async revoke(id: number, userId?: number): Promise<void> {
    const record = await this.record(id, userId);
    await this.database.transaction((tx) => this.accounts.delete(tx, record.id));
    this.cache.forget((accountId) => accountId === record.id);
  }

  /**
   * Checks Basic credentials (the user's email and an account password) and returns the
   * principal the request acts as. Unauthenticated for anything wrong, the same message for
   * every case; RateLimited after too many failures from the account or the address.
   */
  async authenticate(email: string, password: string, clientAddress: string): Promise<Principal> {
    const accountKey = `account:${email.trim().toLowerCase()}`;
    const addressKey = `address:${clientAddress}`;
    const wait = Math.max(this.throttle.retryAfter(accountKey), this.throttle.retryAfter(addressKey));
    if (wait > 0) throw new RateLimitedError(wait);

    const accountId = this.cache.get(email, password);
    let record: DavAccountRecord | null = null;
    if (accountId !== undefined) {
      record = await this.database.read((db) => this.accounts.byId(db, accountId));
    } else if (password.length === DAV_PASSWORD_LENGTH) {
      const candidate = await this.database.read((db) => this.accounts.byKeyId(db, password.slice(0, KEY_ID_LENGTH)));
      if (candidate && (await verifyPassword(password, candidate.secretHash))) record = candidate;
    }
    const principal = record ? await this.principalOf(record, email).catch(() => null) : null;
    if (!record || !principal) {
      this.throttle.fail(accountKey);
      this.throttle.fail(addressKey);
      throw new UnauthenticatedError('Wrong WebDAV credentials. Use your email and a WebDAV account password, not your login password.');
    }
    if (accountId === undefined) this.cache.set(email, password, record.id);
    this.throttle.succeed(accountKey);
    this.touch(record.id);
    return principal;
  }

  /** Null-free principal for a valid account of this email, or throws. */
  private async principalOf(record: DavAccountRecord, email: string): Promise<Principal> {
    const now = this.options.clock();
    if (record.expiresAt !== null && record.expiresAt <= now) throw new UnauthenticatedError('This WebDAV account has expired');
    const { user, group } = await this.users.withGroup(record.userId);
    if (user.email !== email.trim().toLowerCase()) throw new UnauthenticatedError('Wrong WebDAV credentials');
    if (!group.permissions.webdav) throw new ForbiddenError('WebDAV is not enabled for this group');
    const switches = await this.settings.switches();
    return this.users.principalFor(user, {
      rootId: record.rootId,
      readOnly: record.readOnly || switches.readOnly,
      label: `dav:${record.id}`,
      group,
    });
  }

  /** Records the last use at most once a minute per account, not a write per request. */
  private touch(id: number): void {
    const now = this.options.clock();
    if ((this.lastTouched.get(id) ?? 0) > now - 60_000) return;
    this.lastTouched.set(id, now);
    this.database.transaction((tx) => this.accounts.touch(tx, id, now)).catch(() => undefined);
  }

  private async record(id: number, userId?: number): Promise<DavAccountRecord> {
    const record = await this.database.read((db) => this.accounts.byId(db, id));
    if (!record || (userId !== undefined && record.userId !== userId)) throw new NotFoundError(`No WebDAV account #${id}`);
    return record;
  }

  private async present(record: DavAccountRecord): Promise<DavAccount> {
    const root = await this.database.read(async (db) => {
      const names: string[] = [];
      for (
        let entry = await this.entries.byId(db, record.rootId);
        entry?.parentId != null;
        entry = await this.entries.byId(db, entry.parentId)
      ) {
        names.unshift(entry.name);
      }
      return names;
    });
    return {
      id: record.id,
      userId: record.userId,
      name: record.name,
      root: formatPath(root),
      readOnly: record.readOnly,
      expiresAt: record.expiresAt,
      lastUsedAt: record.lastUsedAt,
      createdAt: record.createdAt,
    };
  }
}

function validateAccountName(raw: string): string {
  const name = raw.trim();
  if (name.length === 0 || name.length > 100) throw new InvalidArgumentError('An account name must be 1 to 100 characters long');
  return name;
}

function validateExpiry(expiresAt: number | null | undefined, now: number): void {
  if (expiresAt === undefined || expiresAt === null) return;
  if (!Number.isFinite(expiresAt)) throw new InvalidArgumentError('The expiry is not a valid date');
  if (expiresAt <= now) throw new InvalidArgumentError('The expiry must be in the future');
}
