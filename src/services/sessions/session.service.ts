import { randomUUID } from 'node:crypto';
import { encodeId, type LoginThrottle, type TokenSigner } from '../../auth/index.js';
import { ConflictError, ForbiddenError, UnauthenticatedError, type Group, type Principal, type User } from '../../core/index.js';
import type { Database, SessionRecord, SessionRepository, Tx, UserRepository, UserWithSecret } from '../../db/index.js';
import type { ServerSettings } from '../settings/server-settings.service.js';
import type { SharedVersions } from '../shared-state/shared-versions.js';
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
  private readonly newId: () => string;
  /** Checked access tokens' sessions, trusted while the shared 'auth' counter stays as it was. */
  private readonly cache = new Map<string, { user: User; group: Group; version: number }>();
  private nextSweep = 0;

  constructor(
    private readonly database: Database,
    private readonly sessions: SessionRepository,
    private readonly userRecords: UserRepository,
    private readonly users: UserService,
    private readonly settings: ServerSettings,
    private readonly signer: TokenSigner,
    private readonly versions: SharedVersions,
    private readonly throttle: LoginThrottle,
    private readonly options: SessionServiceOptions,
  ) {
    this.newId = options.newId ?? randomUUID;
  }

  /**
   * Checks an email and password and opens a session. InvalidCredentials for a wrong pair
   * (the same whichever half is wrong), AccountDisabled, or RateLimited after too many
   * failures from the account or the address (then the password is not even checked).
   */
  async login(email: string, password: string, client: ClientInfo): Promise<{ user: User; tokens: TokenPair }> {
    const attempt = await this.throttle.attempt('login', email, client.address, tooMany('failed sign-in attempts'));
    let user: User;
    try {
      user = await this.users.authenticate(email, password);
    } catch (error) {
      if (error instanceof UnauthenticatedError) {
        await attempt.failed();
        throw new InvalidCredentialsError();
      }
      if (error instanceof ForbiddenError) throw new AccountDisabledError();
      throw error;
    }
    await attempt.succeeded();
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
      // Every process forgets the session within a second (a rotation alone changes nothing they cache).
      await this.versions.bump(tx, 'auth');
      return null;
    });
    if (!rotated) {
      this.versions.changed();
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
    await this.versions.transaction('auth', (tx) => this.sessions.revoke(tx, claims.sessionId, 'sign-out', this.options.clock()));
  }

  /**
   * The caller changes their own password (contract 19, PATCH /user/setting), throttled with
   * sign-ins: a wrong current password counts as a failed sign-in of the account and the
   * address. In one transaction with the new hash, every other session of the user ends and
   * the caller's own session moves to a new refresh token carrying the new credentials'
   * state hash; the answer is that token pair (its old refresh token no longer refreshes).
   */
  async changePassword(auth: Authentication, currentPassword: string, newPassword: string, client: ClientInfo): Promise<TokenPair> {
    const attempt = await this.throttle.attempt(
      'login',
      auth.user.email,
      client.address,
      tooMany('wrong passwords for this account or from this address'),
    );
    let tokens: TokenPair;
    try {
      tokens = await this.users.changePassword(auth.user.id, currentPassword, newPassword, (tx, user) =>
        this.reissue(tx, user, auth.sessionId),
      );
    } catch (error) {
      if (error instanceof IncorrectPasswordError) await attempt.failed();
      throw error;
    }
    await attempt.succeeded();
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
    const ended = await this.versions.transaction('auth', (tx) =>
      this.sessions.revokeOfUser(tx, sessionId, auth.user.id, 'ended from the session list', now),
    );
    if (!ended) throw new SessionNotFoundError();
  }

  /** Ends every live session of the caller but their own; how many it ended. */
  async endOthers(auth: Authentication): Promise<number> {
    const now = this.options.clock();
    return this.versions.transaction('auth', (tx) =>
      this.sessions.revokeOthersOfUser(tx, auth.user.id, auth.sessionId, 'ended from the session list', now),
    );
  }

  /** Ends every session of a user (a password change, an administrator's action). */
  async revokeAll(userId: number, reason: string): Promise<number> {
    return this.versions.transaction('auth', (tx) => this.revokeAllIn(tx, userId, reason));
  }

  /** Ends every session of a user inside the caller's transaction (which must bump 'auth'). */
  revokeAllIn(tx: Tx, userId: number, reason: string): Promise<number> {
    return this.sessions.revokeAllOfUser(tx, userId, reason, this.options.clock());
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
    // The counter before the rows: rows read after it are at least as new as it says.
    const version = await this.versions.current('auth');
    let cached = this.cache.get(claims.sessionId);
    if (cached?.version !== version || encodeId('user', cached.user.id) !== claims.subject) {
      this.cache.delete(claims.sessionId);
      const found = await this.database.read(async (db) => {
        const session = await this.sessions.byId(db, claims.sessionId);
        if (!session || session.revokedAt !== null) return null;
        const user = await this.userRecords.byId(db, session.userId);
        return user && user.status === 'active' && encodeId('user', user.id) === claims.subject ? user : null;
      });
      if (!found) return null;
      const { passwordHash: _secret, ...user } = found;
      cached = { user, group: await this.users.groupOf(user), version };
      if (this.cache.size >= 10_000) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(claims.sessionId, cached);
    }
    // Read-only mode follows the settings counter, not the session's: derived per request.
    const { readOnly } = await this.settings.switches();
    const principal = await this.users.principalFor(cached.user, { group: cached.group, readOnly, label: `api:${cached.user.id}` });
    return { user: cached.user, principal, sessionId: claims.sessionId };
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

function tooMany(attempts: string): (seconds: number) => string {
  return (seconds) => `Too many ${attempts}; try again in ${seconds} seconds`;
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
