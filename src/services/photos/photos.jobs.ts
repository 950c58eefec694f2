import { formatPath, LockedError, type Entry, type Principal, type VPath } from '../../core/index.js';
import type { Database, EntryRepository, PhotoChange, PhotoLibraryRecord, PhotoLibraryRepository } from '../../db/index.js';
import { PermanentJobError, type JobContext, type JobRunner } from '../../jobs/index.js';
import type { Lookups, Vfs } from '../../vfs/index.js';
import { mountedTakenAt } from './mounted-date.js';
import { formatOf, type MediaService } from '../media/index.js';
import type { UserService } from '../users/user.service.js';
import { InProgress, isTemporaryName } from './in-progress.js';
import type { PhotoImporter } from './photo-import.js';
import { PHOTOS_RUN_JOB, type PhotoFeed, type PhotoTiming } from './photos.feed.js';

/** Marks taken per run; more are left for an immediate next run. */
const CHANGES_PER_RUN = 2000;
/** Files listed by name in a report (the counts are always exact). */
const LISTED = 200;

export interface PhotoRunReport {
  library: number;
  files: number;
  indexed: number;
  imported: number;
  duplicates: number;
  deferred: number;
  skipped: number;
  failed: number;
  importedFiles: Array<{ from: string; to: string }>;
  duplicateFiles: Array<{ path: string; of: string }>;
  deferredFiles: Array<{ path: string; why: string }>;
  failures: Array<{ path: string; error: string }>;
}

export interface PhotoJobParts {
  readonly database: Database;
  readonly libraries: PhotoLibraryRepository;
  readonly entries: EntryRepository;
  readonly users: UserService;
  readonly media: MediaService;
  readonly importer: PhotoImporter;
  readonly inProgress: InProgress;
  readonly lookups: Lookups;
  readonly vfs: Vfs;
  readonly feed: PhotoFeed;
  readonly timing: PhotoTiming;
  readonly clock: () => number;
}

/**
 * A library's run (issue 12): the files marked since the last run are indexed (metadata and
 * thumbnail, the media indexer's), and those in the import folder are imported. Files still
 * being written keep their mark and get another run a safety delay later. The queue runs one
 * run per library at a time across every process (its dedupe key), so a file is imported once.
 */
export class PhotoJobs {
  constructor(private readonly parts: PhotoJobParts) {}

  register(runner: JobRunner): void {
    runner.register(PHOTOS_RUN_JOB, async (job, context) => {
      const payload = job.payload as { libraryId?: unknown } | null;
      if (typeof payload?.libraryId !== 'number') throw new PermanentJobError('A photos.library job needs {libraryId}');
      return this.run(payload.libraryId, context);
    });
  }

  async run(libraryId: number, context: JobContext): Promise<PhotoRunReport | { library: number; gone: true }> {
    const { database, libraries, users } = this.parts;
    const library = await database.read((db) => libraries.byId(db, libraryId));
    if (!library) return { library: libraryId, gone: true };
    const principal = await users.principalFor(await users.get(library.userId));
    const changes = await database.read((db) => libraries.changes(db, library.id, CHANGES_PER_RUN));
    const report = emptyReport(library.id);
    const done: PhotoChange[] = [];
    const deferred: number[] = [];
    let step = 0;
    for (const change of changes) {
      await context.progress(step++ / changes.length, `library ${library.id}: ${step} of ${changes.length} changes`);
      const files = await this.filesOf(change.entryId);
      let busy = false;
      for (const entry of files) {
        const outcome = await this.process(principal, library, entry, report);
        if (outcome === 'busy') busy = true;
      }
      if (busy) deferred.push(change.entryId);
      else done.push(change);
    }
    const now = this.parts.clock();
    await database.transaction(async (tx) => {
      await libraries.settle(tx, library.id, done);
      await libraries.defer(tx, library.id, deferred, now);
    });
    // Busy files wait a safety delay; marks beyond this run's share go at once.
    if (deferred.length > 0) await this.parts.feed.schedule(library.id, now + this.parts.timing.safetyDelayMs);
    if (changes.length === CHANGES_PER_RUN) await this.parts.feed.schedule(library.id, now);
    await context.progress(1, `library ${library.id}: ${report.imported} imported, ${report.duplicates} duplicates`);
    return report;
  }

  /** The files a mark stands for: the file, or every file below a folder moved or copied in. */
  private async filesOf(entryId: number): Promise<Entry[]> {
    const { database, entries, libraries } = this.parts;
    return database.read(async (db) => {
      const entry = await entries.byId(db, entryId);
      if (!entry) return [];
      if (entry.kind === 'file') return [entry];
      const ids = await libraries.filesBelow(db, entry.id, CHANGES_PER_RUN);
      const found = await Promise.all(ids.map((id) => entries.byId(db, id)));
      return found.filter((file): file is Entry => file !== null);
    });
  }

  private async process(principal: Principal, library: PhotoLibraryRecord, entry: Entry, report: PhotoRunReport): Promise<'busy' | 'done'> {
    const above = await this.parts.database.read((db) => this.parts.entries.ancestry(db, entry.id));
    const ids = above.map((link) => link.id);
    // Moved out of the library since it was marked: nothing to do.
    if (!ids.includes(library.rootId) && (library.importId === null || !ids.includes(library.importId))) return 'done';
    const format = formatOf(entry.name);
    if (format === 'other' || format === 'pdf') return 'done';
    report.files++;
    if (isTemporaryName(entry.name)) {
      report.skipped++;
      return 'done';
    }
    let path: VPath = [];
    try {
      path = (await this.parts.lookups.find(principal, entry.id)).path;
      const why = await this.parts.inProgress.busy(principal, entry, path);
      if (why) {
        report.deferred++;
        if (report.deferredFiles.length < LISTED) report.deferredFiles.push({ path: formatPath(path), why });
        return 'busy';
      }
      const record = entry.blobId ? await this.parts.media.ensureIndexed(entry.blobId, entry.name) : null;
      if (record) report.indexed++;
      if (library.importId === null || !ids.includes(library.importId)) return 'done';
      const takenAt = record ? record.takenAt : await mountedTakenAt(this.parts.vfs, entry);
      const outcome = await this.parts.importer.import(principal, library, entry, path, takenAt ?? entry.mtime);
      if (outcome.type === 'imported') {
        report.imported++;
        if (report.importedFiles.length < LISTED) report.importedFiles.push({ from: formatPath(outcome.from), to: formatPath(outcome.to) });
      } else {
        report.duplicates++;
        if (report.duplicateFiles.length < LISTED)
          report.duplicateFiles.push({ path: formatPath(outcome.path), of: formatPath(outcome.of) });
      }
      return 'done';
    } catch (error) {
      if (error instanceof LockedError) {
        report.deferred++;
        return 'busy';
      }
      // One file's failure (a lock taken meanwhile, a read-only mount) does not stop the others.
      report.failed++;
      if (report.failures.length < LISTED) {
        report.failures.push({ path: formatPath(path), error: error instanceof Error ? error.message.slice(0, 300) : String(error) });
      }
      return 'done';
    }
  }
}

function emptyReport(library: number): PhotoRunReport {
  return {
    library,
    files: 0,
    indexed: 0,
    imported: 0,
    duplicates: 0,
    deferred: 0,
    skipped: 0,
    failed: 0,
    importedFiles: [],
    duplicateFiles: [],
    deferredFiles: [],
    failures: [],
  };
}
