import { createHmac } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';

/**
 * API tokens (Cloudreve V4 contract, section 5.7): HS256 JWTs with integer `exp` and `nbf`,
 * `token_type` "access" or "refresh", `sub` the user's opaque id. Both kinds carry the
 * session they belong to as `root_token_id`; a refresh token also carries `jti` (the one
 * refresh token of the session that may be used next) and `state_hash` (a digest of the
 * user's credentials, so a password change ends older sessions).
 */
export const ACCESS_TOKEN_TTL_SECONDS = 3600;
export const REFRESH_TOKEN_TTL_SECONDS = 14 * 24 * 3600;

export interface AccessToken {
  readonly type: 'access';
  readonly subject: string;
  readonly sessionId: string;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
}

export interface RefreshToken {
  readonly type: 'refresh';
  readonly subject: string;
  readonly sessionId: string;
  readonly tokenId: string;
  readonly stateHash: string;
  readonly expiresAt: number;
}

export type VerifiedToken = AccessToken | RefreshToken;

export interface IssuedToken {
  readonly token: string;
  readonly expiresAt: number;
}

export interface TokenSignerOptions {
  readonly clock: () => number;
  readonly accessTtlSeconds?: number;
  readonly refreshTtlSeconds?: number;
}

export class TokenSigner {
  private readonly accessTtl: number;
  private readonly refreshTtl: number;

  constructor(
    private readonly key: Uint8Array,
    private readonly options: TokenSignerOptions,
  ) {
    this.accessTtl = options.accessTtlSeconds ?? ACCESS_TOKEN_TTL_SECONDS;
    this.refreshTtl = options.refreshTtlSeconds ?? REFRESH_TOKEN_TTL_SECONDS;
  }

  issueAccess(claims: { subject: string; sessionId: string }): Promise<IssuedToken> {
    return this.sign({ token_type: 'access', root_token_id: claims.sessionId }, claims.subject, this.accessTtl);
  }

  issueRefresh(claims: { subject: string; sessionId: string; tokenId: string; stateHash: string }): Promise<IssuedToken> {
    return this.sign(
      { token_type: 'refresh', root_token_id: claims.sessionId, state_hash: claims.stateHash, jti: claims.tokenId },
      claims.subject,
      this.refreshTtl,
    );
  }

  /**
   * The token's claims, or null for anything that is not a token we signed and that is valid
   * now: malformed, another algorithm (`none` included), another key, expired or not yet valid.
   */
  async verify(token: string): Promise<VerifiedToken | null> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        currentDate: new Date(this.options.clock()),
        requiredClaims: ['exp', 'nbf', 'sub'],
      }));
    } catch {
      return null;
    }
    const { token_type: type, sub: subject, root_token_id: sessionId, exp } = payload;
    if (typeof subject !== 'string' || typeof sessionId !== 'string' || typeof exp !== 'number') return null;
    if (type === 'access') return { type, subject, sessionId, expiresAt: exp * 1000 };
    if (type === 'refresh' && typeof payload.jti === 'string' && typeof payload.state_hash === 'string') {
      return { type, subject, sessionId, tokenId: payload.jti, stateHash: payload.state_hash, expiresAt: exp * 1000 };
    }
    return null;
  }

  /** A keyed digest (base64) of the given parts, for `state_hash`. */
  digest(...parts: readonly string[]): string {
    const hmac = createHmac('sha256', this.key).update('cumulus state hash');
    for (const part of parts) hmac.update('\0').update(part);
    return hmac.digest('base64');
  }

  private async sign(claims: Record<string, string>, subject: string, ttlSeconds: number): Promise<IssuedToken> {
    const now = Math.floor(this.options.clock() / 1000);
    const expiresAt = now + ttlSeconds;
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(subject)
      .setNotBefore(now)
      .setIssuedAt(now)
      .setExpirationTime(expiresAt)
      .sign(this.key);
    return { token, expiresAt: expiresAt * 1000 };
  }
}
