import type { Database, UploadSessionRepository } from '../../db/index.js';
import type { ChunkStore } from '../../storage/index.js';
import type { Vfs } from '../../vfs/index.js';
import type { UserService } from '../users/user.service.js';
import type { DirectUploads } from './upload.direct.js';
import { removePlaceholder } from './upload.placeholder.js';

export interface SweepOptions {
  readonly clock: () => number;
  readonly leaseMs: number;
  readonly warn: (error: unknown, message: string) => void;
  /** Abandons the direct uploads (contract 15.5) of expired sessions. */
  readonly direct?: Pick<DirectUploads, 'abandon'>;
}

/** Sessions looked at per sweep; the next sweep takes the rest. */
const BATCH = 1000;

/**
 * Clears what abandoned uploads leave: expired sessions with their chunks and untouched
 * placeholders, their direct uploads to the store (aborted where the store can, the pending
 * blob and any object removed), and chunk folders whose session is gone (a crash between the
 * two removals).
 */
export class UploadSweeper {
  constructor(
    private readonly database: Database,
    private readonly sessions: UploadSessionRepository,
    private readonly vfs: Vfs,
    private readonly users: UserService,
    private readonly chunks: ChunkStore,
    private readonly options: SweepOptions,
  ) {}

  /** Chunk folders without a session are removed once older than `cutoff` (epoch ms). */
  async sweep(cutoff: number): Promise<{ removed: number; freedBytes: number }> {
    const { clock, leaseMs, warn } = this.options;
    let removed = 0;
    let freedBytes = 0;
    const now = clock();
    const expired = await this.database.read((db) => this.sessions.expired(db, now, BATCH));
    for (const session of expired) {
      // Row first: once it is gone no chunk can be recorded for it; a live claim (a file being assembled) wins.
      if (!(await this.database.transaction((tx) => this.sessions.delete(tx, session.id, now - leaseMs)))) continue;
      freedBytes += (await this.chunks.remove(session.id)).bytes;
      removed++;
      if (session.completedAt === null && session.direct) await this.options.direct?.abandon(session.direct);
      if (session.completedAt !== null || session.placeholderId === null) continue;
      try {
        const owner = await this.users.principalFor(await this.users.get(session.ownerId));
        await removePlaceholder(this.vfs, owner, session, warn);
      } catch (error) {
        warn(error, `could not remove the placeholder of expired upload ${session.id}`);
      }
    }

    const folders: string[] = [];
    for await (const folder of this.chunks.sessions()) if (folder.modifiedAt < cutoff) folders.push(folder.sessionId);
    const known = await this.database.read((db) => this.sessions.knownIds(db, folders));
    for (const id of folders) {
      if (known.has(id)) continue;
      freedBytes += (await this.chunks.remove(id)).bytes;
      removed++;
    }
    return { removed, freedBytes };
  }
}
