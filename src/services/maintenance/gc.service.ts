import type { BlobRepository, Database } from '../../db/index.js';
import type { BlobBackend } from '../../storage/index.js';

export interface GcReport {
  /** Pending blobs whose writer died or went quiet past the grace period. */
  stalePending: number;
  /** Ready blobs no entry points at. */
  unreferenced: number;
  /** Stored objects with no blob row at all. */
  orphanObjects: number;
  /** Backend temporary files older than the grace period. */
  temporaries: number;
  freedBytes: number;
}

export type GcProgress = (step: string, done: number) => void;

/** Another owner of leftovers that gc clears (expired upload sessions and their chunks); counted as temporaries. */
export interface GcSweeper {
  sweep(cutoff: number): Promise<{ removed: number; freedBytes: number }>;
}

/**
 * Garbage collection: removes what a crash or a failed delete left behind, and nothing that
 * a live write may still need (anything pending or temporary younger than the grace period).
 */
export class GarbageCollector {
  constructor(
    private readonly database: Database,
    private readonly blobs: BlobRepository,
    /** Every storage policy's backend (the policy registry). */
    private readonly backends: { all(): Promise<ReadonlyMap<number, BlobBackend>> },
    private readonly clock: () => number,
    private readonly sweepers: readonly GcSweeper[] = [],
  ) {}

  async run(options: { graceMs: number; onProgress?: GcProgress }): Promise<GcReport> {
    const report: GcReport = { stalePending: 0, unreferenced: 0, orphanObjects: 0, temporaries: 0, freedBytes: 0 };
    const cutoff = this.clock() - options.graceMs;
    const progress = options.onProgress ?? (() => undefined);

    const stale = await this.database.read((db) => this.blobs.stalePending(db, cutoff));
    const unreferenced = await this.database.read((db) => this.blobs.unreferenced(db));
    for (const [list, field] of [
      [stale, 'stalePending'],
      [unreferenced, 'unreferenced'],
    ] as const) {
      for (const blob of list) {
        // Row first: once it is gone, no writer can mark the blob ready any more.
        const removed = await this.database.transaction(async (tx) => {
          const current = await this.blobs.byId(tx, blob.id);
          if (!current || current.state !== blob.state) return false;
          // The entries are the truth, not the counter: a ready blob goes only when no entry
          // points at it (checked again inside the transaction).
          if (current.state === 'ready' && (await this.blobs.isReferenced(tx, blob.id))) return false;
          await this.blobs.delete(tx, blob.id);
          return true;
        });
        if (!removed) continue;
        // An inline blob's bytes went with its row.
        if (!blob.inline) await (await this.backends.all()).get(blob.policyId)?.delete(blob.storageKey);
        report[field]++;
        report.freedBytes += blob.size;
        progress(field, report[field]);
      }
    }

    for (const [policyId, backend] of await this.backends.all()) {
      // A blob row is always written before its bytes, so an object without a row is garbage
      // at any age.
      let batch: Array<{ key: string; size: number }> = [];
      const flush = async () => {
        const keys = batch.map((object) => object.key);
        const known = await this.database.read((db) => this.blobs.knownKeys(db, policyId, keys));
        for (const object of batch) {
          if (known.has(object.key)) continue;
          await backend.delete(object.key);
          report.orphanObjects++;
          report.freedBytes += object.size;
        }
        batch = [];
        progress('orphanObjects', report.orphanObjects);
      };
      for await (const object of backend.list()) {
        batch.push(object);
        if (batch.length >= 500) await flush();
      }
      await flush();
      report.temporaries += (await backend.removeTemporaries?.(cutoff)) ?? 0;
    }
    for (const sweeper of this.sweepers) {
      const swept = await sweeper.sweep(cutoff);
      report.temporaries += swept.removed;
      report.freedBytes += swept.freedBytes;
    }
    return report;
  }
}
