import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashing with scrypt, the memory-hard KDF built into Node (no native add-on to
 * build). Hashes carry their parameters, so they can be raised later and old hashes still
 * verify: "scrypt$ln=15,r=8,p=1$<salt>$<hash>" with base64 salt and hash.
 */
export interface KdfParameters {
  /** log2 of the CPU/memory cost N. */
  readonly ln: number;
  readonly r: number;
  readonly p: number;
}

/** N = 2^15, r = 8: 32 MiB and roughly 50-100 ms per hash on a current core (OWASP's floor is N=2^17 with r=8, p=1 for scrypt; this is the lower interactive setting). */
export const DEFAULT_KDF: KdfParameters = { ln: 15, r: 8, p: 1 };

const KEY_LENGTH = 32;

function scrypt(password: string, salt: Buffer, parameters: KdfParameters): Promise<Buffer> {
  const N = 2 ** parameters.ln;
  const options: ScryptOptions = { N, r: parameters.r, p: parameters.p, maxmem: 256 * N * parameters.r + (1 << 20) };
  return new Promise((resolve, reject) => {
    scryptCallback(password.normalize('NFC'), salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export async function hashPassword(password: string, parameters: KdfParameters = DEFAULT_KDF): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, parameters);
  return `scrypt$ln=${parameters.ln},r=${parameters.r},p=${parameters.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const match = /^scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(encoded);
  if (!match) return false;
  const parameters = { ln: Number(match[1]), r: Number(match[2]), p: Number(match[3]) };
  const expected = Buffer.from(match[5]!, 'base64');
  const actual = await scrypt(password, Buffer.from(match[4]!, 'base64'), parameters);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

const PASSWORD_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/**
 * A random password of `length` characters from `alphabet`; by default one without look-alike
 * characters (no 0/O, 1/l/I). WebDAV and share passwords come from here too, with their
 * contracts' alphabets, so every generated password draws its characters the same unbiased way.
 */
export function generatePassword(length = 32, alphabet = PASSWORD_ALPHABET): string {
  // Rejection sampling keeps every character equally likely.
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < limit && out.length < length) out += alphabet[byte % alphabet.length];
    }
  }
  return out;
}
