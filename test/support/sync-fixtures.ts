import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnServer, type ChildServer } from './child-server.js';
import { freePort } from './cli.js';
import { tempDir } from './databases.js';
import { run } from './rclone.js';
import type { DavServer } from './dav-server.js';

/** Names that trip up sync tools: spaces, NFD accents, `#`, `%`, emoji, a leading dot. */
export const AWKWARD = ['plain', 'with space', 'Cafe\u0301 au lait', 'hash#tag', '100% sure', 'emoji 📷', '.hidden', 'Re\u0301sume\u0301'];

/** A tree of `count` small files with awkward names in nested folders, written to a directory on disk. */
export function writeTree(root: string, count: number): string[] {
  const written: string[] = [];
  for (let i = 0; i < count; i++) {
    const folder = path.join(AWKWARD[i % AWKWARD.length]!, `sub ${i % 3}`);
    const file = path.join(folder, `${AWKWARD[(i * 5 + 3) % AWKWARD.length]} ${i}.txt`);
    mkdirSync(path.join(root, folder), { recursive: true });
    writeFileSync(path.join(root, file), `file ${i} ${'x'.repeat(i % 50)}\n`);
    written.push(file);
  }
  return written;
}

/** `rclone serve webdav` over a temporary directory (no credentials: loopback only), seeing changes made on the disk at once. */
export async function startRcloneServe(
  extra: readonly string[] = [],
): Promise<{ url: string; dir: string; close(): Promise<void>; server: ChildServer }> {
  const dir = tempDir('cumulus-sync-remote-');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const server = await spawnServer(
    'rclone',
    ['serve', 'webdav', dir.path, '--addr', `127.0.0.1:${port}`, '--dir-cache-time', '0s', ...extra],
    url,
    {
      method: 'OPTIONS',
    },
  );
  return {
    url,
    dir: dir.path,
    server,
    close: async () => {
      await server.stop('SIGTERM');
      dir.remove();
    },
  };
}

/** `rclone check` between a directory on disk and a folder of the Cumulus user's tree, comparing bytes. */
export async function rcloneCheck(dir: string, dav: DavServer, folder: string, oneWay = false) {
  const obscured = await run(['obscure', dav.password]);
  return run(['--config', '/dev/null', 'check', '--download', ...(oneWay ? ['--one-way'] : []), dir, `cumulus:${folder}`], {
    RCLONE_CONFIG_CUMULUS_TYPE: 'webdav',
    RCLONE_CONFIG_CUMULUS_URL: dav.url,
    RCLONE_CONFIG_CUMULUS_VENDOR: 'other',
    RCLONE_CONFIG_CUMULUS_USER: dav.email,
    RCLONE_CONFIG_CUMULUS_PASS: obscured.stdout.trim(),
  });
}
