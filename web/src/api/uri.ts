/**
 * cloudreve:// URIs (contract section 4). A folder is addressed by its names from the root;
 * each name is escaped the way the server renders paths (4.2: Go's PathEscape keeps exactly
 * the characters encodeURIComponent keeps).
 */
export type Segments = readonly string[];

function join(root: string, segments: Segments): string {
  return root + segments.map((name) => `/${encodeURIComponent(name)}`).join('');
}

/** The caller's own file system. */
export function myUri(segments: Segments = []): string {
  return join('cloudreve://my', segments);
}

/** A share link's file system (contract 17); the password travels in the userinfo. */
export function shareUri(id: string, password: string | undefined, segments: Segments = []): string {
  const auth = password ? `${encodeURIComponent(id)}:${encodeURIComponent(password)}` : encodeURIComponent(id);
  return join(`cloudreve://${auth}@share`, segments);
}

/** The names of a URI's path, decoded (the server's `path` fields). */
export function segmentsOf(uri: string): string[] {
  const match = /^cloudreve:\/\/[^/?#]*(\/[^?#]*)?/i.exec(uri);
  const path = match?.[1] ?? '';
  return path
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    });
}

/** The file system a URI names: `my`, `share`, ... */
export function fileSystemOf(uri: string): { fs: string; user: string; password: string } | null {
  const match = /^cloudreve:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#]+)/i.exec(uri);
  if (!match) return null;
  const decode = (value: string | undefined) => {
    try {
      return decodeURIComponent(value ?? '');
    } catch {
      return value ?? '';
    }
  };
  return { user: decode(match[1]), password: decode(match[2]), fs: match[3]!.toLowerCase() };
}

/** The browser URL's `path` parameter for a folder: "/a/b". Names never contain "/". */
export function toPathParam(segments: Segments): string {
  return `/${segments.join('/')}`;
}

export function fromPathParam(param: string | null): string[] {
  return (param ?? '').split('/').filter((name) => name !== '');
}

/** "/a/b" for display. */
export function displayPath(segments: Segments): string {
  return segments.length === 0 ? '/' : toPathParam(segments);
}
