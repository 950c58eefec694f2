/**
 * `rclone serve webdav` on a temporary directory, with Basic auth (--user/--pass) and its
 * defaults otherwise (--vfs-cache-mode off: bodies stream straight to the file; log level
 * NOTICE, to a file).
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../../lib.js';
import { basic, type DavServer } from '../client.js';
import { freePort, launched } from './common.js';

const RCLONE = process.env.CUMULUS_BENCH_RCLONE ?? 'rclone';

export function rcloneVersion(): string {
  try {
    return execFileSync(RCLONE, ['version'], { encoding: 'utf8' }).split('\n')[0]!.trim();
  } catch {
    throw new Error(`rclone is needed as a peer and was not found (${RCLONE}): apt-get install rclone, or set CUMULUS_BENCH_RCLONE`);
  }
}

export async function startRclone(): Promise<DavServer & { readonly root: string }> {
  const dir = tempDir('cumulus-bench-rclone-');
  const root = path.join(dir.path, 'root');
  fs.mkdirSync(root);
  const config = path.join(dir.path, 'rclone.conf');
  fs.writeFileSync(config, '');
  const log = path.join(dir.path, 'rclone.log');
  const port = await freePort();
  const user = 'bench';
  const password = randomBytes(12).toString('base64url');
  const args = ['serve', 'webdav', root, '--addr', `127.0.0.1:${port}`, '--user', user, '--pass', password];
  const child = spawn(RCLONE, [...args, '--config', config, '--log-file', log], { stdio: 'ignore' });
  return launched(
    child,
    {
      label: 'rclone',
      host: '127.0.0.1',
      port,
      prefix: '/',
      authorization: basic(user, password),
      root,
      startedAs: `${rcloneVersion()}: rclone serve webdav DIR --addr 127.0.0.1:PORT --user U --pass P --log-file FILE (defaults otherwise)`,
    },
    { log, stopMs: 10_000, cleanup: () => dir.remove() },
  );
}
