export { hashPassword, verifyPassword, generatePassword, DEFAULT_KDF, type KdfParameters } from './password.js';
export { parseBasicAuthorization } from './basic.js';
export { CredentialCache } from './credential-cache.js';
export { encodeId, decodeId, type IdKind } from './ids.js';
export { loadSigningKey, signingKeyFingerprint, SIGNING_KEY_BYTES } from './signing-key.js';
export { SecretBox, SEALED_PREFIX } from './secret-box.js';
export {
  TokenSigner,
  ACCESS_TOKEN_TTL_SECONDS,
  REFRESH_TOKEN_TTL_SECONDS,
  type AccessToken,
  type RefreshToken,
  type VerifiedToken,
  type IssuedToken,
  type TokenSignerOptions,
} from './tokens.js';
export { VersionWatch } from './version-watch.js';
export {
  LoginThrottle,
  DEFAULT_THROTTLE_LIMITS,
  type ThrottleLimits,
  type ThrottleStore,
  type ThrottleRow,
  type ThrottleFailure,
  type ThrottledAttempt,
} from './login-throttle.js';
export { throttleNetwork } from './client-address.js';
