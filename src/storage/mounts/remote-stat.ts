import { SourceRefusedError, type SourceStat } from './mount-source.js';

/**
 * How long a remote folder's listing is trusted (S3 and WebDAV folders have no modification
 * time that changes with their names): an older one is read again when someone asks for it.
 */
export const REMOTE_RESCAN_MS = 5_000;

/**
 * A remote file's state from what the store reports: its ETag is the identity, and its time is
 * kept to the second, the precision every answer has (S3 HeadObject and WebDAV
 * getlastmodified are HTTP dates), so a listing and a lookup of the same version agree.
 */
export function remoteFileStat(size: number, modified: Date | number | undefined, etag: string | undefined): SourceStat {
  const ms = modified === undefined ? 0 : typeof modified === 'number' ? modified : modified.getTime();
  const mtimeMs = Math.floor((Number.isNaN(ms) ? 0 : ms) / 1000) * 1000;
  return { kind: 'file', size, mtimeMs, mtimeNs: (BigInt(mtimeMs) * 1_000_000n).toString(), identity: plainEtag(etag) };
}

/** A remote folder: no identity of its own; its time is when it was first seen. */
export function folderStat(mtimeMs = Date.now()): SourceStat {
  return { kind: 'folder', size: 0, mtimeMs, mtimeNs: (BigInt(Math.trunc(mtimeMs)) * 1_000_000n).toString(), identity: '' };
}

/** The store's ETag inside a sourceTag (`identity-size-mtime`, the identity may hold dashes). */
export function identityOf(tag: string): string {
  return tag.split('-').slice(0, -2).join('-');
}

/** An ETag without its quotes and weakness mark, safe inside a sourceTag. */
function plainEtag(etag: string | undefined): string {
  return (etag ?? '').replace(/^W\//, '').replace(/"/g, '');
}

/** Names reach here validated (core/names.ts); a slash or a dot-dot would reach another key. */
export function assertPlainNames(names: readonly string[]): void {
  for (const name of names) {
    if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
      throw new SourceRefusedError(`Not a plain name: ${JSON.stringify(name)}`);
    }
  }
}
