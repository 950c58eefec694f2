import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

export interface DrainOptions {
  readonly logger: Logger;
  /** Longest wait for requests in flight; after it the process exits with code 1. */
  readonly graceMs: number;
  /** Runs once the server has stopped (closes the database). */
  readonly afterClose: () => Promise<void>;
  /** How often connections that have gone idle are closed while draining. */
  readonly idleSweepMs?: number;
}

/**
 * Graceful stop on SIGTERM/SIGINT, for a single-process server and for each worker alike:
 * stop accepting connections, let every request in flight finish (an upload completes,
 * or is aborted at the grace deadline and leaves at most an orphan blob for gc), close
 * keep-alive connections after their current request, then close the app and exit 0.
 * Call before listen: it adds a hook.
 */
export function drainOnSignals(server: FastifyInstance, options: DrainOptions): void {
  const { logger, graceMs } = options;
  let closing = false;
  // A response sent while draining tells the client not to reuse its connection.
  server.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });

  const drain = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down: finishing requests in flight');
    const force = setTimeout(() => {
      logger.warn({ graceMs }, 'requests still running after the grace period; exiting');
      server.server.closeAllConnections();
      process.exit(1);
    }, graceMs);
    force.unref();
    // Connections whose request ended (keep-alive, or a response not sent through Fastify)
    // are closed as they go idle, so the drain ends with the last request.
    const sweep = setInterval(() => server.server.closeIdleConnections(), options.idleSweepMs ?? 200);
    sweep.unref();
    server
      .close()
      .then(() => options.afterClose())
      .then(() => {
        logger.info('stopped');
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGINT', () => drain('SIGINT'));
  process.once('SIGTERM', () => drain('SIGTERM'));
}
