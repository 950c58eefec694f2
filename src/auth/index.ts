export { hashPassword, verifyPassword, generatePassword, DEFAULT_KDF, type KdfParameters } from './password.js';
export { parseBasicAuthorization } from './basic.js';
export { CredentialCache } from './credential-cache.js';
export { FailureThrottle } from './throttle.js';
export { encodeId, decodeId, type IdKind } from './ids.js';
export { SecretBox, SEALED_PREFIX } from './secret-box.js';
export { loadSigningKey, SIGNING_KEY_BYTES } from './signing-key.js';
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
