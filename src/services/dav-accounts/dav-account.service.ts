import { generatePassword, hashPassword, type LoginThrottle } from '../../auth/index.js';
import {
  AlreadyExistsError,
  ForbiddenError,
  InvalidArgumentError,
  NotFoundError,
  UnauthenticatedError,
  formatPath,
  parsePath,
  type Entry,
  type Group,
  type Principal,
  type User,
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
import type { SharedVersions } from '../shared-state/shared-versions.js';
import type { UserService } from '../users/user.service.js';
import { DavAccountNotFoundError, WebDavNotAllowedError } from './dav-account.errors.js';
import { DAV_PASSWORD_LENGTH, DavCredentials, KEY_ID_LENGTH, type ResolvedAccount } from './dav-credentials.js';

export { DAV_PASSWORD_LENGTH } from './dav-credentials.js';

/** An account as shown to its owner: never the password or its hash. */
export interface DavAccount {
  readonly id: number;
  readonly userId: number;
  readonly name: string;
  /** The root folder's path in the user's tree, or null if that folder was deleted. */
  readonly root: string | null;
  readonly readOnly: boolean;
  /** GETs of files on a redirect policy answer 302 to a presigned URL instead of streaming through the server. */
  readonly redirectDownloads: boolean;
  readonly expiresAt: number | null;
  readonly lastUsedAt: number | null;
  readonly createdAt: number;
}

const DAV_PASSWORD_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

export interface DavAccountServiceOptions {
  readonly clock: () => number;
  readonly cacheTtlMs?: number;
}

/**
 * Per-device WebDAV accounts (the Cloudreve model): the server generates the password and
 * shows it once, stores only a KDF hash, and each account is jailed to a folder of the
 * user's tree and may be read-only or expire. The login password never works over WebDAV.
 */
export class DavAccountService {
  private readonly credentials: DavCredentials;
  private readonly lastTouched = new Map<number, number>();

  constructor(
    private readonly database: Database,
    private readonly accounts: DavAccountRepository,
    private readonly entries: EntryRepository,
    private readonly users: UserService,
    private readonly settings: ServerSettings,
    private readonly vfs: Vfs,
    private readonly versions: SharedVersions,
    private readonly throttle: LoginThrottle,
    private readonly options: DavAccountServiceOptions,
  ) {
    this.credentials = new DavCredentials(database, accounts, users, versions, options.clock, options.cacheTtlMs ?? 60_000);
  }

  /** Creates an account; the returned password is shown once and never stored in clear. */
  async create(input: {
    userId: number;
    name: string;
    root?: string;
    readOnly?: boolean;
    redirectDownloads?: boolean;
    expiresAt?: number | null;
  }): Promise<{ account: DavAccount; password: string }> {
    const { user, group } = await this.users.withGroup(input.userId);
    assertWebDavAllowed(group);
    const name = validateAccountName(input.name);
    validateExpiry(input.expiresAt, this.options.clock());
    await this.assertNameFree(user.id, name);
    const root = await this.rootFolder(user, group, input.root ?? '/');
    for (let attempt = 0; ; attempt++) {
      const password = generatePassword(DAV_PASSWORD_LENGTH, DAV_PASSWORD_ALPHABET);
      try {
        const record = await this.database.transaction(async (tx) =>
          this.accounts.insert(tx, {
            userId: user.id,
            name,
            keyId: password.slice(0, KEY_ID_LENGTH),
            secretHash: await hashPassword(password),
            rootId: root.id,
            readOnly: input.readOnly ?? false,
            redirectDownloads: input.redirectDownloads ?? false,
            expiresAt: input.expiresAt ?? null,
            createdAt: this.options.clock(),
          }),
        );
        return { account: await this.present(record), password };
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        const clash = await this.database.read((db) => this.accounts.listByUser(db, user.id));
        if (clash.some((account) => account.name === name))
          throw new AlreadyExistsError('You already have a WebDAV account with this name');
        if (attempt >= 3) throw error;
      }
    }
  }

  async list(userId: number): Promise<DavAccount[]> {
    const records = await this.database.read((db) => this.accounts.listByUser(db, userId));
    return Promise.all(records.map((record) => this.present(record)));
  }

  /**
   * One page of a user's accounts, newest first, after the account `before` (the last id of
   * the previous page). A user has a handful of devices, so the page is cut from their list.
   */
  async listPage(userId: number, page: { limit: number; before?: number }): Promise<{ accounts: DavAccount[]; more: boolean }> {
    const records = await this.database.read((db) => this.accounts.listByUser(db, userId));
    const newest = records.filter((record) => page.before === undefined || record.id < page.before).sort((a, b) => b.id - a.id);
    const accounts = await Promise.all(newest.slice(0, page.limit).map((record) => this.present(record)));
    return { accounts, more: newest.length > page.limit };
  }

  async get(id: number, userId?: number): Promise<DavAccount> {
    return this.present(await this.record(id, userId));
  }

  async update(
    id: number,
    userId: number | undefined,
    changes: { name?: string; root?: string; readOnly?: boolean; redirectDownloads?: boolean; expiresAt?: number | null },
  ): Promise<DavAccount> {
    const record = await this.record(id, userId);
    const { user, group } = await this.users.withGroup(record.userId);
    assertWebDavAllowed(group);
    const name = changes.name === undefined ? undefined : validateAccountName(changes.name);
    validateExpiry(changes.expiresAt, this.options.clock());
    if (name !== undefined) await this.assertNameFree(record.userId, name, record.id);
    const rootId = changes.root === undefined ? undefined : (await this.rootFolder(user, group, changes.root)).id;
    const fields = {
      ...(name !== undefined && { name }),
      ...(rootId !== undefined && { rootId }),
      ...(changes.readOnly !== undefined && { readOnly: changes.readOnly }),
      ...(changes.redirectDownloads !== undefined && { redirectDownloads: changes.redirectDownloads }),
      ...(changes.expiresAt !== undefined && { expiresAt: changes.expiresAt }),
    };
    // Nothing to change is no statement at all (an UPDATE needs a column to set).
    if (Object.keys(fields).length === 0) return this.present(record);
    let updated: DavAccountRecord | null;
    try {
      updated = await this.versions.transaction('auth', (tx) => this.accounts.update(tx, record.id, fields));
    } catch (error) {
      if (isUniqueViolation(error)) throw new AlreadyExistsError('You already have a WebDAV account with this name');
      throw error;
    }
    if (!updated) throw new DavAccountNotFoundError(`No WebDAV account #${id}`);
    return this.present(updated);
  }

  async revoke(id: number, userId?: number): Promise<void> {
    const record = await this.record(id, userId);
    // The shared 'auth' counter moves with the deletion: every process drops the account within a second.
    await this.versions.transaction('auth', (tx) => this.accounts.delete(tx, record.id));
  }

  /**
   * Checks Basic credentials (the user's email and an account password) and returns the
   * principal the request acts as. Unauthenticated for anything wrong, the same message for
   * every case; RateLimited by the shared throttle (scope 'dav'): an address that failed too
   * often, on this account or on any, waits; an address that has not failed is never refused.
   */
  async authenticate(email: string, password: string, clientAddress: string): Promise<Principal> {
    const attempt = await this.throttle.attempt('dav', email, clientAddress);
    const resolved = await this.credentials.verify(email, password);
    const principal = resolved ? await this.principalOf(resolved, email).catch(() => null) : null;
    if (!resolved || !principal) {
      await attempt.failed();
      throw new UnauthenticatedError('Wrong WebDAV credentials. Use your email and a WebDAV account password, not your login password.');
    }
    await attempt.succeeded();
    this.touch(resolved.account.id);
    return principal;
  }

  /** The principal of a valid account of this email, or throws. */
  private async principalOf({ account, user, group }: ResolvedAccount, email: string): Promise<Principal> {
    const now = this.options.clock();
    if (account.expiresAt !== null && account.expiresAt <= now) throw new UnauthenticatedError('This WebDAV account has expired');
    if (user.email !== email.trim().toLowerCase()) throw new UnauthenticatedError('Wrong WebDAV credentials');
    if (!group.permissions.webdav) throw new ForbiddenError('WebDAV is not enabled for this group');
    const switches = await this.settings.switches();
    const principal = await this.users.principalFor(user, {
      rootId: account.rootId,
      readOnly: account.readOnly || switches.readOnly,
      label: `dav:${account.id}`,
      lockHolder: `dav:${account.id}`,
      group,
    });
    return account.redirectDownloads ? { ...principal, redirectDownloads: true } : principal;
  }

  /** Records the last use at most once a minute per account, not a write per request. */
  private touch(id: number): void {
    const now = this.options.clock();
    if ((this.lastTouched.get(id) ?? 0) > now - 60_000) return;
    this.lastTouched.set(id, now);
    this.database.transaction((tx) => this.accounts.touch(tx, id, now)).catch(() => undefined);
  }

  /** Checked before a root folder is created, so a refused name leaves no folder behind (the unique index still decides races). */
  private async assertNameFree(userId: number, name: string, exceptId?: number): Promise<void> {
    const accounts = await this.database.read((db) => this.accounts.listByUser(db, userId));
    if (accounts.some((account) => account.name === name && account.id !== exceptId)) {
      throw new AlreadyExistsError('You already have a WebDAV account with this name');
    }
  }

  /**
   * The folder an account is jailed to. A missing one is created, as a user picking a folder
   * for a new device expects (refused while the server is read-only); a file is refused.
   */
  private async rootFolder(user: User, group: Group, root: string): Promise<Entry> {
    const path = parsePath(root);
    const { readOnly } = await this.settings.switches();
    const principal = await this.users.principalFor(user, { group, readOnly });
    const existing = await this.vfs.stat(principal, path).catch((error: unknown) => {
      if (error instanceof NotFoundError) return null;
      throw error;
    });
    if (!existing) return this.vfs.mkdir(principal, path, { parents: true });
    if (existing.kind !== 'folder') throw new InvalidArgumentError('This is a file: a WebDAV account is rooted in a folder');
    return existing;
  }

  private async record(id: number, userId?: number): Promise<DavAccountRecord> {
    const record = await this.database.read((db) => this.accounts.byId(db, id));
    if (!record || (userId !== undefined && record.userId !== userId)) throw new DavAccountNotFoundError(`No WebDAV account #${id}`);
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
      redirectDownloads: record.redirectDownloads,
      expiresAt: record.expiresAt,
      lastUsedAt: record.lastUsedAt,
      createdAt: record.createdAt,
    };
  }
}

function assertWebDavAllowed(group: Group): void {
  if (!group.permissions.webdav) throw new WebDavNotAllowedError(`The group ${group.name} may not use WebDAV`);
}

/** Contract 18.1: 1 to 255 characters. */
function validateAccountName(raw: string): string {
  const name = raw.trim();
  if (name.length === 0 || name.length > 255) throw new InvalidArgumentError('An account name must be 1 to 255 characters long');
  return name;
}

function validateExpiry(expiresAt: number | null | undefined, now: number): void {
  if (expiresAt === undefined || expiresAt === null) return;
  if (!Number.isFinite(expiresAt)) throw new InvalidArgumentError('The expiry is not a valid date');
  if (expiresAt <= now) throw new InvalidArgumentError('The expiry must be in the future');
}
