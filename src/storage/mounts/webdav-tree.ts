import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { ByteRange } from '../backend.js';
import type { WebDavPolicySettings } from '../policy-settings.js';
import { withTranslatedErrors } from '../backends/translated-body.js';
import { TREE_PROPFIND, parseMultistatus, type DavMember } from '../backends/webdav/multistatus.js';
import { DavTransport } from '../backends/webdav/webdav-transport.js';
import { baseUrl } from '../backends/webdav/webdav.backend.js';
import { TEMP_NAME } from './local-dir.js';
import {
  SourceChangedError,
  SourceMissingError,
  SourceRefusedError,
  type MountSource,
  type SourceChild,
  type SourceStat,
  type SourceWriteOptions,
} from './mount-source.js';
import { REMOTE_RESCAN_MS, assertPlainNames, folderStat, identityOf, remoteFileStat } from './remote-stat.js';

/**
 * A folder on another WebDAV server as a mount source (issue 11 item 6): the remote server is
 * the truth, its getetag is a file's identity. A write PUTs to a temporary name in the same
 * folder (never listed) and MOVEs it over the name, so readers see the old file or the new.
 * Modification times are the server's (setMtime changes nothing). No redirect is followed
 * (DavTransport).
 */
export class WebDavTreeSource implements MountSource {
  readonly rescanAfterMs = REMOTE_RESCAN_MS;
  private readonly base: URL;
  private readonly transport: DavTransport;

  constructor(settings: WebDavPolicySettings, mountPrefix: string) {
    this.base = baseUrl(settings.url, `${settings.root}/${mountPrefix}`);
    this.transport = new DavTransport(this.base, settings);
  }

  async stat(names: readonly string[]): Promise<SourceStat | null> {
    const response = await this.propfind(this.url(names), '0', [404]);
    if (!response) return null;
    const own = response[0];
    return own ? toStat(own) : null;
  }

  async list(names: readonly string[]): Promise<{ self: SourceStat; children: SourceChild[] }> {
    const url = this.url(names, true);
    const members = await this.propfind(url, '1', [404]);
    if (!members) throw new SourceMissingError(`No folder ${url.pathname} on the ${this.transport.label}`);
    const own = decodeURIComponent(url.pathname).replace(/\/+$/, '');
    const children: SourceChild[] = [];
    for (const member of members) {
      const path = member.path.replace(/\/+$/, '');
      const slash = path.lastIndexOf('/');
      if (path === own || path.slice(0, slash) !== own) continue; // the folder itself, or not a direct member
      const name = path.slice(slash + 1);
      if (!TEMP_NAME.test(name)) children.push({ name, stat: toStat(member) });
    }
    return { self: folderStat(), children };
  }

  async read(names: readonly string[], range?: ByteRange, expect?: string): Promise<Readable> {
    const doing = `reading ${names.join('/')}`;
    const response = await this.transport.send(
      { method: 'GET', url: this.url(names), headers: range ? { range: `bytes=${range.start}-${range.end}` } : {}, doing },
      [404],
    );
    const etag = String(response.headers.etag ?? '')
      .replace(/^W\//, '')
      .replace(/"/g, '');
    const refusal =
      response.statusCode === 404
        ? new SourceMissingError(`No file ${names.join('/')}`)
        : range && response.statusCode !== 206
          ? this.transport.statusError(response.statusCode, `${doing} (it ignored the Range header)`)
          : expect !== undefined && etag !== '' && identityOf(expect) !== '' && etag !== identityOf(expect)
            ? new SourceChangedError('The file changed on the remote server')
            : null;
    if (refusal) {
      response.body.destroy();
      throw refusal;
    }
    return withTranslatedErrors(response.body, (error) => this.transport.translate(error, doing));
  }

  async write(names: readonly string[], body: Readable, options: SourceWriteOptions = {}): Promise<SourceStat> {
    const doing = `storing ${names.join('/')}`;
    if ((await this.stat(names))?.kind === 'folder') throw new SourceRefusedError('A folder has this name');
    const temporary = [...names.slice(0, -1), `.cumulus-${randomBytes(8).toString('hex')}.tmp`];
    try {
      const put = await this.transport.send({ method: 'PUT', url: this.url(temporary), body, signal: options.signal, doing }, [409]);
      put.body.resume();
      if (put.statusCode === 409) throw new SourceMissingError('The folder is gone from the remote server');
      options.beforeCommit?.();
      await this.moveTo(temporary, names, doing);
    } catch (error) {
      await this.transport
        .send({ method: 'DELETE', url: this.url(temporary), doing }, [404])
        .then((answer) => answer.body.resume())
        .catch(() => undefined);
      throw error;
    }
    const stat = await this.stat(names);
    if (!stat) throw new SourceChangedError('The file was removed as soon as it was written');
    return stat;
  }

  async mkdir(names: readonly string[]): Promise<SourceStat> {
    // Not every server answers 405 for a folder that exists (RFC 4918 section 9.3.1).
    if (await this.stat(names)) throw Object.assign(new Error('Exists'), { code: 'EEXIST' });
    const response = await this.transport.send({ method: 'MKCOL', url: this.url(names, true), doing: 'making a folder' }, [405, 409]);
    response.body.resume();
    if (response.statusCode === 405) throw Object.assign(new Error('Exists'), { code: 'EEXIST' });
    if (response.statusCode === 409) throw new SourceMissingError('The parent folder is gone from the remote server');
    return folderStat();
  }

  async remove(names: readonly string[]): Promise<void> {
    const response = await this.transport.send({ method: 'DELETE', url: this.url(names), doing: `deleting ${names.join('/')}` }, [404]);
    response.body.resume();
    if (response.statusCode === 404) throw new SourceMissingError(`No file or folder ${names.join('/')}`);
  }

  async rename(from: readonly string[], to: readonly string[]): Promise<SourceStat> {
    await this.moveTo(from, to, `moving ${from.join('/')}`);
    const stat = await this.stat(to);
    if (!stat) throw new SourceChangedError('The item was removed as soon as it was moved');
    return stat;
  }

  async setMtime(names: readonly string[]): Promise<SourceStat> {
    const stat = await this.stat(names);
    if (!stat) throw new SourceMissingError('No such file or folder');
    return stat;
  }

  async close(): Promise<void> {
    await this.transport.close();
  }

  private async moveTo(from: readonly string[], to: readonly string[], doing: string): Promise<void> {
    const response = await this.transport.send(
      { method: 'MOVE', url: this.url(from), headers: { destination: this.url(to).href, overwrite: 'T' }, doing },
      [404, 409],
    );
    response.body.resume();
    if (response.statusCode >= 400) throw new SourceMissingError('A file or folder on the way is gone from the remote server');
  }

  /** PROPFIND; null when the server answered one of `missing`. */
  private async propfind(url: URL, depth: '0' | '1', missing: readonly number[]): Promise<DavMember[] | null> {
    const response = await this.transport.send(
      {
        method: 'PROPFIND',
        url,
        headers: { depth, 'content-type': 'application/xml; charset=utf-8' },
        body: TREE_PROPFIND,
        doing: `listing ${decodeURIComponent(url.pathname)}`,
      },
      missing,
    );
    const xml = await response.body.text();
    if (missing.includes(response.statusCode)) return null;
    return parseMultistatus(xml);
  }

  private url(names: readonly string[], folder = false): URL {
    assertPlainNames(names);
    if (names.length === 0) return new URL(this.base);
    return new URL(names.map(encodeURIComponent).join('/') + (folder ? '/' : ''), this.base);
  }
}

function toStat(member: DavMember): SourceStat {
  return member.isCollection ? folderStat() : remoteFileStat(member.size, member.modifiedAt, member.etag ?? undefined);
}
