export { hashPassword, verifyPassword, generatePassword, DEFAULT_KDF, type KdfParameters } from './password.js';
