import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { App } from '../app.js';
import { readVersion } from '../config/index.js';

/**
 * The Fastify app. Later pieces mount here: /dav (Basic auth), /api/v4 (Bearer), share
 * pages and the web UI's assets.
 */
export async function buildHttpServer(app: App): Promise<FastifyInstance> {
  const server = Fastify({
    loggerInstance: app.logger as FastifyBaseLogger,
    trustProxy: app.config.trustProxy,
    disableRequestLogging: false,
    // Uploads stream; nothing here buffers a body beyond the JSON limit.
    bodyLimit: 1 << 20,
    return503OnClosing: true,
  });
  const version = readVersion();

  // Cloudreve V4: GET /api/v4/site/ping -> { code: 0, data: "<version>" }.
  server.get('/api/v4/site/ping', async () => ({ code: 0, msg: '', data: version }));

  return server;
}

/** "host:port", "[v6]:port" or "port" as Fastify listen options. */
export function parseListen(listen: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(listen);
  if (match) return { host: match[1] ?? match[2]!, port: Number(match[3]) };
  return { host: '0.0.0.0', port: Number(listen) };
}
