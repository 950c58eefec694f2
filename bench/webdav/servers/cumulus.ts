/**
 * Cumulus as `npm start` starts it: `node <the start script's flags> dist/cli/main.js serve`,
 * default configuration on a fresh data directory (and database), logging at its default level
 * (info) to a file. The user and its WebDAV account are made with the `cumulus` CLI first.
 * dist/ is built (`npm run build`) only when missing or older than src/.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freshDatabase, progress, tempDir, type DatabaseTarget } from '../../lib.js';
import { basic, type DavServer } from '../client.js';
import { freePort, launched } from './common.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const MAIN = path.join(ROOT, 'dist', 'cli', 'main.js');

/** The node flags of package.json's `start` script (`node FLAGS dist/cli/main.js serve`). */
export function startFlags(): string[] {
  const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const flags = /\bnode ((?:--\S+ )*)dist\/cli\/main\.js serve/.exec(scripts.start ?? '')?.[1];
  if (flags === undefined) throw new Error("package.json's start script no longer reads `node FLAGS dist/cli/main.js serve`");
  return flags.split(' ').filter(Boolean);
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const dirent of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (dirent.isFile()) newest = Math.max(newest, fs.statSync(path.join(dirent.parentPath, dirent.name)).mtimeMs);
  }
  return newest;
}

/** Runs `npm run build` when dist/ is missing or older than src/ or package.json. */
export function ensureBuilt(): void {
  const built = fs.existsSync(MAIN) ? fs.statSync(MAIN).mtimeMs : 0;
  const sources = Math.max(newestMtime(path.join(ROOT, 'src')), fs.statSync(path.join(ROOT, 'package.json')).mtimeMs);
  if (built >= sources) return;
  progress(built === 0 ? 'dist/ is missing: npm run build' : 'dist/ is older than src/: npm run build');
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', process.stderr, process.stderr] });
}

/** Whether this build's `serve` takes --workers. */
export function supportsWorkers(): boolean {
  const help = execFileSync(process.execPath, [MAIN, 'serve', '--help'], { cwd: ROOT, encoding: 'utf8' });
  return help.includes('--workers');
}

const EMAIL = 'bench@example.test';

export interface CumulusOptions {
  readonly target: DatabaseTarget;
  /** 'auto' or a number, as `--workers` takes it. */
  readonly workers: string;
  /** Extra node flags (CUMULUS_BENCH_SERVER_NODE_ARGS), e.g. --cpu-prof. */
  readonly extraNodeFlags: readonly string[];
  /** Runs after the user and its account exist, before the server starts: `cli` is `cumulus --json ...` on its data. */
  readonly setup?: (cli: (...args: string[]) => string) => void;
}

export async function startCumulus(
  options: CumulusOptions,
): Promise<DavServer & { readonly log: string; readonly email: string; cli(...args: string[]): string }> {
  const dir = tempDir(`cumulus-bench-webdav-${options.target.kind}-`);
  const data = path.join(dir.path, 'data');
  const log = path.join(dir.path, 'cumulus.log');
  const database = await freshDatabase(options.target, dir.path);
  const global = ['--data', data, ...(options.target.kind === 'postgres' ? ['--database-url', database.url] : [])];
  const cli = (...args: string[]) => execFileSync(process.execPath, [MAIN, ...global, '--json', ...args], { cwd: ROOT, encoding: 'utf8' });
  cli('user', 'add', '--email', EMAIL, '--password', randomBytes(12).toString('base64url'));
  const { password } = JSON.parse(cli('dav-account', 'create', '--user', EMAIL, '--name', 'bench')) as { password: string };
  options.setup?.(cli);

  const port = await freePort();
  const withFlag = supportsWorkers();
  const serve = ['serve', '--listen', `127.0.0.1:${port}`, ...(withFlag ? ['--workers', options.workers] : [])];
  const nodeFlags = [...startFlags(), ...options.extraNodeFlags];
  const out = fs.openSync(log, 'a');
  const child = spawn(process.execPath, [...nodeFlags, MAIN, ...global, ...serve], {
    cwd: dir.path,
    env: { ...process.env, CUMULUS_WORKERS: options.workers },
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  return launched(
    child,
    {
      label: `Cumulus (--workers ${options.workers})`,
      host: '127.0.0.1',
      port,
      prefix: '/dav/',
      authorization: basic(EMAIL, password),
      log,
      email: EMAIL,
      cli,
      startedAs:
        `node ${nodeFlags.join(' ')} dist/cli/main.js --data DIR serve --listen 127.0.0.1:PORT` +
        (withFlag
          ? ` --workers ${options.workers}`
          : ` (this build has no --workers: CUMULUS_WORKERS=${options.workers} set, one process)`) +
        `; ${options.target.label}, logging at info to a file`,
    },
    {
      log,
      stopMs: 30_000,
      cleanup: async () => {
        await database.drop().catch(() => undefined);
        dir.remove();
      },
    },
  );
}
