import type { Entry } from '../../core/index.js';
import type { DeadProperty } from '../../vfs/index.js';
import { activeLocksXml, parseFragment, supportedLockXml, type ActiveLock, type PropContent } from '../xml/index.js';
import { contentTypeOf } from './mime.js';

export const DAV = 'DAV:';
export const MS = 'urn:schemas-microsoft-com:';
export const OC = 'http://owncloud.org/ns';
export const NC = 'http://nextcloud.org/ns';

/**
 * ownCloud's file id as its clients see it (`oc:id`, the PUT's `OC-FileID`): the numeric id
 * padded to 8 digits and an instance id, which the client compares as an opaque string.
 */
export function ocFileId(entry: Pick<Entry, 'id'>): string {
  return `${String(entry.id).padStart(8, '0')}occumulus`;
}

/** What computing properties for a batch of entries may look up, fetched once per batch. */
export interface PropertyScope {
  locksOf(entry: Entry): ActiveLock[];
  deadOf(entry: Entry): readonly DeadProperty[];
  /** Bytes used and still available in the principal's quota (RFC 4331). */
  readonly quota: { used: number; available: number };
  /** The view is read-only (a read-only WebDAV account): ownCloud permissions say so. */
  readonly readOnly: boolean;
}

export interface LiveProperty {
  readonly ns: string;
  readonly name: string;
  /** Returned by allprop (RFC 4918 9.1: the cheap properties this RFC defines). */
  readonly allprop: boolean;
  /** PROPPATCH may not set or remove it (403 cannot-modify-protected-property). */
  readonly protected: boolean;
  /** The value, or undefined where the property does not apply (a folder's length). */
  value(entry: Entry, scope: PropertyScope): PropContent | undefined;
}

export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

/** ISO 8601 ending in Z, which Windows 7+ requires for creationdate. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const text = (value: string): PropContent => ({ text: value });
const isFile = (entry: Entry) => entry.kind === 'file';

/** Dead value if the client stored one, else the computed default (Windows sets these). */
function deadOr(ns: string, name: string, fallback: (entry: Entry) => string) {
  return (entry: Entry, scope: PropertyScope): PropContent => {
    const stored = scope.deadOf(entry).find((p) => p.ns === ns && p.name === name);
    return stored ? { element: parseFragment(stored.value) } : text(fallback(entry));
  };
}

/** RFC 4918 section 15, RFC 4331, and the Windows and ownCloud properties clients use. */
export const LIVE_PROPERTIES: readonly LiveProperty[] = [
  {
    ns: DAV,
    name: 'resourcetype',
    allprop: true,
    protected: true,
    value: (e) => (isFile(e) ? text('') : { xml: '<D:collection/>' }),
  },
  { ns: DAV, name: 'getcontentlength', allprop: true, protected: true, value: (e) => (isFile(e) ? text(String(e.size)) : undefined) },
  { ns: DAV, name: 'getcontenttype', allprop: true, protected: true, value: (e) => (isFile(e) ? text(contentTypeOf(e.name)) : undefined) },
  { ns: DAV, name: 'getetag', allprop: true, protected: true, value: (e) => text(`"${e.etag}"`) },
  { ns: DAV, name: 'getlastmodified', allprop: true, protected: false, value: (e) => text(httpDate(e.mtime)) },
  { ns: DAV, name: 'creationdate', allprop: true, protected: true, value: (e) => text(isoDate(e.ctime)) },
  { ns: DAV, name: 'displayname', allprop: true, protected: false, value: deadOr(DAV, 'displayname', (e) => e.name) },
  { ns: DAV, name: 'supportedlock', allprop: true, protected: true, value: () => ({ xml: supportedLockXml() }) },
  { ns: DAV, name: 'lockdiscovery', allprop: true, protected: true, value: (e, s) => ({ xml: activeLocksXml(s.locksOf(e)) }) },
  { ns: DAV, name: 'quota-available-bytes', allprop: false, protected: true, value: (_e, s) => text(String(s.quota.available)) },
  { ns: DAV, name: 'quota-used-bytes', allprop: false, protected: true, value: (_e, s) => text(String(s.quota.used)) },
  { ns: MS, name: 'Win32LastModifiedTime', allprop: false, protected: false, value: (e) => text(httpDate(e.mtime)) },
  { ns: MS, name: 'Win32CreationTime', allprop: false, protected: false, value: deadOr(MS, 'Win32CreationTime', (e) => httpDate(e.ctime)) },
  {
    ns: MS,
    name: 'Win32LastAccessTime',
    allprop: false,
    protected: false,
    value: deadOr(MS, 'Win32LastAccessTime', (e) => httpDate(e.mtime)),
  },
  {
    ns: MS,
    name: 'Win32FileAttributes',
    allprop: false,
    protected: false,
    value: deadOr(MS, 'Win32FileAttributes', (e) => (isFile(e) ? '00000020' : '00000010')),
  },
  {
    ns: OC,
    name: 'checksums',
    allprop: false,
    protected: true,
    value: (e) => (e.sha1 ? { xml: `<oc:checksum>SHA1:${e.sha1}</oc:checksum>` } : undefined),
  },
  { ns: OC, name: 'fileid', allprop: false, protected: true, value: (e) => text(String(e.id)) },
  // On folders the stored size (not a sum of the subtree, which would cost a walk per entry).
  { ns: OC, name: 'size', allprop: false, protected: true, value: (e) => text(String(e.size)) },
  { ns: OC, name: 'permissions', allprop: false, protected: true, value: (e, s) => text(ocPermissions(e, s.readOnly)) },
  { ns: OC, name: 'id', allprop: false, protected: true, value: (e) => text(ocFileId(e)) },
  // Nextcloud clients ask for these on every entry; the answers say "nothing special here".
  { ns: OC, name: 'share-types', allprop: false, protected: true, value: () => text('') },
  { ns: OC, name: 'data-fingerprint', allprop: false, protected: true, value: () => text('') },
  { ns: NC, name: 'is-encrypted', allprop: false, protected: true, value: (e) => (isFile(e) ? undefined : text('0')) },
  { ns: NC, name: 'has-preview', allprop: false, protected: true, value: (e) => text(String(isFile(e) && hasPreview(e.name))) },
];

/**
 * ownCloud's permission letters (G read, D delete, N rename, V move, W write a file, C create
 * a file and K a folder in a folder; R would offer resharing, which is done in the web UI).
 * The client greys out, and never tries, what is not listed.
 */
function ocPermissions(entry: Entry, readOnly: boolean): string {
  if (readOnly) return 'G';
  return isFile(entry) ? 'GDNVW' : 'GDNVCK';
}

function hasPreview(name: string): boolean {
  return /^(image|video)\//.test(contentTypeOf(name));
}

const BY_KEY = new Map(LIVE_PROPERTIES.map((p) => [`${p.ns} ${p.name}`, p]));

export function liveProperty(ns: string, name: string): LiveProperty | undefined {
  return BY_KEY.get(`${ns} ${name}`);
}

/**
 * Properties whose PROPPATCH sets the modification time instead of being stored:
 * getlastmodified (RFC 1123), Win32LastModifiedTime (RFC 1123), and rclone's
 * DAV:lastmodified (Unix seconds).
 */
export function mtimeFromProperty(ns: string, name: string, value: string): number | undefined {
  const trimmed = value.trim();
  if ((ns === DAV && name === 'getlastmodified') || (ns === MS && name === 'Win32LastModifiedTime')) {
    const ms = Date.parse(trimmed);
    return Number.isNaN(ms) ? Number.NaN : ms;
  }
  if (ns === DAV && name === 'lastmodified') {
    if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
    const ms = Date.parse(trimmed);
    return Number.isNaN(ms) ? Number.NaN : ms;
  }
  return undefined;
}
