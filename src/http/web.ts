import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * The web UI: the static files `vite build web` writes to web/dist (the same path from
 * src/http/ under tsx and from dist/http/ once compiled). Hashed bundles under /assets/ are
 * cached for a year; index.html answers every other GET that is not the API or WebDAV, so a
 * reloaded client-side URL (/home?path=/a/b, /s/{id}) opens the app there.
 */
export const WEB_ROOT = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/** Vite writes this placeholder where a nonce belongs (web/vite.config.ts, html.cspNonce). */
const NONCE_PLACEHOLDER = /__CSP_NONCE__/g;

/** Where the SPA never answers: these paths have their own not-found answers. */
const NOT_THE_APP = /^\/(?:api|dav)(?:\/|$)/;

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

/** Precompressed copies the build writes, best first. */
const ENCODINGS: ReadonlyArray<[string, string]> = [
  ['br', '.br'],
  ['gzip', '.gz'],
];

/** A file name Vite writes: no separators, no dot-files, so a request cannot climb out of the folder. */
const SAFE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;

export const NOT_BUILT_MESSAGE =
  'The Cumulus web UI has not been built yet.\n\n' +
  'Build it with `npm run build` (server and UI) or `npm run build:web` (UI only), then reload this page.\n' +
  'The REST API (/api/v4) and WebDAV (/dav/) work without it.\n';

export interface WebOptions {
  /** The built UI's folder; web/dist by default. */
  readonly root?: string;
  /** Origins the page may connect to besides this server: the stores of direct uploads. */
  readonly connectOrigins?: () => Promise<readonly string[]>;
}

/**
 * Content-Security-Policy of the app's pages. Scripts and style tags run only from this origin
 * or with the page's nonce; nothing may frame the app. Images may also come from https: (file
 * previews served by object storage); file bytes themselves are served elsewhere under
 * `sandbox` (DESIGN.md, security decisions). The page may also connect to `connectOrigins`:
 * the object stores it uploads parts to directly (contract 15.5).
 */
export function appCsp(nonce: string, connectOrigins: readonly string[] = []): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data: blob: https:",
    "font-src 'self' data:",
    ["connect-src 'self'", ...connectOrigins].join(' '),
    "media-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export async function registerWeb(server: FastifyInstance, options: WebOptions = {}): Promise<void> {
  const root = options.root ?? WEB_ROOT;
  let template: string | null = null;

  /** index.html, read once it exists (a build after start-up is picked up on the next request). */
  const loadTemplate = async (): Promise<string | null> => {
    if (template !== null) return template;
    try {
      template = await readFile(path.join(root, 'index.html'), 'utf8');
    } catch {
      return null;
    }
    return template;
  };

  const sendApp = async (reply: FastifyReply) => {
    const html = await loadTemplate();
    if (html === null) {
      return reply.code(503).header('Cache-Control', 'no-store').type('text/plain; charset=utf-8').send(NOT_BUILT_MESSAGE);
    }
    const nonce = randomBytes(16).toString('base64');
    const connectOrigins = (await options.connectOrigins?.()) ?? [];
    return reply
      .code(200)
      .headers({
        'Content-Security-Policy': appCsp(nonce, connectOrigins),
        // The page changes with every build; its assets carry their hash in their names.
        'Cache-Control': 'no-cache',
        'X-Content-Type-Options': 'nosniff',
        'X-Frame-Options': 'DENY',
        // Share links carry their password in the path (/s/{id}/{password}): never leak it onwards.
        'Referrer-Policy': 'no-referrer',
      })
      .type('text/html; charset=utf-8')
      .send(html.replace(NONCE_PLACEHOLDER, nonce));
  };

  /**
   * One file of the build, or a plain 404 (never index.html: a browser would run HTML as a
   * script). The build also writes .br and .gz copies of text files (web/vite.config.ts):
   * sent instead when the browser accepts them.
   */
  const sendFile = async (request: FastifyRequest, reply: FastifyReply, relative: string, cache: string) => {
    const segments = relative.split('/');
    if (!segments.every((segment) => SAFE_NAME.test(segment))) return notFound(reply);
    const file = path.join(root, ...segments);
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) return notFound(reply);
    const accepted = acceptedEncodings(request.headers['accept-encoding']);
    let body = { file, size: info.size, encoding: '' };
    for (const [encoding, suffix] of ENCODINGS) {
      if (!accepted.has(encoding)) continue;
      const compressed = await stat(file + suffix).catch(() => null);
      if (compressed?.isFile()) {
        body = { file: file + suffix, size: compressed.size, encoding };
        break;
      }
    }
    reply.headers({
      'Cache-Control': cache,
      'Content-Length': String(body.size),
      'X-Content-Type-Options': 'nosniff',
      Vary: 'Accept-Encoding',
    });
    if (body.encoding) reply.header('Content-Encoding', body.encoding);
    return reply
      .code(200)
      .type(TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream')
      .send(createReadStream(body.file));
  };

  server.get('/assets/*', async (request: FastifyRequest<{ Params: { '*': string } }>, reply) =>
    sendFile(request, reply, `assets/${request.params['*']}`, 'public, max-age=31536000, immutable'),
  );

  server.setNotFoundHandler(async (request, reply) => {
    const pathname = (request.raw.url ?? '/').split('?')[0]!;
    if ((request.method !== 'GET' && request.method !== 'HEAD') || NOT_THE_APP.test(pathname)) return notFound(reply);
    // Files at the top of the build (favicon.svg): a single safe name with an extension.
    const top = pathname.slice(1);
    if (SAFE_NAME.test(top) && path.extname(top) !== '' && top !== 'index.html') {
      return sendFile(request, reply, top, 'public, max-age=3600');
    }
    return sendApp(reply);
  });
}

/** The codings of an Accept-Encoding header (RFC 9110 12.5.3), leaving out those with q=0. */
function acceptedEncodings(header: string | string[] | undefined): Set<string> {
  const accepted = new Set<string>();
  for (const item of String(header ?? '').split(',')) {
    const [name, ...parameters] = item.split(';').map((part) => part.trim().toLowerCase());
    const refused = parameters.some((parameter) => /^q=0(?:\.0*)?$/.test(parameter));
    if (name && !refused) accepted.add(name);
  }
  return accepted;
}

function notFound(reply: FastifyReply) {
  return reply.code(404).type('text/plain; charset=utf-8').send('404 Not Found\n');
}
