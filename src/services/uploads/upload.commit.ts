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
import { checkPlaceholder } from './upload.placeholder.js';

export interface CommitOptions {
  readonly clock: () => number;
  /** How long the node assembling a file may go without renewing its claim before another may take over. */
  readonly leaseMs: number;
  readonly warn: (error: unknown, message: string) => void;
}

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

  /** The new entry; null when someone else is assembling the file already. */
  async commit(principal: Principal, session: UploadSessionRecord & { chunkCount: number }): Promise<Entry | null> {
    const { clock, leaseMs, warn } = this.options;
    const claimedAt = clock();
    if (!(await this.database.transaction((tx) => this.sessions.claim(tx, session.id, claimedAt, claimedAt - leaseMs)))) return null;
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
