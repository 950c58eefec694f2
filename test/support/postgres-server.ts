import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, chmodSync, chownSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './cli.js';

/**
 * A private PostgreSQL cluster for the test run, started from the machine's binaries
 * (Debian's postgresql package; scripts/test-all.sh installs it). fsync is off: the tests
 * check behaviour, not durability of the database itself.
 */
export interface PostgresServer {
  readonly url: string;
  stop(): void;
  /** Stops the server (fast shutdown: open connections are cut) and keeps its data, for `resume`. */
  pause(): void;
  /** Starts a paused server again on the same port with the same data. */
  resume(): void;
}

function findBinaries(): string {
  const candidates = [
    ...(process.env.PG_BINDIR ? [process.env.PG_BINDIR] : []),
    ...(existsSync('/usr/lib/postgresql')
      ? readdirSync('/usr/lib/postgresql')
          .sort((a, b) => Number(b) - Number(a))
          .map((version) => `/usr/lib/postgresql/${version}/bin`)
      : []),
  ];
  const found = candidates.find((dir) => existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_ctl')));
  if (!found) {
    throw new Error("PostgreSQL server binaries not found. Run `bash scripts/test-all.sh`, which installs Debian's postgresql package.");
  }
  return found;
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = findBinaries();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cumulus-pg-'));
  const dataDir = path.join(dir, 'data');
  const port = await freePort();
  // PostgreSQL refuses to run as root: run it as the postgres user the package created.
  const asRoot = process.getuid?.() === 0;
  let uid: number | undefined;
  let gid: number | undefined;
  if (asRoot) {
    uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chmodSync(dir, 0o755);
    chownSync(dir, uid, gid);
  }
  const run = (command: string, args: string[]) => {
    const result = spawnSync(path.join(bin, command), args, { uid, gid, encoding: 'utf8', cwd: dir });
    if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr || result.stdout}`);
  };
  run('initdb', ['-D', dataDir, '-U', 'cumulus', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  const start = () =>
    run('pg_ctl', [
      '-D',
      dataDir,
      '-l',
      path.join(dir, 'log'),
      '-w',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300`,
      'start',
    ]);
  start();
  return {
    url: `postgres://cumulus@127.0.0.1:${port}/postgres`,
    pause: () => run('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']),
    resume: start,
    stop() {
      spawnSync(path.join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', 'stop'], { uid, gid, cwd: dir });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
