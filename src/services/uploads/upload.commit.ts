import {
  AlreadyExistsError,
  ConflictError,
  IntegrityError,
  IsAFolderError,
  NotAFolderError,
  NotFoundError,
  type Entry,
  type Principal,
} from '../../core/index.js';
import type { Database, UploadSessionRecord, UploadSessionRepository } from '../../db/index.js';
import { ChunkMissingError, type ChunkStore } from '../../storage/index.js';
import type { Vfs } from '../../vfs/index.js';
import { UploadSessionNotFoundError, UploadStillCompletingError } from './upload.errors.js';
import { checkPlaceholder } from './upload.placeholder.js';

export interface CommitOptions {
  readonly clock: () => number;
  /** How long the node assembling a file may go without renewing its claim before another may take over. */
  readonly leaseMs: number;
  readonly warn: (error: unknown, message: string) => void;
  /** How long (by `clock`) a chunk of a session being assembled waits for the outcome before it is answered as still pending. */
  readonly waitMs: number;
  /** How often that wait looks at the session row, which another node may be completing. */
  readonly pollMs: number;
}

/** How a commit that another request held ended, as far as a chunk waiting on it is concerned. */
export type CommitOutcome = 'completed' | 'reopened';

/** Failures after which the session can never complete: its target is gone, taken, or a folder now. */
const FINAL_FAILURES = [NotFoundError, NotAFolderError, AlreadyExistsError, IsAFolderError, ConflictError];

/**
 * Assembles a file from its chunks (contract 15.3: completion is implicit). The chunks stream
 * through one vfs write, which makes the content durable before one transaction points the
 * entry at it: readers see the old content (or the empty placeholder) until the new one is
 * whole, and an overwrite keeps the entry's id. Whoever stored the last chunk claims the
 * session with a lease first, so the file is assembled once even when several nodes receive
 * the last chunks at the same moment.
 */
export class UploadCommitter {
  /** Commits running in this process, by session id, so a chunk waiting on one learns its real failure. */
  private readonly running = new Map<string, Promise<Entry>>();

  constructor(
    private readonly database: Database,
    private readonly sessions: UploadSessionRepository,
    private readonly vfs: Vfs,
    private readonly chunks: ChunkStore,
    private readonly options: CommitOptions,
  ) {}

  /** Whether another request holds a live claim on the session (it is being assembled right now). */
  leased(session: UploadSessionRecord): boolean {
    return session.committingAt !== null && session.committingAt >= this.options.clock() - this.options.leaseMs;
  }

  /** The new entry; null when someone else is assembling the file already, or has completed it. */
  async commit(principal: Principal, session: UploadSessionRecord & { chunkCount: number }): Promise<Entry | null> {
    const { clock, leaseMs } = this.options;
    const claimedAt = clock();
    if (!(await this.database.transaction((tx) => this.sessions.claim(tx, session.id, claimedAt, claimedAt - leaseMs)))) return null;
    const running = this.assemble(principal, session);
    this.running.set(session.id, running);
    try {
      return await running;
    } finally {
      this.running.delete(session.id);
    }
  }

  /**
   * Contract 15.7: waits until the commit another request holds on the session ends, for at
   * most `waitMs`, looking at the session row (the commit may run on another node) and at
   * the commit itself when it runs here. 'completed' when the file is in place; 'reopened'
   * when the commit failed and gave the session back, so the caller may complete it again.
   * Throws the commit's failure when it ended the session here (UploadSessionNotFound when
   * it did so elsewhere), and UploadStillCompleting when it is still running at the end.
   */
  async outcome(sessionId: string): Promise<CommitOutcome> {
    const { clock, waitMs, pollMs } = this.options;
    const deadline = clock() + waitMs;
    let local: Promise<Entry> | undefined;
    for (;;) {
      // Kept once seen: the commit leaves the map as soon as it settles.
      local = this.running.get(sessionId) ?? local;
      const session = await this.database.read((db) => this.sessions.byId(db, sessionId));
      if (!session) {
        // A commit here that failed for good deleted the row: its failure is the answer.
        if (local) {
          await local;
          return 'completed';
        }
        throw new UploadSessionNotFoundError(
          'This upload ended without completing while its last chunk was being sent again (its file could not be assembled, or it was cancelled); start the upload again',
        );
      }
      if (session.completedAt !== null) return 'completed';
      if (!this.leased(session)) return 'reopened';
      if (clock() >= deadline) throw new UploadStillCompletingError();
      await settledOrAfter(local, pollMs);
    }
  }

  private async assemble(principal: Principal, session: UploadSessionRecord & { chunkCount: number }): Promise<Entry> {
    const { clock, leaseMs, warn } = this.options;
    const heartbeat = setInterval(() => {
      this.database
        .transaction((tx) => this.sessions.renew(tx, session.id, clock()))
        .catch((error: unknown) => warn(error, 'upload lease renewal failed'));
    }, leaseMs / 3);
    heartbeat.unref();
    let entry: Entry;
    try {
      ({ entry } = await this.vfs.write(principal, session.path, this.chunks.concat(session.id, session.chunkCount), {
        expectedSize: session.size,
        mtime: session.mtime ?? undefined,
        precondition: (current) => checkPlaceholder(session, current),
      }));
    } catch (error) {
      await this.afterFailure(session, error);
      if (error instanceof ChunkMissingError) throw new IntegrityError(`${error.message}; cancel the upload and start again`);
      throw error;
    } finally {
      clearInterval(heartbeat);
    }
    // The file is in place whatever happens next: bookkeeping failures are logged, not reported.
    await this.database
      .transaction((tx) => this.sessions.complete(tx, session.id, clock()))
      .catch((error: unknown) => warn(error, `could not mark upload ${session.id} complete`));
    await this.chunks.remove(session.id).catch((error: unknown) => warn(error, 'could not remove upload chunks'));
    return entry;
  }

  private async afterFailure(session: UploadSessionRecord, error: unknown): Promise<void> {
    const { warn } = this.options;
    try {
      if (FINAL_FAILURES.some((type) => error instanceof type)) {
        // Retrying cannot help: forget the session and its chunks.
        await this.database.transaction((tx) => this.sessions.delete(tx, session.id, Number.MAX_SAFE_INTEGER));
        await this.chunks.remove(session.id);
      } else {
        // The client may send the last chunk again (after freeing space, say).
        await this.database.transaction((tx) => this.sessions.release(tx, session.id));
      }
    } catch (cleanup) {
      warn(cleanup, `could not clean up after upload ${session.id} failed`);
    }
  }
}

/** Resolves once `promise` settles (either way) or after `ms`, whichever comes first. */
async function settledOrAfter(promise: Promise<unknown> | undefined, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  const settled = promise?.then(
    () => undefined,
    () => undefined,
  );
  try {
    await (settled ? Promise.race([elapsed, settled]) : elapsed);
  } finally {
    clearTimeout(timer);
  }
}
