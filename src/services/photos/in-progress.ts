import type { Entry, Principal, VPath } from '../../core/index.js';
import type { Database, UploadSessionRepository } from '../../db/index.js';
import type { Lookups } from '../../vfs/index.js';

/**
 * Names that editors and uploaders give files while they write them (see dav/junk.ts and
 * webdav-clients.md): partial downloads and uploads (`.part`, `.crdownload`), Office owner
 * files (`~$x`), LibreOffice locks (`.~lock.x#`), temporary saves (`*.tmp`), and Finder's
 * companions. Such a file is skipped; when it is renamed to its real name, that rename is a
 * change of its own and the next run takes it.
 */
export function isTemporaryName(name: string): boolean {
  const lower = name.toLowerCase();
  return (
    lower.endsWith('.part') ||
    lower.endsWith('.partial') ||
    lower.endsWith('.crdownload') ||
    lower.endsWith('.tmp') ||
    lower.startsWith('~$') ||
    lower.startsWith('.~lock') ||
    lower.startsWith('._') ||
    lower === '.ds_store'
  );
}

/**
 * Whether a file is still being written by someone: an open upload session whose placeholder
 * it is or whose target it is (an overwrite through the API), or a WebDAV lock on it (a client
 * that locks, writes and unlocks). A PUT in progress has no entry yet (the entry appears at
 * its commit, whole); one that replaces a file leaves the old, complete content until then.
 */
export class InProgress {
  constructor(
    private readonly database: Database,
    private readonly sessions: UploadSessionRepository,
    private readonly lookups: Lookups,
    private readonly clock: () => number,
  ) {}

  async busy(principal: Principal, entry: Entry, path: VPath): Promise<string | null> {
    const now = this.clock();
    const session = await this.database.read(async (db) => {
      const byPlaceholder = await this.sessions.byPlaceholders(db, [entry.id], now);
      if (byPlaceholder.size > 0) return true;
      const open = await this.sessions.openFor(db, principal.userId, now);
      const target = JSON.stringify(path);
      return open.some((candidate) => JSON.stringify(candidate.path) === target);
    });
    if (session) return 'an upload session is open';
    const locks = await this.lookups.locksOn(principal, path, { rename: false, subtree: false });
    return locks.length > 0 ? 'it is locked' : null;
  }
}
