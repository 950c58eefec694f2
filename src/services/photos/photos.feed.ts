import type { Entry } from '../../core/index.js';
import type { Database, EntryRepository, PhotoLibraryRepository } from '../../db/index.js';
import type { JobQueue } from '../../jobs/index.js';
import type { VfsEvent, VfsEvents } from '../../vfs/index.js';

export const PHOTOS_RUN_JOB = 'photos.library';

export interface PhotoTiming {
  /** Quiet time after the last write before a run (photos.safetyDelaySeconds). */
  readonly safetyDelayMs: number;
  /** The longest a run waits after the first change it will process (photos.maxDeferSeconds). */
  readonly maxDeferMs: number;
}

export const runKey = (libraryId: number): string => `${PHOTOS_RUN_JOB}:${libraryId}`;

/**
 * Marks what changed under a library (issue 12) from the vfs events of this process, whatever
 * surface wrote it (WebDAV, API, UI, sync, a mount's scanner), and (re)schedules the library's
 * run: `safetyDelayMs` after the latest change, but never later than `maxDeferMs` after the
 * first change not yet processed, so a trickle of uploads cannot put it off for ever. The
 * queue keeps one queued run per library (the dedupe key) and moves it only later.
 */
export class PhotoFeed {
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly database: Database,
    private readonly libraries: PhotoLibraryRepository,
    private readonly entries: EntryRepository,
    private readonly queue: JobQueue,
    private readonly timing: PhotoTiming,
    private readonly clock: () => number,
    private readonly warn: (error: unknown, message: string) => void,
  ) {}

  attach(events: VfsEvents): () => void {
    return events.on((event) => {
      const entry = changedEntry(event);
      if (!entry) return;
      const pending: Promise<unknown> = this.mark(entry)
        .catch((error: unknown) => this.warn(error, `could not mark entry ${entry.id} for its photo library`))
        .finally(() => this.inFlight.delete(pending));
      this.inFlight.add(pending);
    });
  }

  /** Resolves once every mark started so far has ended (shutdown and tests). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Marks the entry in the library it lies in (if any) and schedules that library's run. */
  async mark(entry: Entry): Promise<void> {
    // Reads first: a write under no library (the common case) costs one small query, no write transaction.
    const library = await this.database.read(async (db) => {
      const all = await this.libraries.list(db);
      if (all.length === 0) return null;
      const above = new Set((await this.entries.ancestry(db, entry.id)).map((link) => link.id));
      return all.find((candidate) => above.has(candidate.rootId) || (candidate.importId !== null && above.has(candidate.importId))) ?? null;
    });
    if (!library) return;
    const now = this.clock();
    const firstAt = await this.database.transaction((tx) => this.libraries.mark(tx, library.id, [entry.id], now));
    await this.schedule(library.id, Math.min(now + this.timing.safetyDelayMs, firstAt + this.timing.maxDeferMs));
  }

  /** Queues the library's run at `runAt`, or moves the queued one there if that is later. */
  async schedule(libraryId: number, runAt: number): Promise<void> {
    await this.queue.enqueue(
      PHOTOS_RUN_JOB,
      { libraryId },
      { dedupeKey: runKey(libraryId), onDuplicate: 'postpone', runAt, maxAttempts: 5 },
    );
  }
}

/** The entry whose content or place changed; folders created empty and deletions need no run. */
function changedEntry(event: VfsEvent): Entry | null {
  switch (event.type) {
    case 'file.written':
    case 'entry.moved':
    case 'entry.copied':
      return event.entry;
    default:
      return null;
  }
}
