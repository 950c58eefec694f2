import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

/** Owner-only modes of what the server keeps (DESIGN.md, security decisions). */
export const PRIVATE_FOLDER_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Group and other bits: a mode with any of them set is readable (or more) by someone else. */
const OTHERS = 0o077;

/**
 * Makes the data directory private: created 0700 when missing; when it exists with looser
 * modes (an older version, a copy, a hand-made folder), its folders are set to 0700 and its
 * files to 0600. Symbolic links are never followed and mounted folders (another st_dev) never
 * entered: what they point at is not ours to change. The walk enters every folder down to the
 * direct children of the data directory's folders (database, config, keys, temporary files),
 * and deeper only into folders that were loose, so a blob store of millions of files that is
 * already private is not walked at every start (a private folder hides what is below it).
 * Answers the paths it tightened, relative to the data directory.
 */
export async function makeDataDirPrivate(dataDir: string): Promise<string[]> {
  await fs.mkdir(dataDir, { recursive: true, mode: PRIVATE_FOLDER_MODE });
  // The data directory itself may be a link the administrator made: follow that one.
  const root = await fs.stat(dataDir);
  const tightened: string[] = [];
  if (await tighten(dataDir, root)) tightened.push('.');
  await walk(dataDir, '', root.dev, 0, tightened);
  return tightened;
}

async function walk(folder: string, relative: string, device: number, depth: number, tightened: string[]): Promise<void> {
  const names = await fs.readdir(folder).catch(() => [] as string[]);
  for (const name of names) {
    const file = path.join(folder, name);
    const stats = await fs.lstat(file).catch(() => null);
    if (!stats || stats.isSymbolicLink() || stats.dev !== device) continue;
    const loose = await tighten(file, stats);
    if (loose) tightened.push(path.join(relative, name));
    if (stats.isDirectory() && (loose || depth < 1)) await walk(file, path.join(relative, name), device, depth + 1, tightened);
  }
}

/** Takes the group and other bits away from a folder or regular file; true when there were any. */
async function tighten(file: string, stats: Stats): Promise<boolean> {
  if ((stats.mode & OTHERS) === 0) return false;
  if (stats.isDirectory()) await fs.chmod(file, PRIVATE_FOLDER_MODE);
  else if (stats.isFile()) await fs.chmod(file, stats.mode & PRIVATE_FILE_MODE);
  else return false;
  return true;
}
