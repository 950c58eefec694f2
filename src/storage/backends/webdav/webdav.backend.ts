import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { BlobMissingError, type BlobBackend, type ByteRange, type StoredObject } from '../../backend.js';
import type { WebDavPolicySettings } from '../../policy-settings.js';
import { CountedSource } from '../counted-source.js';
import { probeBackend } from '../probe.js';
import { withTranslatedErrors } from '../translated-body.js';
import { DavFolders } from './folders.js';
import { LISTING_PROPFIND, parseMultistatus } from './multistatus.js';
import { DavTransport, type WebDavTimeouts } from './webdav-transport.js';

/** Folder under the root where writes land before MOVE publishes them; list() skips it. */
const TEMPORARY_FOLDER = '.cumulus-tmp';
/** Deepest folder walk list() makes; keys are two fan-out levels deep, so this is generous. */
const MAX_LIST_DEPTH = 32;

export interface WebDavBackendOptions {
  readonly timeouts?: WebDavTimeouts;
}

/**
 * Blobs as files on another WebDAV server (RFC 4918), under the policy's root folder. A put
 * streams into `.cumulus-tmp/<uuid>` and is then MOVEd over the key, so no partial object is
 * ever visible at a key; a write that fails leaves at most a temporary file, which
 * removeTemporaries() clears. Parent folders are created on demand (MKCOL) and remembered.
 * No redirect is followed (DavTransport).
 */
export class WebDavBackend implements BlobBackend {
  readonly type = 'webdav';
  private readonly base: URL;
  private readonly transport: DavTransport;
  private readonly folders: DavFolders;

  constructor(settings: WebDavPolicySettings, options: WebDavBackendOptions = {}) {
    const server = baseUrl(settings.url, '');
    this.base = baseUrl(settings.url, settings.root);
    this.transport = new DavTransport(this.base, settings, options.timeouts);
    this.folders = new DavFolders(this.transport, this.base, server.pathname.split('/').filter((s) => s !== '').length);
  }

  async put(key: string, source: Readable, options: { signal?: AbortSignal } = {}): Promise<number> {
    const { signal } = options;
    signal?.throwIfAborted();
    const temporary = `${TEMPORARY_FOLDER}/${randomUUID()}`;
    await this.folders.ensureParentsOf(temporary, { what: 'storing an object', key });
    const counted = new CountedSource(source);
    try {
      const written = await this.transport.send({
        method: 'PUT',
        url: this.urlOf(temporary),
        body: counted.body,
        signal,
        doing: { what: 'storing an object', key },
      });
      written.body.resume();
      await this.folders.ensureParentsOf(key, { what: 'storing an object', key });
      await this.moveInto(temporary, key);
      return counted.bytes;
    } catch (error) {
      counted.release();
      await this.discard(temporary);
      if (signal?.aborted) throw signal.reason;
      throw counted.sourceError ?? error;
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const doing = { what: 'reading an object', key };
    const response = await this.transport.send(
      { method: 'GET', url: this.urlOf(key), headers: range ? { range: `bytes=${range.start}-${range.end}` } : {}, doing },
      [404],
    );
    if (response.statusCode === 404) {
      response.body.resume();
      throw new BlobMissingError(key);
    }
    if (range && response.statusCode !== 206) {
      response.body.destroy();
      throw this.transport.statusError(response.statusCode, { ...doing, what: `${doing.what} (it ignored the Range header)` });
    }
    return withTranslatedErrors(response.body, (error) => this.transport.translate(error, doing));
  }

  async stat(key: string): Promise<{ size: number } | null> {
    const response = await this.transport.send(
      { method: 'HEAD', url: this.urlOf(key), doing: { what: 'looking up an object', key } },
      [404],
    );
    response.body.resume();
    if (response.statusCode === 404) return null;
    return { size: Number(response.headers['content-length'] ?? 0) };
  }

  async delete(key: string): Promise<void> {
    const response = await this.transport.send(
      { method: 'DELETE', url: this.urlOf(key), doing: { what: 'deleting an object', key } },
      [404],
    );
    response.body.resume();
  }

  async *list(): AsyncIterable<StoredObject> {
    yield* this.walk('', 0);
  }

  async copy(from: string, to: string): Promise<void> {
    await this.folders.ensureParentsOf(to, { what: 'copying an object', key: from });
    const response = await this.transport.send(
      {
        method: 'COPY',
        url: this.urlOf(from),
        headers: { destination: this.urlOf(to).href, overwrite: 'T' },
        doing: { what: 'copying an object', key: from },
      },
      [404],
    );
    response.body.resume();
    if (response.statusCode === 404) throw new BlobMissingError(from);
  }

  async removeTemporaries(olderThan: number): Promise<number> {
    let removed = 0;
    for (const member of await this.members(TEMPORARY_FOLDER, [404])) {
      if (member.isCollection || member.modifiedAt >= olderThan) continue;
      await this.delete(`${TEMPORARY_FOLDER}/${member.name}`);
      removed++;
    }
    return removed;
  }

  async probe(): Promise<void> {
    await probeBackend(this, this.transport.label);
  }

  async close(): Promise<void> {
    await this.transport.close();
  }

  private async moveInto(temporary: string, key: string): Promise<void> {
    const move = () =>
      this.transport.send(
        {
          method: 'MOVE',
          url: this.urlOf(temporary),
          headers: { destination: this.urlOf(key).href, overwrite: 'T' },
          doing: { what: 'storing an object', key },
        },
        [409],
      );
    let response = await move();
    response.body.resume();
    if (response.statusCode === 409) {
      // A parent folder we remembered was removed on the server: make it again, once.
      this.folders.forget();
      await this.folders.ensureParentsOf(key, { what: 'storing an object', key });
      response = await move();
      response.body.resume();
      if (response.statusCode === 409) throw this.transport.statusError(409, { what: 'storing an object', key });
    }
  }

  /** Best effort: the temporary file of a failed write (the server may be the thing that failed). */
  private async discard(temporary: string): Promise<void> {
    await this.delete(temporary).catch(() => undefined);
  }

  private async *walk(folder: string, depth: number): AsyncIterable<StoredObject> {
    if (depth > MAX_LIST_DEPTH) return;
    for (const member of await this.members(folder, depth === 0 ? [404] : [])) {
      const key = folder === '' ? member.name : `${folder}/${member.name}`;
      if (member.isCollection) {
        if (key !== TEMPORARY_FOLDER) yield* this.walk(key, depth + 1);
      } else {
        yield { key, size: member.size, modifiedAt: member.modifiedAt };
      }
    }
  }

  /** The folder's direct members (PROPFIND Depth 1), each with its own name; none when `accept`ed 404. */
  private async members(folder: string, accept: readonly number[]) {
    const url = folder === '' ? this.base : new URL(`${this.urlOf(folder).href}/`);
    const response = await this.transport.send(
      {
        method: 'PROPFIND',
        url,
        headers: { depth: '1', 'content-type': 'application/xml; charset=utf-8' },
        body: LISTING_PROPFIND,
        doing: { what: 'listing objects' },
      },
      accept,
    );
    const xml = await response.body.text();
    if (response.statusCode === 404) return [];
    const own = decodeURIComponent(url.pathname).replace(/\/+$/, '');
    return parseMultistatus(xml).flatMap((member) => {
      const path = member.path.replace(/\/+$/, '');
      const slash = path.lastIndexOf('/');
      if (path === own || path.slice(0, slash) !== own) return []; // the folder itself, or not a direct member
      return [{ ...member, name: path.slice(slash + 1) }];
    });
  }

  private urlOf(key: string): URL {
    if (key.split('/').some((part) => part === '' || part === '.' || part === '..')) {
      throw new Error(`Invalid blob key ${JSON.stringify(key)}`);
    }
    return new URL(key.split('/').map(encodeURIComponent).join('/'), this.base);
  }
}

/** The root folder's URL, with a trailing slash: the server URL's path, then `root` below it. */
export function baseUrl(url: string, root: string): URL {
  const base = new URL(url);
  base.username = '';
  base.password = '';
  base.search = '';
  base.hash = '';
  const segments = [...base.pathname.split('/'), ...root.split('/')].filter((segment) => segment !== '');
  base.pathname = `/${segments.map((segment) => encodeURIComponent(decodeURIComponent(segment))).join('/')}${segments.length ? '/' : ''}`;
  return base;
}
