export { hashPassword, verifyPassword, generatePassword, DEFAULT_KDF, type KdfParameters } from './password.js';
export { parseBasicAuthorization } from './basic.js';
export { CredentialCache } from './credential-cache.js';
export { FailureThrottle } from './throttle.js';
