import type { Readable } from 'node:stream';
import { UpstreamError } from '../../core/index.js';
import { parseMultistatus, type DavMember, type DavTransport } from '../../storage/index.js';
import type { RemoteItem } from './sync.types.js';

/** What a listing asks for (RFC 4918 section 9.1): type, size, mtime and the ETag changes are found by. */
const PROPFIND_BODY =
  '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/><D:getcontentlength/><D:getlastmodified/><D:getetag/></D:prop></D:propfind>';

/** Folders listed at most in one walk (a remote looping its hrefs cannot keep a run going for ever). */
const MAX_FOLDERS = 200_000;

export interface RemoteListing {
  readonly items: RemoteItem[];
  /** False when a folder could not be listed: then no deletion is inferred (issue 13 item 2). */
  readonly complete: boolean;
  readonly errors: string[];
}

/**
 * The pair's folder on a remote WebDAV server, addressed by paths relative to it in the
 * remote's own spelling; every segment is percent-encoded for the URL (`#`, `%`, spaces).
 */
export class RemoteFolder {
  private readonly basePath: string;

  constructor(
    private readonly transport: DavTransport,
    /** The remote folder's URL (a trailing slash is added). */
    private readonly base: URL,
  ) {
    this.base = new URL(base.href.endsWith('/') ? base.href : `${base.href}/`);
    this.basePath = decodePath(this.base.pathname);
  }

  urlOf(relative: string, folder = false): URL {
    const encoded = relative === '' ? '' : relative.split('/').map(encodeURIComponent).join('/') + (folder ? '/' : '');
    return new URL(encoded, this.base);
  }

  /**
   * Every file and folder below the base: one Depth infinity PROPFIND where the server offers
   * it, else Depth 1 per folder. A base that does not exist is made when `create` is set (an
   * upload into a new folder), and is an error otherwise: never an empty listing.
   */
  async list(signal?: AbortSignal, create = false): Promise<RemoteListing> {
    if (create && (await this.stat('', signal)) === null) await this.mkcol('', signal);
    const whole = await this.propfind('', 'infinity', signal).catch(() => null);
    if (whole) return { items: whole.filter((m) => m.path !== '').map(toItem), complete: true, errors: [] };
    const items: RemoteItem[] = [];
    const errors: string[] = [];
    const queue = [''];
    for (let listed = 0; queue.length > 0 && listed < MAX_FOLDERS; listed++) {
      signal?.throwIfAborted();
      const folder = queue.shift()!;
      try {
        for (const member of (await this.propfind(folder, '1', signal)) ?? []) {
          if (member.path === folder) continue;
          items.push(toItem(member));
          if (member.isCollection) queue.push(member.path);
        }
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        if (folder === '') throw error;
        errors.push(`${folder}: ${(error as Error).message}`);
      }
    }
    return { items, complete: errors.length === 0 && queue.length === 0, errors };
  }

  /** The item at a path, or null when the server has none. */
  async stat(relative: string, signal?: AbortSignal): Promise<RemoteItem | null> {
    const members = await this.propfind(relative, '0', signal, true);
    return members?.[0] ? toItem(members[0]) : null;
  }

  async get(relative: string, signal?: AbortSignal): Promise<{ stream: Readable; etag: string | null }> {
    const response = await this.transport.send({ method: 'GET', url: this.urlOf(relative), signal, doing: `downloading ${relative}` });
    const etag = header(response.headers.etag);
    return { stream: response.body as unknown as Readable, etag: etag ? etag.replace(/^(W\/)?"(.*)"$/, '$1$2') : null };
  }

  /** Streams a body into a file; the length is announced so no server stores a truncated file. */
  async put(relative: string, body: Readable, size: number, mtime: number, signal?: AbortSignal): Promise<void> {
    const response = await this.transport.send({
      method: 'PUT',
      url: this.urlOf(relative),
      // X-OC-Mtime: the modification time, for servers that keep it (Nextcloud, Cumulus, rclone).
      headers: { 'content-length': String(size), 'x-oc-mtime': String(Math.floor(mtime / 1000)) },
      body,
      signal,
      doing: `uploading ${relative}`,
    });
    response.body.resume();
  }

  async mkcol(relative: string, signal?: AbortSignal): Promise<void> {
    // An existing folder answers 405 (RFC 4918 section 9.3.1).
    const response = await this.transport.send(
      { method: 'MKCOL', url: this.urlOf(relative, true), signal, doing: `creating ${relative}` },
      [405],
    );
    response.body.resume();
  }

  async delete(relative: string, isFolder: boolean, signal?: AbortSignal): Promise<void> {
    const response = await this.transport.send(
      { method: 'DELETE', url: this.urlOf(relative, isFolder), signal, doing: `deleting ${relative}` },
      [404],
    );
    response.body.resume();
  }

  /** Renames without replacing (Overwrite: F, RFC 4918 section 10.6). */
  async move(from: string, to: string, signal?: AbortSignal): Promise<void> {
    const response = await this.transport.send({
      method: 'MOVE',
      url: this.urlOf(from),
      headers: { destination: this.urlOf(to).href, overwrite: 'F' },
      signal,
      doing: `renaming ${from}`,
    });
    response.body.resume();
  }

  private async propfind(relative: string, depth: '0' | '1' | 'infinity', signal?: AbortSignal, missingOk = false) {
    const response = await this.transport.send(
      {
        method: 'PROPFIND',
        url: this.urlOf(relative, relative !== '' && depth !== '0'),
        headers: { depth, 'content-type': 'application/xml; charset=utf-8' },
        body: PROPFIND_BODY,
        signal,
        doing: `listing ${relative || '/'}`,
      },
      missingOk ? [404] : [],
    );
    if (response.statusCode === 404) {
      response.body.resume();
      return null;
    }
    if (response.statusCode !== 207) {
      response.body.resume();
      throw new UpstreamError(`The ${this.transport.label} answered HTTP ${response.statusCode} to PROPFIND, not a multistatus`);
    }
    const members: DavMember[] = parseMultistatus(await response.body.text());
    return members.flatMap((member) => {
      const relativePath = this.relativeOf(member.path);
      return relativePath === null ? [] : [{ ...member, path: relativePath }];
    });
  }

  /** A member's path relative to the base; null for one outside it. */
  private relativeOf(absolute: string): string | null {
    const path = absolute.replace(/\/+$/, '');
    const base = this.basePath.replace(/\/+$/, '');
    if (path === base) return '';
    return path.startsWith(`${base}/`) ? path.slice(base.length + 1) : null;
  }
}

function toItem(member: DavMember): RemoteItem {
  return { remotePath: member.path, isFolder: member.isCollection, etag: member.etag, size: member.size, mtime: member.modifiedAt };
}

function decodePath(pathname: string): string {
  return pathname
    .split('/')
    .map((segment) => decodeURIComponent(segment))
    .join('/');
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
