import type { Command } from 'commander';
import { pino, type Logger } from 'pino';
import { createApp, type App } from '../../app.js';
import type { Config } from '../../config/index.js';
import {
  buildHttpServer,
  drainOnSignals,
  isClusterPrimary,
  parseListen,
  runPrimary,
  workerCount,
  workerIdentity,
} from '../../http/index.js';
import { configFrom } from '../context.js';

interface ServeOptions {
  listen?: string;
  publicUrl?: string;
  workers?: string;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('start the server (embedded defaults: SQLite and ./data)')
    .option('--listen <address>', 'HOST:PORT to listen on (default 0.0.0.0:5280)')
    .option('--public-url <url>', 'the URL users reach this server at, when behind a proxy')
    .option('--workers <count>', "server processes: a number, or 'auto' for one per CPU up to 4 (env CUMULUS_WORKERS)")
    .action(async (options: ServeOptions, command: Command) => {
      const config = configFrom(command, { listen: options.listen, publicUrl: options.publicUrl, workers: options.workers });
      const count = workerCount(config.workers);
      if (count > 1 && isClusterPrimary()) {
        const logger = pino({ level: config.logLevel }).child({ role: 'primary' });
        process.exitCode = await runPrimary({ count, logger, graceMs: config.shutdownGraceSeconds * 1000 });
        return;
      }
      const identity = workerIdentity();
      const logger = pino({ level: config.logLevel }).child(identity ?? {});
      if (identity) {
        process.title = `cumulus: worker ${identity.worker}`;
        logger.info({ nodeFlags: process.execArgv }, 'worker starting');
      }
      await serveProcess(config, logger, identity?.worker ?? 1);
    });
}

/** One server process: the whole server with --workers 1, otherwise one worker of several. */
async function serveProcess(config: Config, logger: Logger, workerId: number): Promise<void> {
  const app = await createApp(config, { logger, createFirstAdmin: true });
  if (app.createdAdmin?.generatedPassword) printFirstAdmin(app);
  // Once per server start, not once per worker (a replaced worker has a higher id).
  if (config.gc.onStart && workerId === 1) {
    app.gc
      .run({ graceMs: config.gc.graceSeconds * 1000 })
      .then((report) => logger.info({ gc: report }, 'start-up garbage collection done'))
      .catch((error: unknown) => logger.error({ err: error }, 'start-up garbage collection failed'));
  }
  const server = await buildHttpServer(app);
  drainOnSignals(server, { logger, graceMs: config.shutdownGraceSeconds * 1000, afterClose: () => app.close() });
  const { host, port } = parseListen(config.listen);
  await server.listen({ host, port });
}

function printFirstAdmin(app: App): void {
  const { email, generatedPassword } = app.createdAdmin!;
  // Shown once, by the process that created it: only its hash is stored.
  process.stdout.write(
    `\nFirst start: created the administrator account\n  email:    ${email}\n  password: ${generatedPassword}\nChange it with: cumulus user passwd --email ${email}\n\n`,
  );
}
