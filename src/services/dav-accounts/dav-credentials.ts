import { CredentialCache, verifyPassword } from '../../auth/index.js';
import type { Group, User } from '../../core/index.js';
import type { Database, DavAccountRecord, DavAccountRepository } from '../../db/index.js';
import type { SharedVersions } from '../shared-state/shared-versions.js';
import type { UserService } from '../users/user.service.js';

/** A WebDAV account with its user and group, as one request needs them. */
export interface ResolvedAccount {
  readonly account: DavAccountRecord;
  readonly user: User;
  readonly group: Group;
}

/** Cloudreve V4 contract 18.1: 32 characters from [0-9a-z]. */
export const DAV_PASSWORD_LENGTH = 32;
/** The password's first characters, stored in clear, find the account without trying the KDF on each. */
export const KEY_ID_LENGTH = 8;
const MAX_ACCOUNTS = 10_000;

/**
 * Which account a Basic credential opens, at a cost near nothing per request:
 *
 * - a credential that passed the KDF is remembered for `ttlMs` (keyed by an HMAC, see
 *   CredentialCache) with the hash it matched, so a replaced account never inherits it;
 * - the account, its user and group are kept while the shared 'auth' counter stays as it was.
 *   Every change to accounts, users, groups or sessions bumps it, and each process reads it at
 *   most once a second: a revoked account, disabled user or group without WebDAV stops working
 *   in every process within a second, after one re-read of three rows, not a new KDF.
 */
export class DavCredentials {
  private readonly proofs: CredentialCache<{ accountId: number; secretHash: string }>;
  private readonly accounts = new Map<number, ResolvedAccount & { version: number }>();

  constructor(
    private readonly database: Database,
    private readonly records: DavAccountRepository,
    private readonly users: UserService,
    private readonly versions: SharedVersions,
    clock: () => number,
    ttlMs: number,
  ) {
    this.proofs = new CredentialCache(ttlMs, MAX_ACCOUNTS, clock);
  }

  /** The account this password opens (whoever's email was given), or null. */
  async verify(email: string, password: string): Promise<ResolvedAccount | null> {
    // The counter before any row: rows read after it are at least as new as it says.
    const version = await this.versions.current('auth');
    const proof = this.proofs.get(email, password);
    if (proof) {
      const resolved = await this.resolve(proof.accountId, version);
      return resolved?.account.secretHash === proof.secretHash ? resolved : null;
    }
    if (password.length !== DAV_PASSWORD_LENGTH) return null;
    const candidate = await this.database.read((db) => this.records.byKeyId(db, password.slice(0, KEY_ID_LENGTH)));
    if (!candidate || !(await verifyPassword(password, candidate.secretHash))) return null;
    this.proofs.set(email, password, { accountId: candidate.id, secretHash: candidate.secretHash });
    return this.resolve(candidate.id, version);
  }

  private async resolve(accountId: number, version: number): Promise<ResolvedAccount | null> {
    const kept = this.accounts.get(accountId);
    if (kept?.version === version) return kept;
    this.accounts.delete(accountId);
    const account = await this.database.read((db) => this.records.byId(db, accountId));
    if (!account) return null;
    const { user, group } = await this.users.withGroup(account.userId).catch(() => ({ user: null, group: null }));
    if (!user || !group) return null;
    if (this.accounts.size >= MAX_ACCOUNTS) this.accounts.delete(this.accounts.keys().next().value!);
    const resolved = { account, user, group, version };
    this.accounts.set(accountId, resolved);
    return resolved;
  }
}
