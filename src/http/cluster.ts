import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';

/**
 * The node flags the server runs with: package.json's `start` script and the shebang of
 * src/cli/main.ts name them for the first process; workers get them from here
 * (test/http/workers.test.ts checks the three agree).
 */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=2', '--expose-gc', '--single-threaded-gc'] as const;

/** Most workers 'auto' starts: beyond this the database, not the CPU, limits a node. */
export const AUTO_WORKERS_MAX = 4;

/** Exit code of a process that cannot start because of its configuration or data (not worth restarting). */
export const EXIT_CONFIGURATION = 2;

export function workerCount(setting: 'auto' | number, cpus: number = availableParallelism()): number {
  return setting === 'auto' ? Math.max(1, Math.min(AUTO_WORKERS_MAX, cpus)) : setting;
}

export interface RestartBackoff {
  /** Delay before replacing the first of a run of workers that died young. */
  readonly initialMs: number;
  readonly maxMs: number;
  /** A worker that lived this long ends a run of early deaths. */
  readonly stableMs: number;
}

export const DEFAULT_BACKOFF: RestartBackoff = { initialMs: 200, maxMs: 30_000, stableMs: 10_000 };

export interface PrimaryOptions {
  readonly count: number;
  readonly logger: Logger;
  /** How long workers may take to drain before the primary kills them. */
  readonly graceMs: number;
  readonly backoff?: RestartBackoff;
  readonly clock?: () => number;
}

/**
 * The primary of `serve --workers N`: it forks the workers (which share the listening
 * socket through node:cluster), replaces one that dies, and forwards SIGTERM/SIGINT. It
 * builds no app and opens no database. Resolves with the exit code once every worker is gone.
 */
export function runPrimary(options: PrimaryOptions): Promise<number> {
  const { count, logger, graceMs } = options;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const clock = options.clock ?? Date.now;
  process.title = 'cumulus: primary';
  // Workers run the same command line with the server's node flags, whatever started the primary.
  cluster.setupPrimary({ execArgv: withServerFlags(process.execArgv) });

  const started = new Map<Worker, { at: number; listening: boolean }>();
  let youngDeaths = 0;
  let stopping = false;
  let exitCode = 0;
  let pendingForks = 0;

  return new Promise<number>((resolve) => {
    const finishIfDone = () => {
      if (stopping && started.size === 0 && pendingForks === 0) resolve(exitCode);
    };
    const fork = () => {
      const worker = cluster.fork();
      started.set(worker, { at: clock(), listening: false });
    };

    const stop = (signal: string, code = 0) => {
      if (stopping) return;
      stopping = true;
      exitCode = code;
      logger.info({ signal, workers: started.size }, 'shutting down: workers finish the requests in flight');
      for (const worker of started.keys()) worker.process.kill('SIGTERM');
      const force = setTimeout(() => {
        logger.warn({ workers: started.size }, 'workers still running after the grace period; killing them');
        exitCode = 1;
        for (const worker of started.keys()) worker.process.kill('SIGKILL');
      }, graceMs + 5_000);
      force.unref();
      finishIfDone();
    };

    cluster.on('listening', (worker, address) => {
      const state = started.get(worker);
      if (state) state.listening = true;
      logger.info({ worker: worker.id, workerPid: worker.process.pid, port: address.port }, 'worker listening');
    });

    cluster.on('exit', (worker, code, signal) => {
      const state = started.get(worker);
      started.delete(worker);
      if (stopping) {
        // A worker still starting has no handler yet and dies of the SIGTERM itself: nothing was in flight.
        const clean = code === 0 || signal === 'SIGTERM';
        if (!clean && exitCode === 0) exitCode = code ?? 1;
        finishIfDone();
        return;
      }
      const details = { worker: worker.id, workerPid: worker.process.pid, code, signal };
      if (!state?.listening && code === EXIT_CONFIGURATION) {
        // The worker told why on stderr; its siblings would fail the same way.
        logger.error(details, 'a worker could not start; stopping');
        stop('worker start-up failure', EXIT_CONFIGURATION);
        return;
      }
      const lived = state ? clock() - state.at : 0;
      youngDeaths = lived >= backoff.stableMs ? 0 : youngDeaths + 1;
      const delay = youngDeaths === 0 ? 0 : Math.min(backoff.maxMs, backoff.initialMs * 2 ** (youngDeaths - 1));
      logger.warn({ ...details, restartInMs: delay }, 'worker died; replacing it');
      pendingForks++;
      setTimeout(() => {
        pendingForks--;
        if (stopping) finishIfDone();
        else fork();
      }, delay);
    });

    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    logger.info({ workers: count }, 'starting workers');
    for (let i = 0; i < count; i++) fork();
  });
}

/** The worker's identity for process listings and log lines; null in a single-process server. */
export function workerIdentity(): { worker: number } | null {
  return cluster.isWorker && cluster.worker ? { worker: cluster.worker.id } : null;
}

export function isClusterPrimary(): boolean {
  return cluster.isPrimary;
}

function withServerFlags(execArgv: readonly string[]): string[] {
  const flagName = (flag: string) => flag.split('=')[0];
  const present = new Set(execArgv.map(flagName));
  return [...execArgv, ...SERVER_NODE_FLAGS.filter((flag) => !present.has(flagName(flag)))];
}
