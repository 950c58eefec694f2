import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Bytes of a generated key: HS256 wants a key as long as its hash (RFC 7518 3.2). */
export const SIGNING_KEY_BYTES = 32;

/**
 * The key that signs API tokens: the configured file, or DATA/secrets/jwt.key, created on
 * first start (mode 0600 in a 0700 folder) so every node sharing the data directory signs
 * alike. The file holds the key in base64; a configured file may also hold raw bytes.
 * Created with O_EXCL, so two nodes starting at once end up with the same key.
 */
export async function loadSigningKey(options: { dataDir: string; file?: string }): Promise<Uint8Array> {
  if (options.file) return parseKey(await readFile(options.file), options.file);
  const file = path.join(options.dataDir, 'secrets', 'jwt.key');
  try {
    return parseKey(await readFile(file), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(SIGNING_KEY_BYTES);
  try {
    await writeFile(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    // The umask may have narrowed the mode further, never widened it; make it exact.
    await chmod(file, 0o600);
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return parseKey(await readFile(file), file);
  }
}

function parseKey(content: Buffer, file: string): Uint8Array {
  const text = content.toString('utf8').trim();
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(text)) {
    const decoded = Buffer.from(text, 'base64');
    if (decoded.length >= SIGNING_KEY_BYTES) return decoded;
  }
  if (content.length >= SIGNING_KEY_BYTES) return content;
  throw new Error(`The token signing key in ${file} is shorter than ${SIGNING_KEY_BYTES} bytes`);
}
