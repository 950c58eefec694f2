import path from 'node:path';
import type { Listing, RemoteItem } from './sync.types.js';

/** The NFC form of a relative path: the key of state rows and listings (issue 13 item 2). */
export const nfc = (relative: string): string => relative.normalize('NFC');

export const parentOfPath = (relative: string): string => relative.slice(0, Math.max(0, relative.lastIndexOf('/')));

/** Whether `inner` is `outer` or lies below it. */
export const isWithinPath = (inner: string, outer: string): boolean => inner === outer || inner.startsWith(`${outer}/`);

/**
 * Whether an exclude pattern matches a path or one of its folders: a pattern without a slash
 * matches a name at any depth (`*.tmp`, `.DS_Store`), one with a slash the whole relative path.
 */
export function isExcluded(relative: string, patterns: readonly string[]): boolean {
  if (patterns.length === 0) return false;
  const names = relative.split('/');
  for (const pattern of patterns) {
    if (pattern.includes('/')) {
      const bare = pattern.replace(/^\//, '');
      for (let i = 1; i <= names.length; i++) if (path.posix.matchesGlob(names.slice(0, i).join('/'), bare)) return true;
    } else if (names.some((name) => path.posix.matchesGlob(name, pattern))) return true;
  }
  return false;
}

/**
 * A remote listing keyed by NFC. Two remote names that are one name once normalised (an NFC
 * and an NFD spelling side by side) are reported and left out, with everything below them.
 */
export function indexRemote(items: Iterable<RemoteItem>, complete: boolean): Listing<RemoteItem> {
  const byKey = new Map<string, RemoteItem[]>();
  for (const item of items) {
    const key = nfc(item.remotePath);
    const list = byKey.get(key);
    if (list) list.push(item);
    else byKey.set(key, [item]);
  }
  const collisions: string[][] = [];
  for (const [, list] of byKey) if (list.length > 1) collisions.push(list.map((item) => item.remotePath).sort());
  const collided = collisions.map((group) => nfc(group[0]!));
  const map = new Map<string, RemoteItem>();
  for (const [key, list] of byKey) {
    if (collided.some((prefix) => isWithinPath(key, prefix))) continue;
    map.set(key, list[0]!);
  }
  return { items: map, complete, collisions };
}

/**
 * `name (conflict YYYY-MM-DD HHMMSS).ext` (UTC), numbered ` 2`, ` 3`, ... when `taken` says the
 * name is in use on either side.
 */
export function conflictPath(relative: string, at: number, taken: (candidate: string) => boolean): string {
  const folder = parentOfPath(relative);
  const name = folder ? relative.slice(folder.length + 1) : relative;
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  const iso = new Date(at).toISOString();
  const stamp = `${iso.slice(0, 10)} ${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
  for (let n = 1; ; n++) {
    const candidate = `${stem} (conflict ${stamp}${n > 1 ? ` ${n}` : ''})${ext}`;
    const full = folder ? `${folder}/${candidate}` : candidate;
    if (!taken(full)) return full;
  }
}
