import { hkdfSync, randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { StartupError } from '../core/index.js';

/** Bytes of a generated key: HS256 wants a key as long as its hash (RFC 7518 3.2). */
export const SIGNING_KEY_BYTES = 32;

/**
 * The server key: it signs API tokens, and keys for other uses (signed download URLs) are
 * derived from it with HKDF. The configured file, or DATA/secrets/jwt.key, created on first
 * start (mode 0600 in a 0700 folder) so every node sharing the data directory signs alike.
 * The file holds the key in base64; a configured file may also hold raw bytes. A missing
 * configured file, or a key too short, is a StartupError.
 */
export async function loadSigningKey(options: { dataDir: string; file?: string }): Promise<Uint8Array> {
  if (options.file) return parseKey(await readKeyFile(options.file), options.file);
  const file = path.join(options.dataDir, 'secrets', 'jwt.key');
  try {
    return parseKey(await readFile(file), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  return createKeyFile(file);
}

/**
 * Writes a new key durably and atomically: a private temporary file, synced, then linked
 * to its name (link fails if the name exists, and never shows a half-written file), then
 * the folder synced. Two processes starting at once end up with the same key: the loser
 * of the link reads the winner's.
 */
async function createKeyFile(file: string): Promise<Uint8Array> {
  const key = randomBytes(SIGNING_KEY_BYTES);
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(`${key.toString('base64')}\n`);
    // The umask may have narrowed the mode further, never widened it; make it exact.
    await handle.chmod(0o600);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return parseKey(await readFile(file), file);
  } finally {
    await unlink(temporary);
  }
  await syncFolder(path.dirname(file));
  return key;
}

async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function readKeyFile(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new StartupError(`Cannot read the server key file ${file} (auth.jwtSecretFile): ${(error as Error).message}`);
  }
}

function parseKey(content: Buffer, file: string): Uint8Array {
  const text = content.toString('utf8').trim();
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(text)) {
    const decoded = Buffer.from(text, 'base64');
    if (decoded.length >= SIGNING_KEY_BYTES) return decoded;
  }
  if (content.length >= SIGNING_KEY_BYTES) return content;
  throw new StartupError(
    `The server key in ${file} is ${content.length === 0 ? 'empty' : `shorter than ${SIGNING_KEY_BYTES} bytes`}; it must hold at least ${SIGNING_KEY_BYTES} random bytes (base64 or raw)`,
  );
}

/**
 * What the database records of the server key to tell whether a node has the same one:
 * an HKDF-derived value (RFC 5869) that reveals nothing of the key, never the key itself.
 */
export function signingKeyFingerprint(key: Uint8Array): string {
  return Buffer.from(hkdfSync('sha256', key, '', 'cumulus server key fingerprint v1', 16)).toString('hex');
}
