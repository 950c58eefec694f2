import { X509Certificate } from 'node:crypto';
import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import type { Server as HttpsServer } from 'node:https';
import path from 'node:path';
import { createSecureContext } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { StartupError } from '../core/index.js';

/** The files a TLS server reads its certificate chain and private key from (PEM). */
export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

export interface TlsPair {
  readonly cert: Buffer;
  readonly key: Buffer;
}

/** Where the self-signed certificate of `--tls self-signed` lives (see self-signed.ts). */
export function selfSignedFiles(dataDir: string): TlsFiles {
  const folder = path.join(dataDir, 'secrets', 'tls-self-signed');
  return { certFile: path.join(folder, 'cert.pem'), keyFile: path.join(folder, 'key.pem') };
}

/** The certificate files the configuration asks for; null for plain HTTP. */
export function tlsFilesFrom(config: Config): TlsFiles | null {
  if (config.tls.selfSigned) return selfSignedFiles(config.dataDir);
  if (config.tls.cert && config.tls.key) return { certFile: config.tls.cert, keyFile: config.tls.key };
  return null;
}

/** Reads a pair and checks that the key matches the certificate (Node throws "key values mismatch" otherwise). */
export function readTlsPair(files: TlsFiles): TlsPair {
  const pair = { cert: readFileSync(files.certFile), key: readFileSync(files.keyFile) };
  createSecureContext(pair);
  return pair;
}

/** The pair to start with; an unreadable or mismatched pair is a start-up error naming the files. */
export function loadTlsPair(files: TlsFiles): TlsPair {
  try {
    return readTlsPair(files);
  } catch (error) {
    throw new StartupError(`Cannot use TLS certificate ${files.certFile} with key ${files.keyFile}: ${(error as Error).message}`);
  }
}

/** SHA-256 fingerprint (AA:BB:…) of the first certificate of a PEM chain. */
export function certificateFingerprint(cert: Buffer | string): string {
  return new X509Certificate(cert).fingerprint256;
}

/** How often the certificate files are checked for a change. */
export const TLS_WATCH_INTERVAL_MS = 2_000;

/**
 * Reloads the certificate when its files change (certbot renews by replacing them, often by
 * swapping a symlink): fs.watchFile polls stat(), which follows symlinks, so a swap is seen
 * like an edit. New connections get the new pair; open ones keep theirs. A pair that does not
 * load (half-renewed: new certificate, old key) is logged and the old one kept; the next
 * change tries again. Stops when the server closes.
 */
export function watchTlsFiles(server: FastifyInstance, files: TlsFiles, logger: Logger, intervalMs = TLS_WATCH_INTERVAL_MS): void {
  const https = server.server as unknown as HttpsServer;
  let current = certificateFingerprint(readFileSync(files.certFile));
  logger.info({ certFile: files.certFile, keyFile: files.keyFile, fingerprint: current }, 'serving HTTPS');
  let settle: NodeJS.Timeout | undefined;
  const reload = () => {
    let pair: TlsPair;
    try {
      pair = readTlsPair(files);
    } catch (error) {
      logger.warn(
        { certFile: files.certFile, keyFile: files.keyFile, err: error },
        'the changed TLS certificate or key does not load; still serving the previous one',
      );
      return;
    }
    const fingerprint = certificateFingerprint(pair.cert);
    if (fingerprint === current) return;
    https.setSecureContext(pair);
    current = fingerprint;
    logger.info({ certFile: files.certFile, fingerprint }, 'TLS certificate reloaded');
  };
  const changed = (now: Stats, before: Stats) => {
    if (now.mtimeMs === before.mtimeMs && now.ino === before.ino && now.size === before.size) return;
    // Renewal writes two files: wait for both before loading.
    clearTimeout(settle);
    settle = setTimeout(reload, intervalMs / 2);
    settle.unref();
  };
  const options = { interval: intervalMs, persistent: false };
  watchFile(files.certFile, options, changed);
  watchFile(files.keyFile, options, changed);
  server.addHook('onClose', async () => {
    clearTimeout(settle);
    unwatchFile(files.certFile, changed);
    unwatchFile(files.keyFile, changed);
  });
}

/** HSTS: a browser that reached us over HTTPS keeps using it for a year. */
export const HSTS_VALUE = 'max-age=31536000';

/**
 * Every answer of a TLS server carries Strict-Transport-Security. Set on the raw response so
 * that WebDAV answers written directly to it carry it too.
 */
export function registerHsts(server: FastifyInstance): void {
  server.addHook('onRequest', async (_request, reply) => {
    reply.raw.setHeader('Strict-Transport-Security', HSTS_VALUE);
  });
}
