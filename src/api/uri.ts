import { ApiError, CODES } from './errors.js';

/**
 * `cloudreve://` file URIs (Cloudreve V4 contract, section 4), parsed the way Cloudreve's Go
 * `net/url.Parse` + `path.Clean` do (4.3), with two documented leniencies (4.4): `#` is a
 * literal character (clients append raw names, and a fragment means nothing here), and a `%`
 * not followed by two hex digits stays a literal `%`. Pure functions; names are validated
 * later, when the path becomes a vfs path.
 */
export type FileSystemName = 'my' | 'share' | 'trash' | 'shared_with_me';

export interface FileUri {
  readonly fs: FileSystemName;
  /** The user part: a user id for `my`, a share id for `share`; null when absent. */
  readonly user: string | null;
  /** A share's password. */
  readonly password: string | null;
  /** Decoded, cleaned names from the file system's root (empty for the root). */
  readonly names: readonly string[];
  /** The raw query (search conditions), without `?`; empty when absent. */
  readonly query: string;
}

const FILE_SYSTEMS: readonly FileSystemName[] = ['my', 'share', 'trash', 'shared_with_me'];

export function parseFileUri(text: string): FileUri {
  const unknown = (why: string) => new ApiError(CODES.parameter, `unknown uri: ${why}`);
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(text);
  if (!scheme) throw unknown('expected cloudreve://{file system}/{path}');
  if (scheme[1]!.toLowerCase() !== 'cloudreve') throw unknown('the scheme must be cloudreve');
  let rest = text.slice(scheme[0].length);
  let query = '';
  const questionMark = rest.indexOf('?');
  if (questionMark >= 0) {
    query = rest.slice(questionMark + 1);
    rest = rest.slice(0, questionMark);
  }
  const slash = rest.indexOf('/');
  const authority = slash >= 0 ? rest.slice(0, slash) : rest;
  const rawPath = slash >= 0 ? rest.slice(slash) : '';
  const at = authority.lastIndexOf('@');
  const host = decodeLenient(authority.slice(at + 1), unknown).toLowerCase();
  if (!(FILE_SYSTEMS as readonly string[]).includes(host)) {
    throw unknown(`the file system must be one of ${FILE_SYSTEMS.join(', ')}`);
  }
  let user: string | null = null;
  let password: string | null = null;
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    const colon = userinfo.indexOf(':');
    user = decodeLenient(colon >= 0 ? userinfo.slice(0, colon) : userinfo, unknown) || null;
    password = colon >= 0 ? decodeLenient(userinfo.slice(colon + 1), unknown) : null;
  }
  return { fs: host as FileSystemName, user, password, names: cleanPath(decodeLenient(rawPath, unknown)), query };
}

/**
 * Go's `path.Clean` on a rooted path, as names: empty and `.` segments dropped, `..` removes
 * the previous name and never climbs above the root.
 */
function cleanPath(decoded: string): string[] {
  const names: string[] = [];
  for (const segment of decoded.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') names.pop();
    else names.push(segment);
  }
  return names;
}

/** Decodes %XX sequences (as UTF-8); a `%` without two hex digits stays literal; invalid UTF-8 is refused. */
function decodeLenient(text: string, unknown: (why: string) => ApiError): string {
  if (!text.includes('%')) return text;
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    const bytes = Buffer.from(run.replaceAll('%', ''), 'hex');
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw unknown('a percent-encoded part is not valid UTF-8');
    }
  });
}

/**
 * Contract 4.2: the file system's root URI, then each name escaped like Go's PathEscape
 * (every byte but A-Z a-z 0-9 - _ . ~ ! * ' ( ) as %XX, uppercase), joined by `/`. That set
 * is exactly what encodeURIComponent leaves alone.
 */
export function renderFileUri(root: { fs: FileSystemName; user?: string | null }, names: readonly string[]): string {
  const userinfo = root.user ? `${encodeURIComponent(root.user)}@` : '';
  return `cloudreve://${userinfo}${root.fs}/${names.map(encodeURIComponent).join('/')}`;
}
