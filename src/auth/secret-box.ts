import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** What a sealed value starts with; a value without it was stored in clear (before sealing existed). */
export const SEALED_PREFIX = 'sb1:';
const PREFIX = SEALED_PREFIX;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Secrets the server must read back (share passwords, which the API returns in share links;
 * later remote credentials) are stored sealed, so a database dump or backup does not reveal
 * them (DESIGN.md, security decisions). AES-256-GCM under a key derived by HKDF (RFC 5869)
 * from the token signing key for this use alone: every node sharing the signing key opens
 * what another sealed, and a sealed value cannot be used as a token or a download link.
 *
 * A sealed value is `sb1:` and base64url of IV (12 bytes), ciphertext and tag (16 bytes). The
 * purpose (e.g. 'share password') is authenticated data: a value sealed for one use does
 * not open as another.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(signingKey: Uint8Array) {
    this.key = Buffer.from(hkdfSync('sha256', signingKey, '', 'cumulus secret box v1', 32));
  }

  /** Whether a stored value is sealed; one that is not predates sealing and is in clear. */
  static isSealed(value: string): boolean {
    return value.startsWith(PREFIX);
  }

  seal(plaintext: string, purpose: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(purpose, 'utf8'));
    const sealed = Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return PREFIX + sealed.toString('base64url');
  }

  /** The plaintext of a sealed value; throws when it was changed, sealed under another key or for another purpose. */
  open(sealed: string, purpose: string): string {
    if (!SecretBox.isSealed(sealed)) throw new Error('Not a sealed value');
    const bytes = Buffer.from(sealed.slice(PREFIX.length), 'base64url');
    if (bytes.length < IV_BYTES + TAG_BYTES) throw new Error('A sealed value is too short');
    const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(purpose, 'utf8'));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  }

  /** A stored value as plaintext: opened when sealed, as it is when stored in clear. */
  reveal(stored: string, purpose: string): string {
    return SecretBox.isSealed(stored) ? this.open(stored, purpose) : stored;
  }
}
