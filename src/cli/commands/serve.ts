import type { Command } from 'commander';
import { pino } from 'pino';
import { createApp } from '../../app.js';
import { buildHttpServer, parseListen } from '../../http/index.js';
import { configFrom } from '../context.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('start the server (embedded defaults: SQLite and ./data)')
    .option('--listen <address>', 'HOST:PORT to listen on (default 0.0.0.0:5280)')
    .option('--public-url <url>', 'the URL users reach this server at, when behind a proxy')
    .action(async (options: { listen?: string; publicUrl?: string }, command: Command) => {
      const config = configFrom(command, { listen: options.listen, publicUrl: options.publicUrl });
      const logger = pino({ level: config.logLevel });
      const app = await createApp(config, { logger, createFirstAdmin: true });
      if (app.createdAdmin?.generatedPassword) {
        // Shown once: only its hash is stored.
        process.stdout.write(
          `\nFirst start: created the administrator account\n  email:    ${app.createdAdmin.email}\n  password: ${app.createdAdmin.generatedPassword}\nChange it with: cumulus user passwd --email ${app.createdAdmin.email}\n\n`,
        );
      }
      // Garbage collection (at start when gc.onStart) and the other periodic duties are scheduled
      // jobs: with several server processes, one at a time runs each.
      await app.jobs.start();
      const server = await buildHttpServer(app);
      const { host, port } = parseListen(config.listen);
      await server.listen({ host, port });

      let closing = false;
      const shutdown = (signal: string) => {
        if (closing) return;
        closing = true;
        logger.info({ signal }, 'shutting down: finishing requests in flight');
        const force = setTimeout(() => {
          logger.warn('requests still running after 30 s; exiting');
          process.exit(1);
        }, 30_000);
        force.unref();
        Promise.all([server.close(), app.jobs.runner.stop()])
          .then(() => app.close())
          .then(() => process.exit(0))
          .catch((error: unknown) => {
            logger.error({ err: error }, 'shutdown failed');
            process.exit(1);
          });
      };
      process.once('SIGINT', () => shutdown('SIGINT'));
      process.once('SIGTERM', () => shutdown('SIGTERM'));
    });
}
