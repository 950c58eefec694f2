import { randomUUID } from 'node:crypto';
import { FailureThrottle, encodeId, type TokenSigner } from '../../auth/index.js';
import { ConflictError, ForbiddenError, RateLimitedError, UnauthenticatedError, type Principal, type User } from '../../core/index.js';
import type { Database, SessionRecord, SessionRepository, Tx, UserRepository, UserWithSecret } from '../../db/index.js';
import type { ServerSettings } from '../settings/server-settings.service.js';
import type { UserService } from '../users/user.service.js';
import { IncorrectPasswordError } from '../users/user.errors.js';
import { AccountDisabledError, InvalidCredentialsError, SessionNotFoundError, TokenRejectedError } from './session.errors.js';

/** Both tokens of a sign-in, with their expiries in epoch milliseconds. */
export interface TokenPair {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly accessExpires: number;
  readonly refreshExpires: number;
}

/** Who a valid access token acts for. */
export interface Authentication {
  readonly user: User;
  readonly principal: Principal;
  readonly sessionId: string;
}

export interface SessionServiceOptions {
  readonly clock: () => number;
  readonly newId?: () => string;
  /** Failed logins allowed per account and per client address within the window. */
  readonly maxFailures?: number;
  readonly failureWindowMs?: number;
  /** How long a checked access token's user and session are trusted without a query. */
  readonly cacheMs?: number;
}

/** What the service needs to know of the client signing in, for throttling and the session list. */
export interface ClientInfo {
  readonly address: string;
  readonly userAgent?: string;
}

/** A live session as its user sees it in their list. */
export interface ActiveSession {
  readonly id: string;
  readonly createdAt: number;
  /** When it last got a token pair (sign-in or refresh): access tokens are used without a write. */
  readonly refreshedAt: number;
  readonly expiresAt: number;
  readonly userAgent: string | null;
  /** The client address it signed in from. */
  readonly address: string | null;
  /** Whether it is the session of the access token asking. */
  readonly current: boolean;
}

/** How long after a rotation the token it replaced still gets a pair (for concurrent refreshes of one client), in ms. */
export const REFRESH_GRACE_MS = 60_000;

/** Expired families are deleted this long after their last refresh token expired. */
const KEEP_EXPIRED_MS = 24 * 3600_000;

/**
 * API sign-ins (Cloudreve V4 contract, section 5): password login with throttling, token
 * pairs, refresh with rotation, sign-out. A session is a refresh-token family: each refresh
 * replaces its one valid refresh token, and presenting a replaced one (a stolen copy, or the
 * victim after the thief) revokes the whole family, including its access tokens.
 */
export class SessionService {
  private readonly throttle: FailureThrottle;
  private readonly newId: () => string;
  private readonly cache = new Map<string, { value: Authentication; until: number }>();
  private nextSweep = 0;

  constructor(
    private readonly database: Database,
    private readonly sessions: SessionRepository,
    private readonly userRecords: UserRepository,
    private readonly users: UserService,
    private readonly settings: ServerSettings,
    private readonly signer: TokenSigner,
    private readonly options: SessionServiceOptions,
  ) {
    this.throttle = new FailureThrottle(options.maxFailures ?? 10, options.failureWindowMs ?? 5 * 60_000, options.clock);
    this.newId = options.newId ?? randomUUID;
  }

  /**
   * Checks an email and password and opens a session. InvalidCredentials for a wrong pair
   * (the same whichever half is wrong), AccountDisabled, or RateLimited after too many
   * failures from the account or the address (then the password is not even checked).
   */
  async login(email: string, password: string, client: ClientInfo): Promise<{ user: User; tokens: TokenPair }> {
    const keys = this.throttleKeys(email, client, 'sign-in');
    let user: User;
    try {
      user = await this.users.authenticate(email, password);
    } catch (error) {
      if (error instanceof UnauthenticatedError) {
        for (const key of keys) this.throttle.fail(key);
        throw new InvalidCredentialsError();
      }
      if (error instanceof ForbiddenError) throw new AccountDisabledError();
      throw error;
    }
    this.throttle.succeed(keys[0]!);
    const record = await this.database.read((db) => this.userRecords.byId(db, user.id));
    if (!record) throw new InvalidCredentialsError();
    await this.sweep();
    const sessionId = this.newId();
    const tokenId = this.newId();
    const tokens = await this.issue(record, sessionId, tokenId);
    await this.database.transaction((tx) =>
      this.sessions.insert(tx, {
        id: sessionId,
        userId: user.id,
        tokenId,
        userAgent: client.userAgent?.slice(0, 512) ?? null,
        address: client.address,
        expiresAt: tokens.refreshExpires,
        now: this.options.clock(),
      }),
    );
    return { user, tokens };
  }

  /** A new token pair for the session's current refresh token; TokenRejected otherwise. */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const claims = await this.signer.verify(refreshToken);
    if (!claims || claims.type !== 'refresh') throw new TokenRejectedError('Failed to issue token pair: the refresh token is not valid');
    const session = await this.database.read((db) => this.sessions.byId(db, claims.sessionId));
    if (!session || session.revokedAt !== null) {
      throw new TokenRejectedError('Failed to issue token pair: this session has ended; sign in again');
    }
    const user = await this.database.read((db) => this.userRecords.byId(db, session.userId));
    if (!user || user.status !== 'active' || encodeId('user', user.id) !== claims.subject) {
      throw new TokenRejectedError('Failed to issue token pair: the account is not active');
    }
    if (claims.stateHash !== this.stateHash(user)) {
      throw new TokenRejectedError('Failed to issue token pair: the account credentials changed; sign in again');
    }
    const tokenId = this.newId();
    const tokens = await this.issue(user, session.id, tokenId);
    const now = this.options.clock();
    const rotated = await this.database.transaction(async (tx): Promise<TokenPair | null> => {
      if (await this.sessions.rotate(tx, session.id, { from: claims.tokenId, to: tokenId, expiresAt: tokens.refreshExpires, now })) {
        return tokens;
      }
      // The token the last rotation replaced, moments ago: the same client refreshing twice at
      // once (OpenList refreshes before each request). It gets a pair for the current token.
      const current = await this.sessions.byId(tx, session.id);
      if (
        current &&
        current.revokedAt === null &&
        current.previousTokenId === claims.tokenId &&
        now - current.refreshedAt <= REFRESH_GRACE_MS
      ) {
        return this.issue(user, session.id, current.tokenId);
      }
      // Not the current token: a replaced one came back. Whoever holds the family now, it is compromised.
      await this.sessions.revoke(tx, session.id, 'reuse', now);
      return null;
    });
    if (!rotated) {
      this.cache.delete(session.id);
      throw new TokenRejectedError(
        'Failed to issue token pair: this refresh token was already used, so the session has been ended for safety; sign in again',
      );
    }
    return rotated;
  }

  /** Ends the session a refresh token belongs to (idempotent); TokenRejected if the token is not ours. */
  async signOut(refreshToken: string): Promise<void> {
    const claims = await this.signer.verify(refreshToken);
    if (!claims || claims.type !== 'refresh') throw new TokenRejectedError('The refresh token is not valid');
    await this.database.transaction((tx) => this.sessions.revoke(tx, claims.sessionId, 'sign-out', this.options.clock()));
    this.cache.delete(claims.sessionId);
  }

  /**
   * The caller changes their own password (contract 19, PATCH /user/setting), throttled with
   * sign-ins: a wrong current password counts as a failed sign-in of the account and the
   * address. In one transaction with the new hash, every other session of the user ends and
   * the caller's own session moves to a new refresh token carrying the new credentials'
   * state hash; the answer is that token pair (its old refresh token no longer refreshes).
   */
  async changePassword(auth: Authentication, currentPassword: string, newPassword: string, client: ClientInfo): Promise<TokenPair> {
    const keys = this.throttleKeys(auth.user.email, client, 'password');
    let tokens: TokenPair;
    try {
      tokens = await this.users.changePassword(auth.user.id, currentPassword, newPassword, (tx, user) =>
        this.reissue(tx, user, auth.sessionId),
      );
    } catch (error) {
      if (error instanceof IncorrectPasswordError) for (const key of keys) this.throttle.fail(key);
      throw error;
    }
    this.throttle.succeed(keys[0]!);
    this.forget(auth.user.id, auth.sessionId);
    return tokens;
  }

  /** The caller's live sessions, most recently refreshed first, theirs marked. */
  async list(auth: Authentication): Promise<ActiveSession[]> {
    const rows = await this.database.read((db) => this.sessions.liveOfUser(db, auth.user.id, this.options.clock()));
    return rows.map((row) => presentSession(row, auth.sessionId));
  }

  /** Ends one of the caller's own live sessions (theirs included); SessionNotFound for any other id. */
  async end(auth: Authentication, sessionId: string): Promise<void> {
    const now = this.options.clock();
    const ended = await this.database.transaction((tx) =>
      this.sessions.revokeOfUser(tx, sessionId, auth.user.id, 'ended from the session list', now),
    );
    if (!ended) throw new SessionNotFoundError();
    this.cache.delete(sessionId);
  }

  /** Ends every live session of the caller but their own; how many it ended. */
  async endOthers(auth: Authentication): Promise<number> {
    const now = this.options.clock();
    const count = await this.database.transaction((tx) =>
      this.sessions.revokeOthersOfUser(tx, auth.user.id, auth.sessionId, 'ended from the session list', now),
    );
    this.forget(auth.user.id, auth.sessionId);
    return count;
  }

  /** Ends every session of a user (a password change, an administrator's action). */
  async revokeAll(userId: number, reason: string): Promise<number> {
    const count = await this.database.transaction((tx) => this.sessions.revokeAllOfUser(tx, userId, reason, this.options.clock()));
    this.forget(userId);
    return count;
  }

  /**
   * Who a bearer token acts for: null when it is no valid access token of a live session of
   * an active user (the caller is then anonymous, contract 3.2); TokenRejected for a valid
   * token of another type (a refresh token sent as an access token).
   */
  async authenticate(bearer: string): Promise<Authentication | null> {
    const claims = await this.signer.verify(bearer);
    if (!claims) return null;
    if (claims.type !== 'access') throw new TokenRejectedError('Invalid token type: send the access token, not the refresh token');
    const now = this.options.clock();
    const cached = this.cache.get(claims.sessionId);
    if (cached && cached.until > now) return cached.value;
    const found = await this.database.read(async (db) => {
      const session = await this.sessions.byId(db, claims.sessionId);
      if (!session || session.revokedAt !== null) return null;
      const user = await this.userRecords.byId(db, session.userId);
      return user && user.status === 'active' && encodeId('user', user.id) === claims.subject ? user : null;
    });
    if (!found) return null;
    const { passwordHash: _secret, ...user } = found;
    const switches = await this.settings.switches();
    const principal = await this.users.principalFor(user, { readOnly: switches.readOnly, label: `api:${user.id}` });
    const value: Authentication = { user, principal, sessionId: claims.sessionId };
    if (this.cache.size >= 10_000) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(claims.sessionId, { value, until: now + (this.options.cacheMs ?? 2000) });
    return value;
  }

  /**
   * Inside a password change: ends the user's other sessions and gives the caller's session a
   * new refresh token with the new state hash. A session that ended meanwhile is not revived.
   */
  private async reissue(tx: Tx, user: UserWithSecret, sessionId: string): Promise<TokenPair> {
    const now = this.options.clock();
    const session = await this.sessions.byId(tx, sessionId);
    if (!session || session.revokedAt !== null || session.expiresAt <= now) {
      throw new UnauthenticatedError('This session has ended; sign in again to change the password');
    }
    const tokenId = this.newId();
    const tokens = await this.issue(user, session.id, tokenId);
    // The compare-and-set of a refresh: one that rotated the session meanwhile makes this fail, and the change roll back.
    if (!(await this.sessions.rotate(tx, session.id, { from: session.tokenId, to: tokenId, expiresAt: tokens.refreshExpires, now }))) {
      throw new ConflictError('This session was refreshed while the password was being changed; try again');
    }
    await this.sessions.revokeOthersOfUser(tx, user.id, session.id, 'password changed', now);
    return tokens;
  }

  /** Throttle keys of an attempt on an account from an address; RateLimited at once when either has failed too often. */
  private throttleKeys(email: string, client: ClientInfo, what: 'sign-in' | 'password'): [string, string] {
    const keys: [string, string] = [`account:${email.trim().toLowerCase()}`, `address:${client.address}`];
    const wait = Math.max(...keys.map((key) => this.throttle.retryAfter(key)));
    if (wait > 0) {
      const attempts = what === 'sign-in' ? 'failed sign-in attempts' : 'wrong passwords for this account or from this address';
      throw new RateLimitedError(wait, `Too many ${attempts}; try again in ${wait} seconds`);
    }
    return keys;
  }

  /** Drops the cached authentications of a user's sessions (but `keep`), so their ending takes effect at once. */
  private forget(userId: number, keep?: string): void {
    for (const [id, entry] of this.cache) if (entry.value.user.id === userId && id !== keep) this.cache.delete(id);
  }

  private async issue(user: UserWithSecret, sessionId: string, tokenId: string): Promise<TokenPair> {
    const subject = encodeId('user', user.id);
    const access = await this.signer.issueAccess({ subject, sessionId });
    const refresh = await this.signer.issueRefresh({ subject, sessionId, tokenId, stateHash: this.stateHash(user) });
    return { accessToken: access.token, refreshToken: refresh.token, accessExpires: access.expiresAt, refreshExpires: refresh.expiresAt };
  }

  /** Changes when the email or password changes, ending older sessions at their next refresh. */
  private stateHash(user: UserWithSecret): string {
    return this.signer.digest(String(user.id), user.email, user.passwordHash);
  }

  /** Deletes long-expired families, at most once an hour per process. */
  private async sweep(): Promise<void> {
    const now = this.options.clock();
    if (now < this.nextSweep) return;
    this.nextSweep = now + 3600_000;
    await this.database.transaction((tx) => this.sessions.deleteExpired(tx, now - KEEP_EXPIRED_MS)).catch(() => undefined);
  }
}

function presentSession(row: SessionRecord, callerSessionId: string): ActiveSession {
  return {
    id: row.id,
    createdAt: row.createdAt,
    refreshedAt: row.refreshedAt,
    expiresAt: row.expiresAt,
    userAgent: row.userAgent,
    address: row.address,
    current: row.id === callerSessionId,
  };
}
