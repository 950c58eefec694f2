import { isIP } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { redactUrl } from '../core/index.js';

/** The share page with its password: /s/{key}/{password} (contract 17). */
const SHARE_PAGE_WITH_PASSWORD = /^\/s\/[^/]+\/[^/]+/;
/** A share URI that carries its password in the userinfo: cloudreve://KEY:PW@share/... */
const SHARE_URI_WITH_PASSWORD = /^cloudreve:\/\/[^/:@]*:[^@/]+@share(?:[/?#]|$)/i;

/**
 * Requests that carry a password: WebDAV's Basic auth on every request, the API sign-in, and a
 * share password (on the share page's URL, as share/info's `password=`, or inside a share URI
 * in any API query). A share URI in a JSON body is not seen here: the request that opened the
 * share with its password was.
 */
function carriesPassword(url: string): boolean {
  const mark = url.indexOf('?');
  const pathname = mark < 0 ? url : url.slice(0, mark);
  if (pathname === '/dav' || pathname.startsWith('/dav/') || pathname === '/api/v4/session/token') return true;
  if (SHARE_PAGE_WITH_PASSWORD.test(pathname)) return true;
  if (mark < 0 || !pathname.startsWith('/api/v4/')) return false;
  const query = new URLSearchParams(url.slice(mark + 1));
  if (pathname.startsWith('/api/v4/share/info/') && query.get('password')) return true;
  return [...query.values()].some((value) => SHARE_URI_WITH_PASSWORD.test(value));
}

export function isLoopback(address: string): boolean {
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(v4) === 4) return v4.startsWith('127.');
  return address === '::1';
}

/**
 * Whether a request sends a password across the network in clear: a password route, reached
 * over plain HTTP (`protocol` is Fastify's, which believes X-Forwarded-Proto only from a
 * trusted proxy), from an address other than this machine.
 */
export function isPlainHttpPasswordRequest(request: { url: string; protocol: string; ip: string }): boolean {
  return request.protocol !== 'https' && carriesPassword(request.url) && !isLoopback(request.ip);
}

/** Most addresses remembered as already warned about; beyond it the oldest is forgotten. */
export const PLAIN_HTTP_WARNED_MAX = 1000;

/** Remembers the addresses already warned about, so that each is logged once (bounded). */
export class WarnedAddresses {
  private readonly addresses = new Set<string>();

  constructor(private readonly max = PLAIN_HTTP_WARNED_MAX) {}

  /** True the first time an address is seen (since it was last forgotten). */
  firstTime(address: string): boolean {
    if (this.addresses.has(address)) return false;
    if (this.addresses.size >= this.max) this.addresses.delete(this.addresses.values().next().value!);
    this.addresses.add(address);
    return true;
  }
}

/**
 * On a plain-HTTP server, warns once per client address that passwords (account or share)
 * cross the network unencrypted, and how to stop it.
 */
export function registerPlainHttpWarning(server: FastifyInstance, logger: Logger): void {
  const warned = new WarnedAddresses();
  server.addHook('onRequest', async (request) => {
    if (!isPlainHttpPasswordRequest(request) || !warned.firstTime(request.ip)) return;
    logger.warn(
      // The path as a log may show it: a share page's password segment is redacted.
      { address: request.ip, url: redactUrl(request.url).split('?', 1)[0] },
      'a password (WebDAV Basic auth, sign-in or a share password) crossed the network unencrypted over plain HTTP; serve HTTPS with --tls-cert FILE --tls-key FILE (or --tls self-signed), or put a TLS proxy in front and set trustProxy',
    );
  });
}
