import { InvalidNameError } from './errors.js';
import { MAX_PATH_DEPTH, normaliseName } from './names.js';

/**
 * A path inside a principal's view: a list of validated, NFC-normalised names from the
 * view's root. There is no way to spell "above the root" in this type, which is how the jail
 * holds by construction (DESIGN.md, decision 4).
 */
export type VPath = readonly string[];

export const ROOT: VPath = Object.freeze([]);

/**
 * Parses a decoded, slash-separated path ("/a/b/", "a/b"). Empty segments from leading,
 * trailing or doubled slashes are ignored; every other segment must be a valid name, so
 * "." and ".." are refused rather than resolved.
 */
export function parsePath(text: string): VPath {
  if (text.includes('\0')) throw new InvalidNameError('A path cannot contain NUL');
  const names = text
    .split('/')
    .filter((segment) => segment.length > 0)
    .map(normaliseName);
  if (names.length > MAX_PATH_DEPTH) {
    throw new InvalidNameError(`A path cannot be deeper than ${MAX_PATH_DEPTH} folders`);
  }
  return names;
}

export function formatPath(path: VPath): string {
  return '/' + path.join('/');
}

export function parentOf(path: VPath): VPath {
  return path.slice(0, -1);
}

export function baseName(path: VPath): string {
  return path[path.length - 1] ?? '';
}

export function childPath(path: VPath, name: string): VPath {
  return [...path, normaliseName(name)];
}

/** Whether `inner` is `outer` itself or lies below it. */
export function isWithin(inner: VPath, outer: VPath): boolean {
  return outer.length <= inner.length && outer.every((name, i) => inner[i] === name);
}
