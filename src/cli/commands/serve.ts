import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { pino, type Logger } from 'pino';
import { createApp, type App } from '../../app.js';
import { ConfigError, type Config } from '../../config/index.js';
import { StartupError } from '../../core/index.js';
import {
  buildHttpServer,
  certificateFingerprint,
  ensureSelfSignedCertificate,
  loadTlsPair,
  tlsFilesFrom,
  watchTlsFiles,
  drainOnSignals,
  isClusterPrimary,
  parseListen,
  runPrimary,
  workerCount,
  workerIdentity,
} from '../../http/index.js';
import { configFrom, reportError } from '../context.js';

interface ServeOptions {
  listen?: string;
  publicUrl?: string;
  workers?: string;
  tls?: string;
  tlsCert?: string;
  tlsKey?: string;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('start the server (embedded defaults: SQLite and ./data)')
    .option('--listen <address>', 'HOST:PORT to listen on (default 0.0.0.0:5280)')
    .option('--public-url <url>', 'the URL users reach this server at, when behind a proxy')
    .option('--workers <count>', "server processes: a number, or 'auto' for one per CPU up to 4 (env CUMULUS_WORKERS)")
    .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM chain; reloaded when it changes; env CUMULUS_TLS_CERT)')
    .option('--tls-key <file>', 'the private key of --tls-cert (PEM; env CUMULUS_TLS_KEY)')
    .option('--tls <mode>', "'self-signed': serve HTTPS with a certificate made and kept in DATA/secrets")
    .action(async (options: ServeOptions, command: Command) => {
      if (options.tls !== undefined && options.tls !== 'self-signed') {
        throw new ConfigError(`--tls accepts only 'self-signed' (got '${options.tls}'); use --tls-cert and --tls-key for a certificate`);
      }
      const config = configFrom(command, {
        listen: options.listen,
        publicUrl: options.publicUrl,
        workers: options.workers,
        'tls.cert': options.tlsCert,
        'tls.key': options.tlsKey,
        'tls.selfSigned': options.tls === 'self-signed' ? true : undefined,
      });
      // Made once, before any worker starts; the workers read the same files.
      if (config.tls.selfSigned && isClusterPrimary()) await announceSelfSigned(config);
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
      try {
        await serveProcess(config, logger);
      } catch (error) {
        if (!identity) throw error;
        // A worker's channel to the primary keeps it alive: say why, and end it with the code the primary acts on.
        process.exit(reportError(error, false));
      }
    });
}

/** One server process: the whole server with --workers 1, otherwise one worker of several. */
async function serveProcess(config: Config, logger: Logger): Promise<void> {
  // A certificate that does not load stops the start before anything else runs.
  const tlsFiles = tlsFilesFrom(config);
  const tls = tlsFiles ? loadTlsPair(tlsFiles) : undefined;
  const app = await createApp(config, { logger, createFirstAdmin: true });
  // Other versions' CLI commands check this before they migrate the schema under this server.
  app.presence.start((error, message) => logger.warn({ err: error }, message));
  if (app.createdAdmin?.generatedPassword) printFirstAdmin(app);
  // Garbage collection (at start when gc.onStart) and the other periodic duties are scheduled
  // jobs: whatever the number of workers and nodes, one process at a time runs each.
  await app.jobs.start();
  const server = await buildHttpServer(app, { tls });
  if (tlsFiles) watchTlsFiles(server, tlsFiles, logger);
  drainOnSignals(server, { logger, graceMs: config.shutdownGraceSeconds * 1000, afterClose: () => app.close() });
  const { host, port } = parseListen(config.listen);
  try {
    await server.listen({ host, port });
  } catch (error) {
    // The job runner and the database pool would keep this process alive, serving nothing:
    // close them, so that the process ends with the reason (a port in use must not hang).
    await server.close().catch(() => undefined);
    await app.close().catch(() => undefined);
    throw listenFailure(error, config.listen);
  }
}

/** A listen address in use or not allowed is for a person to fix: one line, exit code 2. */
function listenFailure(error: unknown, listen: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  const why = code === 'EADDRINUSE' ? 'the address is already in use' : code === 'EACCES' ? 'permission denied' : undefined;
  if (!why && code !== 'EADDRNOTAVAIL') return error;
  return new StartupError(`Cannot listen on ${listen}: ${why ?? 'no such local address'}`);
}

function printFirstAdmin(app: App): void {
  const { email, generatedPassword } = app.createdAdmin!;
  // Shown once, by the process that created it: only its hash is stored.
  process.stdout.write(
    `\nFirst start: created the administrator account\n  email:    ${email}\n  password: ${generatedPassword}\nChange it with: cumulus user passwd --email ${email}\n\n`,
  );
}

async function announceSelfSigned(config: Config): Promise<void> {
  const { certFile, created } = await ensureSelfSignedCertificate(config.dataDir);
  const fingerprint = certificateFingerprint(await readFile(certFile));
  // On stdout, so that whoever starts the server can tell LAN users what to expect.
  process.stdout.write(
    `\nHTTPS with a self-signed certificate (${created ? 'made now' : 'kept from before'}): ${certFile}\n  SHA-256 fingerprint: ${fingerprint}\nClients must trust this certificate or check the fingerprint.\n\n`,
  );
}
