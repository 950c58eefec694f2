import { InvalidNameError } from './errors.js';

/** Longest name in UTF-8 bytes; the common file-system limit, so a synced copy fits on disk. */
export const MAX_NAME_BYTES = 255;

/** Deepest path a client may name, in components. */
export const MAX_PATH_DEPTH = 256;

// C0 controls and DEL: no client can type them and several break on them; NUL never reaches
// a file system. A backslash is a separator to Windows clients (and some servers turn it into
// "/"), so a name holding one could not be reached from them. One rule for every surface:
// a name the API accepts is reachable over WebDAV and the other way round. Checked after NFC
// normalisation.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHARACTERS = /[\u0000-\u001f\u007f/\\]/;

/**
 * Validates one entry name and returns it normalised to NFC, so that the NFD names macOS
 * sends find the entries other clients created.
 */
export function normaliseName(raw: string): string {
  const name = raw.normalize('NFC');
  if (name.length === 0) throw new InvalidNameError('A name cannot be empty');
  if (name === '.' || name === '..') throw new InvalidNameError(`"${name}" is not a valid name`);
  const bad = FORBIDDEN_CHARACTERS.exec(name);
  if (bad) {
    const shown =
      bad[0] === '/' ? '"/"' : bad[0] === '\\' ? 'a backslash' : `U+${bad[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}`;
    throw new InvalidNameError(`A name cannot contain ${shown}`);
  }
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) {
    throw new InvalidNameError(`A name cannot be longer than ${MAX_NAME_BYTES} bytes in UTF-8`);
  }
  if (!name.isWellFormed()) {
    throw new InvalidNameError('A name cannot contain unpaired surrogates');
  }
  return name;
}

/**
 * Names that editors and Office give the files of a save in progress (webdav-clients.md
 * sections 3 and 0 "Safe save"): Office's owner files `~$name` and `~WRL0001.tmp`, LibreOffice's
 * `.~lock.name#` and `lu123.tmp`, partial downloads `.part`, vim's swap files, Emacs's `.#name`
 * and GNOME's `.goutputstream-XXXX`. Their deletes skip the trash and their overwrites keep no
 * version (issue 12): they are scaffolding, not documents.
 */
export function isTemporaryName(name: string): boolean {
  const lower = name.toLowerCase();
  return (
    lower.startsWith('~$') ||
    lower.startsWith('.~lock') ||
    lower.startsWith('.#') ||
    lower.startsWith('.goutputstream-') ||
    lower.endsWith('.tmp') ||
    lower.endsWith('.part') ||
    lower.endsWith('.swp') ||
    lower.endsWith('.swx')
  );
}
