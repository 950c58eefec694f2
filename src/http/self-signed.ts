import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, chmod, mkdir, rename, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { StartupError } from '../core/index.js';
import { selfSignedFiles, type TlsFiles } from './tls.js';

const run = promisify(execFile);

/** Days a self-signed certificate is valid: 825 is the most Apple platforms accept. */
export const SELF_SIGNED_DAYS = 825;

/**
 * The names the certificate is valid for: localhost, the loopback addresses and this
 * machine's host name (as typed on the LAN), so that a client that trusts it can check it.
 */
export function subjectAltNames(host: string = hostname()): string {
  const names = ['DNS:localhost', 'IP:127.0.0.1', 'IP:::1'];
  // Only a plain DNS name goes into openssl's argument (no commas or colons to break the list).
  if (/^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})$/.test(host) && host !== 'localhost') names.push(`DNS:${host}`);
  return names.join(',');
}

/**
 * The self-signed certificate of `--tls self-signed`: made with the `openssl` command on first
 * start and kept in DATA/secrets/tls-self-signed/ (key 0600, folder 0700), reused afterwards.
 * The pair is made in a private folder that is then renamed into place in one step, so no
 * process ever sees half a pair; of two processes starting at once, the loser of the rename
 * uses the winner's pair. Resolves with the files and whether this call made them.
 */
export async function ensureSelfSignedCertificate(dataDir: string): Promise<TlsFiles & { created: boolean }> {
  const files = selfSignedFiles(dataDir);
  if (await exists(files.certFile)) return { ...files, created: false };
  const folder = path.dirname(files.certFile);
  await mkdir(path.dirname(folder), { recursive: true, mode: 0o700 });
  const temporary = `${folder}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await mkdir(temporary, { mode: 0o700 });
  try {
    const keyFile = path.join(temporary, path.basename(files.keyFile));
    const certFile = path.join(temporary, path.basename(files.certFile));
    await makeSelfSignedCertificate({ keyFile, certFile, commonName: 'cumulus', altNames: subjectAltNames(), days: SELF_SIGNED_DAYS });
    await chmod(keyFile, 0o600);
    try {
      await rename(temporary, folder);
      return { ...files, created: true };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
      return { ...files, created: false };
    }
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
}

/** A P-256 key and a self-signed certificate for it, made with the `openssl` command. */
export async function makeSelfSignedCertificate(request: {
  keyFile: string;
  certFile: string;
  commonName: string;
  /** openssl's subjectAltName list, e.g. `DNS:localhost,IP:127.0.0.1`. */
  altNames: string;
  days: number;
}): Promise<void> {
  // -nodes: the server must read the key unattended; the folder and the key's mode protect it.
  await openssl([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    String(request.days),
    '-subj',
    `/CN=${request.commonName}`,
    '-addext',
    `subjectAltName=${request.altNames}`,
    '-keyout',
    request.keyFile,
    '-out',
    request.certFile,
  ]);
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args, { timeout: 60_000 });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    const reason = failure.code === 'ENOENT' ? 'the openssl command is not installed' : failure.stderr?.trim() || failure.message;
    throw new StartupError(`Cannot make a self-signed TLS certificate: ${reason}`, { cause: error });
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
