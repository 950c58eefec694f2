import { ConflictError, IntegrityError } from '../../core/index.js';
import type { BlobRecord, BlobRepository, Database, EntryRepository, MoveScope, PolicyMoveRepository } from '../../db/index.js';
import type { JobContext, JobQueue, JobRunner, Job } from '../../jobs/index.js';
import { PermanentJobError } from '../../jobs/index.js';
import type { BlobStore, StoredBlob } from '../../vfs/index.js';

export const POLICY_MIGRATE_JOB = 'policy.migrate';

/** What a migration did; `missing` lists blobs whose bytes were already gone from their policy. */
export interface MigrationReport {
  readonly moved: number;
  readonly bytes: number;
  /** Blobs no file in the scope used any more by the time their copy was ready. */
  readonly skipped: number;
  readonly missing: readonly string[];
  /** Files (entries) switched to a copy. */
  readonly files: number;
}

export interface MigrationProgress {
  readonly done: number;
  readonly total: number;
  readonly bytesDone: number;
  readonly bytesTotal: number;
}

const BATCH = 100;

/**
 * `cumulus policy migrate` (issue 11): moves the content of existing files into another storage
 * policy while the server serves them. Per blob: copy its bytes into a new blob in the target
 * (a pending row first, as every write), then one transaction points the files in the scope
 * that still use the old blob at the copy and releases the old one. A file rewritten meanwhile
 * keeps its new content; the copy of a blob nobody uses any more is discarded. A crash leaves
 * at most a pending copy that gc removes, and running the job again (the queue retries it)
 * carries on where it stopped, since moved blobs no longer match the scope. Etags stay as
 * they are: the content did not change.
 */
export class PolicyMigration {
  constructor(
    private readonly database: Database,
    private readonly moves: PolicyMoveRepository,
    private readonly blobs: BlobRepository,
    private readonly entries: EntryRepository,
    private readonly blobStore: BlobStore,
    private readonly queue: JobQueue,
    private readonly clock: () => number,
  ) {}

  register(runner: JobRunner): void {
    runner.register(POLICY_MIGRATE_JOB, (job: Job, context: JobContext) =>
      this.run(scopeOf(job.payload), {
        signal: context.signal,
        onProgress: (p) => context.progress(p.bytesTotal > 0 ? p.bytesDone / p.bytesTotal : null, `moved ${p.done} of ${p.total} contents`),
      }),
    );
  }

  /** Queues a migration; one per scope at a time. */
  async enqueue(scope: MoveScope): Promise<Job> {
    const key = `${POLICY_MIGRATE_JOB}:${scope.to}:${scope.from ?? '*'}:${scope.ownerId ?? '*'}:${scope.folderId ?? '*'}`;
    const { job } = await this.queue.enqueue(POLICY_MIGRATE_JOB, scope, { dedupeKey: key, maxAttempts: 10 });
    return job;
  }

  /** What the scope still has to move. */
  remaining(scope: MoveScope): Promise<{ blobs: number; bytes: number }> {
    return this.database.read((db) => this.moves.totals(db, scope));
  }

  async run(
    scope: MoveScope,
    options: { signal?: AbortSignal; onProgress?: (progress: MigrationProgress) => Promise<void> | void } = {},
  ): Promise<MigrationReport> {
    const totals = await this.remaining(scope);
    const report = { moved: 0, bytes: 0, skipped: 0, missing: [] as string[], files: 0 };
    let after = '';
    let done = 0;
    await options.onProgress?.({ done, total: totals.blobs, bytesDone: 0, bytesTotal: totals.bytes });
    for (;;) {
      const batch = await this.database.read((db) => this.moves.candidates(db, scope, after, BATCH));
      if (batch.length === 0) break;
      for (const candidate of batch) {
        options.signal?.throwIfAborted();
        after = candidate.blobId;
        const outcome = await this.moveOne(scope, candidate.blobId, options.signal);
        if (outcome === 'missing') report.missing.push(candidate.blobId);
        else if (outcome === 0) report.skipped++;
        else {
          report.moved++;
          report.files += outcome;
          report.bytes += candidate.size;
        }
        done++;
        await options.onProgress?.({ done, total: totals.blobs, bytesDone: report.bytes, bytesTotal: totals.bytes });
      }
    }
    return report;
  }

  /** Copies one blob into `scope.to` and switches the scope's files to it; how many files moved, or 'missing'. */
  private async moveOne(scope: MoveScope, blobId: string, signal?: AbortSignal): Promise<number | 'missing'> {
    const record = await this.database.read((db) => this.blobs.byId(db, blobId));
    if (!record) return 0; // freed meanwhile
    let copy: StoredBlob;
    try {
      const source = await this.blobStore.open(blobId);
      copy = await this.blobStore.store(scope.to, source, { maxBytes: null, expectedSize: record.size, signal });
    } catch (error) {
      if (error instanceof IntegrityError) return 'missing';
      throw error;
    }
    if (record.sha256 !== null && copy.sha256 !== record.sha256) {
      if (!copy.content) await this.blobStore.discard(copy.id, scope.to);
      throw new IntegrityError(`The copy of blob ${blobId} does not match its SHA-256; the source changed or is damaged`);
    }
    let switched = 0;
    let freed: BlobRecord[] = [];
    try {
      await this.database.transaction(async (tx) => {
        switched = 0;
        freed = [];
        const users = await this.moves.users(tx, scope, blobId);
        if (users.length === 0) return;
        // Shared, as writes take it: a delete or move of the tree (exclusive) counts references
        // either before or after this switch, never in the middle.
        for (const owner of [...new Set(users.map((u) => u.ownerId))].sort((a, b) => a - b)) {
          await this.entries.lockOwnerTree(tx, owner, this.database.dialect, 'shared');
        }
        const now = this.clock();
        const content = { size: copy.size, sha256: copy.sha256, sha1: copy.sha1, now };
        if (copy.content) await this.blobs.createInline(tx, { id: copy.id, policyId: scope.to, content: copy.content, ...content });
        else if (!(await this.blobs.markReady(tx, copy.id, content))) {
          throw new ConflictError(`The copy of blob ${blobId} was cleaned up before it was used; the migration will retry`);
        }
        switched = await this.moves.switchBlob(
          tx,
          users.map((u) => u.id),
          blobId,
          copy.id,
        );
        if (switched === 0) throw new NothingSwitched();
        if (switched > 1) await this.blobs.addReferences(tx, new Map([[copy.id, switched - 1]]));
        freed = await this.blobs.releaseReferences(tx, new Map([[blobId, switched]]));
      });
    } catch (error) {
      if (!copy.content) await this.blobStore.discard(copy.id, scope.to);
      if (error instanceof NothingSwitched) return 0;
      throw error;
    }
    if (switched === 0 && !copy.content) await this.blobStore.discard(copy.id, scope.to);
    await this.blobStore.removeFreed(freed);
    return switched;
  }
}

/** Every file of the scope was rewritten or deleted meanwhile: roll the copy's row back. */
class NothingSwitched extends Error {}

function scopeOf(payload: unknown): MoveScope {
  const value = payload as Partial<Record<keyof MoveScope, unknown>> | null;
  const id = (field: unknown) => (typeof field === 'number' && Number.isSafeInteger(field) ? field : undefined);
  const to = id(value?.to);
  if (to === undefined) throw new PermanentJobError('A policy migration job needs a target policy id ("to")');
  return { to, from: id(value?.from), ownerId: id(value?.ownerId), folderId: id(value?.folderId) };
}
