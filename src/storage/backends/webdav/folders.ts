import type { DavTransport, Doing } from './webdav-transport.js';

/** Folders created or found so far; bounded, since a fan-out of two levels makes 65,536 of them. */
const MAX_REMEMBERED = 100_000;

/**
 * Creates a key's parent folders on the remote server on demand (MKCOL, RFC 4918 section 9.3),
 * from the root down, remembering the ones that exist so the next write to `ab/cd/…` costs
 * nothing. The policy root's folders are made too (a root that does not exist yet is fine).
 */
export class DavFolders {
  private readonly known = new Set<string>();

  constructor(
    private readonly transport: DavTransport,
    private readonly base: URL,
    /** Leading path segments of `base` that are the server's (its URL's path): never made. */
    private readonly serverSegments: number,
  ) {}

  async ensureParentsOf(key: string, doing: Doing): Promise<void> {
    const baseSegments = this.base.pathname.split('/').filter((s) => s !== '');
    const keySegments = key.split('/').slice(0, -1).map(encodeURIComponent);
    const all = [...baseSegments, ...keySegments];
    for (let depth = this.serverSegments + 1; depth <= all.length; depth++) {
      const path = `/${all.slice(0, depth).join('/')}/`;
      if (this.known.has(path)) continue;
      // An existing folder answers 405 (RFC 4918 section 9.3.1).
      const response = await this.transport.send({ method: 'MKCOL', url: new URL(path, this.base), doing }, [405]);
      response.body.resume();
      if (this.known.size >= MAX_REMEMBERED) this.known.clear();
      this.known.add(path);
    }
  }

  /** Forgets every folder, after the server answered that one is gone. */
  forget(): void {
    this.known.clear();
  }
}
