// RFC 3986 sections 2.1 and 3.3 (percent-encoding, path segments) as RFC 4918 section 8.3
// uses them for request URLs and hrefs, and RFC 4918 section 10.3 with 9.8.5 (Destination,
// 502 for another server). DESIGN.md, "Security decisions": URLs are decoded once, split
// before decoding, normalised to NFC, and every name is validated; dot segments are refused,
// never resolved, so a VPath can name nothing above the view's root.
import { InvalidNameError, MAX_PATH_DEPTH, normaliseName, type VPath } from '../core/index.js';
import { DavHeaderError } from './headers/errors.js';

// ignoreBOM keeps a leading U+FEFF in the name instead of silently dropping it.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const ENCODER = new TextEncoder();
/** Characters a path segment may carry as they are: unreserved, sub-delims, ":" and "@". */
const SAFE_NAME = /^[A-Za-z0-9\-._~!$&'()*+,;=:@]*$/;
const BAD_ESCAPE = /%(?![0-9A-Fa-f]{2})/;

/** What the request says about where it was sent, for checking a Destination's host. */
export interface RequestHost {
  /** The request's Host header. */
  readonly host: string | undefined;
  /** Other names this server answers to (e.g. the public name behind a proxy). */
  readonly acceptedHosts: readonly string[];
}

/**
 * Turns a request path (no query string, still percent-encoded) under `mountPrefix` (e.g.
 * "/dav", as it appears in URLs) into validated names. A path outside the mount is 404; a
 * bad escape, invalid UTF-8, an encoded "/", a backslash, NUL, a dot segment or an invalid
 * name is 400. Empty segments (trailing or doubled slashes) are ignored.
 */
export function decodeDavPath(rawPath: string, mountPrefix: string): VPath {
  const prefix = withoutTrailingSlash(mountPrefix);
  if (!isUnder(rawPath, prefix)) throw new DavHeaderError(404, `Only paths under ${prefix}/ are served over WebDAV`);
  const names = rawPath
    .slice(prefix.length)
    .split('/')
    .filter((segment) => segment !== '')
    .map(decodeName);
  if (names.length > MAX_PATH_DEPTH) {
    throw new DavHeaderError(400, `A path cannot be deeper than ${MAX_PATH_DEPTH} folders`);
  }
  return names;
}

function decodeName(segment: string): string {
  if (BAD_ESCAPE.test(segment)) {
    throw new DavHeaderError(400, 'A path segment has a "%" that is not followed by two hex digits');
  }
  if (!segment.isWellFormed()) throw new DavHeaderError(400, 'The path contains unpaired surrogates');
  const raw = ENCODER.encode(segment);
  const bytes = new Uint8Array(raw.length);
  let length = 0;
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === 0x25) {
      bytes[length++] = parseInt(String.fromCharCode(raw[i + 1] ?? 0, raw[i + 2] ?? 0), 16);
      i += 2;
    } else {
      bytes[length++] = raw[i] ?? 0;
    }
  }
  let name: string;
  try {
    name = UTF8.decode(bytes.subarray(0, length));
  } catch {
    throw new DavHeaderError(400, 'A path segment is not valid UTF-8');
  }
  if (name.includes('/')) throw new DavHeaderError(400, 'A name cannot contain an encoded "/" (%2F)');
  if (name.includes('\0')) throw new DavHeaderError(400, 'A name cannot contain NUL');
  if (name === '.' || name === '..') throw new DavHeaderError(400, `The path cannot contain "${name}" segments`);
  try {
    return normaliseName(name);
  } catch (error) {
    if (error instanceof InvalidNameError) throw new DavHeaderError(400, error.message);
    throw error;
  }
}

/**
 * The href of `path` under the mount: each name percent-encoded with upper-case hex (Nautilus
 * refuses lower case), folders with a trailing "/", the mount's root as `mountPrefix + "/"`.
 * Hrefs keep "&" as it is: the XML writer must escape it.
 */
export function encodeHref(mountPrefix: string, path: VPath, isFolder: boolean): string {
  const prefix = withoutTrailingSlash(mountPrefix);
  if (path.length === 0) return `${prefix}/`;
  return `${prefix}/${path.map(encodeName).join('/')}${isFolder ? '/' : ''}`;
}

function encodeName(name: string): string {
  if (SAFE_NAME.test(name)) return name;
  let out = '';
  for (const byte of ENCODER.encode(name)) {
    const char = String.fromCharCode(byte);
    out += byte < 0x80 && SAFE_NAME.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * RFC 4918 10.3: the target of COPY or MOVE. Absent is 400. An absolute path, or an absolute
 * URL whose host matches the request's Host or an accepted host (scheme ignored, so a proxy
 * that terminates TLS is tolerated; ports 80 and 443 count as none), else 502. Query and
 * fragment are dropped; a path outside the mount is 403; then as decodeDavPath.
 */
export function parseDestinationHeader(value: string | undefined, request: RequestHost, mountPrefix: string): VPath {
  if (value === undefined || value.trim() === '') throw new DavHeaderError(400, 'COPY and MOVE need a Destination header');
  return resolveDavUrl(value.trim(), request, mountPrefix, 'Destination');
}

/**
 * Resolves a URL or absolute path a client names in a header (Destination, a tagged If
 * resource) to a VPath, with the checks described for parseDestinationHeader. `what` names
 * the header in error messages.
 */
export function resolveDavUrl(value: string, request: RequestHost, mountPrefix: string, what: string): VPath {
  let path: string;
  const url = /^(?:([A-Za-z][A-Za-z0-9+.-]*):)?\/\/([^/?#]*)(.*)$/s.exec(value);
  if (url) {
    const scheme = url[1]?.toLowerCase() ?? 'http';
    const host = hostKey(url[2] ?? '');
    const ours = [request.host, ...request.acceptedHosts].flatMap((h) => (h === undefined ? [] : [hostKey(h)]));
    if ((scheme !== 'http' && scheme !== 'https') || host === null || !ours.includes(host)) {
      throw new DavHeaderError(502, `${what} is on another server`);
    }
    path = url[3] ?? '';
  } else if (value.startsWith('/')) {
    path = value;
  } else {
    throw new DavHeaderError(400, `${what} must be an absolute URL or an absolute path`);
  }
  path = samePrefixAs(path.replace(/[?#].*$/s, ''), withoutTrailingSlash(mountPrefix));
  if (!isUnder(path, withoutTrailingSlash(mountPrefix))) {
    throw new DavHeaderError(403, `${what} is outside this WebDAV space`);
  }
  return decodeDavPath(path, mountPrefix);
}

/** "Host[:port]" lower-cased, with ports 80 and 443 dropped; null when it is not one. */
function hostKey(authority: string): string | null {
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1).trim();
  const m = /^(\[[0-9A-Fa-f:.]+\]|[^:[\]\s]+)(?::(\d*))?$/.exec(hostPort);
  if (!m) return null;
  const host = (m[1] ?? '').toLowerCase();
  const port = m[2] === undefined || m[2] === '' ? '' : String(Number(m[2]));
  return port === '' || port === '80' || port === '443' ? host : `${host}:${port}`;
}

/**
 * A client may spell the mount's segments with other escapes than the request did (Nextcloud's
 * client sends `files/ann@x.org` in the URL and `files/ann%40x.org` in Destination): when the
 * leading segments decode to the mount's, they are written as the mount writes them.
 */
function samePrefixAs(path: string, prefix: string): string {
  const wanted = prefix.split('/');
  const segments = path.split('/');
  if (segments.length < wanted.length) return path;
  const decoded = (segment: string) => {
    try {
      return decodeURIComponent(segment);
    } catch {
      return null;
    }
  };
  const same = wanted.every((segment, i) => segment === segments[i] || decoded(segment) === decoded(segments[i]!));
  return same ? [prefix, ...segments.slice(wanted.length)].join('/') : path;
}

function withoutTrailingSlash(prefix: string): string {
  return prefix.replace(/\/+$/, '');
}

function isUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}
