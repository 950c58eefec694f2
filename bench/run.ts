/**
 * Runs the benchmarks in bench/ (every `*.bench.ts` file, in name order) and prints their
 * tables to stdout; progress goes to stderr. Exits non-zero when a benchmark fails.
 *
 *   npm run bench -- [--quick] [--postgres URL | --start-postgres] [--only NAME[,NAME]]
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { progress, redact, runCleanups, onCleanup, type Benchmark, type BenchOptions, type DatabaseTarget } from './lib.js';

const USAGE = `Usage: npm run bench -- [options]

Runs every bench/*.bench.ts on SQLite and, when a PostgreSQL server is given, on PostgreSQL too.

Options:
  --quick              scaled-down sizes, for a fast smoke run
  --postgres URL       also run on PostgreSQL; the benchmark creates (and drops) its own
                       database on that server (env: CUMULUS_BENCH_POSTGRES_URL)
  --start-postgres     start a private PostgreSQL server for the run (needs the server
                       binaries, see scripts/test-all.sh) and stop it afterwards
  --no-sqlite          skip SQLite (only with a PostgreSQL server)
  --only NAME[,NAME]   run only these benchmarks (names: see --list)
  --list               list the benchmarks and exit
  -h, --help           this text`;

interface Args {
  readonly quick: boolean;
  readonly postgresUrl?: string;
  readonly startPostgres: boolean;
  readonly sqlite: boolean;
  readonly only: readonly string[];
  readonly list: boolean;
  readonly help: boolean;
}

class UsageError extends Error {}

function parseArgs(argv: readonly string[]): Args {
  let quick = false;
  let postgresUrl: string | undefined;
  let startPostgres = false;
  let sqlite = true;
  let only: string[] = [];
  let list = false;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      const next = argv[++i];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case '--quick':
        quick = true;
        break;
      case '--postgres':
        postgresUrl = value();
        break;
      case '--start-postgres':
        startPostgres = true;
        break;
      case '--no-sqlite':
        sqlite = false;
        break;
      case '--only':
        only = [
          ...only,
          ...value()
            .split(',')
            .map((name) => name.trim())
            .filter(Boolean),
        ];
        break;
      case '--list':
        list = true;
        break;
      case '-h':
      case '--help':
        help = true;
        break;
      default:
        throw new UsageError(`Unknown argument ${arg}`);
    }
  }
  postgresUrl ??= process.env.CUMULUS_BENCH_POSTGRES_URL || undefined;
  if (postgresUrl && startPostgres)
    throw new UsageError('Give either --postgres URL (or CUMULUS_BENCH_POSTGRES_URL) or --start-postgres, not both');
  if (postgresUrl && !/^postgres(?:ql)?:\/\//.test(postgresUrl)) throw new UsageError('--postgres expects a postgres:// URL');
  if (!sqlite && !postgresUrl && !startPostgres)
    throw new UsageError('--no-sqlite leaves no database: give --postgres URL or --start-postgres');
  return { quick, postgresUrl, startPostgres, sqlite, only, list, help };
}

async function loadBenchmarks(): Promise<Benchmark[]> {
  const dir = path.dirname(fileURLToPath(import.meta.url));
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.bench.ts'))
    .sort();
  const benchmarks: Benchmark[] = [];
  for (const file of files) {
    const module = (await import(pathToFileURL(path.join(dir, file)).href)) as { default?: Partial<Benchmark> };
    const candidate = module.default;
    if (!candidate || typeof candidate.name !== 'string' || typeof candidate.run !== 'function') {
      throw new Error(`bench/${file} must default-export a Benchmark { name, description, run(options) }`);
    }
    benchmarks.push(candidate as Benchmark);
  }
  return benchmarks;
}

/** The commit measured, and whether src/ had uncommitted changes. */
function revision(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const head = git('rev-parse', '--short', 'HEAD');
    return git('status', '--porcelain', '--', 'src') ? `${head} + uncommitted changes in src/` : head;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  const all = await loadBenchmarks();
  if (args.list) {
    for (const benchmark of all) process.stdout.write(`${benchmark.name.padEnd(12)} ${benchmark.description}\n`);
    return 0;
  }
  const unknown = args.only.filter((name) => !all.some((benchmark) => benchmark.name === name));
  if (unknown.length > 0) {
    process.stderr.write(`Unknown benchmark ${unknown.join(', ')}; there are: ${all.map((b) => b.name).join(', ')}\n`);
    return 2;
  }
  const selected = args.only.length > 0 ? all.filter((benchmark) => args.only.includes(benchmark.name)) : all;

  let postgresUrl = args.postgresUrl;
  if (args.startPostgres) {
    progress('starting a private PostgreSQL server');
    // Read-only use of the test support: the same private cluster the test suite starts.
    const { startPostgres } = await import('../test/support/postgres-server.js');
    const server = await startPostgres();
    onCleanup(() => {
      progress('stopping the private PostgreSQL server');
      server.stop();
    });
    postgresUrl = server.url;
  }

  const databases: DatabaseTarget[] = [];
  if (args.sqlite) databases.push({ kind: 'sqlite', label: 'SQLite' });
  if (postgresUrl) databases.push({ kind: 'postgres', label: 'PostgreSQL', adminUrl: postgresUrl });
  const options: BenchOptions = { quick: args.quick, databases };

  process.stdout.write(
    `Cumulus benchmarks${args.quick ? ' (--quick)' : ''}: ${databases.map((d) => d.label).join(' and ')}; ` +
      `node ${process.version}, ${os.cpus().length} CPU(s) ${os.cpus()[0]?.model.trim() ?? ''}, ${os.platform()} ${os.release()}; code ${revision()}\n`,
  );
  if (postgresUrl && !args.startPostgres) progress(`PostgreSQL server: ${redact(postgresUrl)}`);

  let failed = 0;
  for (const benchmark of selected) {
    progress(`=== ${benchmark.name}: ${benchmark.description}`);
    try {
      await benchmark.run(options);
    } catch (error) {
      failed++;
      process.stderr.write(`[bench] ${benchmark.name} FAILED: ${(error as Error).stack ?? String(error)}\n`);
    }
  }
  return failed > 0 ? 1 : 0;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n[bench] ${signal}: cleaning up\n`);
    runCleanups();
    process.exit(130);
  });
}

let code = 1;
try {
  code = await main();
} catch (error) {
  process.stderr.write(`[bench] FAILED: ${(error as Error).stack ?? String(error)}\n`);
} finally {
  runCleanups();
}
process.exit(code);
