import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { createApp, type App } from '../../src/app.js';
import { configSchema } from '../../src/config/index.js';
import { makeDataDirPrivate } from '../../src/storage/index.js';
import { bodyOf } from '../support/app.js';
import { tempDir } from '../support/databases.js';

// DESIGN.md, security decisions: the data directory is private (0700/0600). The test process
// runs with the usual umask 022 (the CLI sets 077): every mode here comes from the code that
// creates the file, not from the umask.

const dirs: Array<ReturnType<typeof tempDir>> = [];
afterAll(() => dirs.forEach((dir) => dir.remove()));
const scratch = () => {
  const dir = tempDir();
  dirs.push(dir);
  return dir.path;
};

/** Every file and folder below `root` (not following links) with its permission bits, as "0600 path". */
function modesBelow(root: string): string[] {
  const out = [`${(statSync(root).mode & 0o7777).toString(8).padStart(4, '0')} .`];
  const walk = (folder: string, relative: string) => {
    for (const name of readdirSync(folder).sort()) {
      const file = path.join(folder, name);
      const stats = lstatSync(file);
      if (stats.isSymbolicLink()) continue;
      out.push(`${(stats.mode & 0o7777).toString(8).padStart(4, '0')} ${path.join(relative, name)}${stats.isDirectory() ? '/' : ''}`);
      if (stats.isDirectory()) walk(file, path.join(relative, name));
    }
  };
  walk(root, '');
  return out;
}

async function openApp(dataDir: string, lines?: string[]): Promise<App> {
  const config = configSchema.parse({ dataDir, logLevel: 'info', uploads: { chunkSizeBytes: 70_000 } });
  const logger = pino({ level: 'info' }, { write: (line: string) => lines?.push(line) });
  return createApp(config, { logger });
}

describe('the data directory', () => {
  it('is created owner-only with its database, WAL, keys, blobs, chunks and temporary folders', async () => {
    const dataDir = path.join(scratch(), 'data');
    const app = await openApp(dataDir);
    try {
      const user = await app.users.create({ email: 'modes@example.test', password: 'correct horse battery', group: 'User' });
      const principal = await app.users.principalFor(user);
      // One upload completes (a blob past the inline limit), one stays open with a chunk on disk.
      for (const [name, chunks] of [
        ['done.bin', 2],
        ['open.bin', 1],
      ] as const) {
        const { session } = await app.uploads.create(principal, {
          userId: user.id,
          path: [name],
          uri: `cloudreve://my/${name}`,
          size: 140_000,
          replace: false,
        });
        for (let index = 0; index < chunks; index++)
          await app.uploads.putChunk(principal, session, index, bodyOf(Buffer.alloc(70_000, index)));
      }
      const modes = modesBelow(dataDir);
      console.log(`Modes of a fresh data directory:\n${modes.join('\n')}`);
      expect(modes.some((line) => line.endsWith(' cumulus.db-wal'))).toBe(true);
      expect(modes.some((line) => line.startsWith('0600 uploads/'))).toBe(true);
      expect(modes.some((line) => /^0600 blobs\/.+[^/]$/.test(line) && !line.includes('.tmp'))).toBe(true);
      expect(modes.filter((line) => !/^(0700 .*\/|0700 \.|0600 .*[^/])$/.test(line))).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('is tightened at start when its modes are loose, without following links or entering other file systems', async () => {
    const root = scratch();
    const dataDir = path.join(root, 'data');
    const first = await openApp(dataDir);
    await first.close();
    // As an older version or a hand-made copy would have left it.
    writeFileSync(path.join(dataDir, 'config.json'), '{}');
    mkdirSync(path.join(dataDir, 'blobs', 'ab'), { recursive: true });
    writeFileSync(path.join(dataDir, 'blobs', 'ab', 'old-blob'), 'x');
    for (const [file, mode] of [
      ['.', 0o755],
      ['cumulus.db', 0o644],
      ['config.json', 0o644],
      ['secrets', 0o755],
      ['secrets/jwt.key', 0o644],
      ['blobs', 0o755],
      ['blobs/ab', 0o775],
      ['blobs/ab/old-blob', 0o664],
    ] as const) {
      chmodSync(path.join(dataDir, file), mode);
    }
    // A link to someone else's file, and /dev/shm-like other file system: neither is changed.
    const outside = path.join(root, 'outside.txt');
    writeFileSync(outside, 'not ours');
    chmodSync(outside, 0o644);
    symlinkSync(outside, path.join(dataDir, 'link-to-outside'));

    const lines: string[] = [];
    const app = await openApp(dataDir, lines);
    await app.close();
    expect(modesBelow(dataDir).filter((line) => !/^(0700 .*\/|0700 \.|0600 .*[^/])$/.test(line))).toEqual([]);
    expect(statSync(outside).mode & 0o777).toBe(0o644);
    const logged = lines.filter((line) => line.includes('tightened'));
    expect(logged).toHaveLength(1);
    expect(JSON.parse(logged[0]!)).toMatchObject({
      count: 8,
      paths: expect.arrayContaining(['.', 'secrets/jwt.key', 'blobs/ab/old-blob']),
    });

    // Another start finds nothing to tighten and says nothing.
    const again: string[] = [];
    await (await openApp(dataDir, again)).close();
    expect(again.filter((line) => line.includes('tightened'))).toEqual([]);
  });

  // A mount needs root: where the tests run unprivileged, this check is skipped (the walk's
  // st_dev comparison is then covered only by reading it).
  const canMount = process.getuid?.() === 0 && spawnSync('mount', ['--version']).status === 0;
  it.skipIf(!canMount)('is not entered through a mount point: a file system mounted inside keeps its modes', async () => {
    const dataDir = scratch();
    const mounted = path.join(dataDir, 'mounted');
    mkdirSync(mounted);
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'mode=0755', 'none', mounted]).status !== 0) return;
    try {
      writeFileSync(path.join(mounted, 'theirs.txt'), 'x');
      chmodSync(path.join(mounted, 'theirs.txt'), 0o644);
      chmodSync(dataDir, 0o755);
      expect(await makeDataDirPrivate(dataDir)).toEqual(['.']);
      expect(statSync(mounted).mode & 0o777).toBe(0o755);
      expect(statSync(path.join(mounted, 'theirs.txt')).mode & 0o777).toBe(0o644);
    } finally {
      spawnSync('umount', [mounted]);
    }
  });
});
