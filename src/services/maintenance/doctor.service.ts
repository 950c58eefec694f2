import type { BlobRepository, Database, EntryRepository, UserRepository } from '../../db/index.js';
import type { BlobBackend } from '../../storage/index.js';
import { TreeMender } from './doctor.tree.js';

export interface DoctorProblem {
  readonly kind:
    'missing-blob-record' | 'missing-content' | 'wrong-size' | 'reference-count' | 'storage-used' | 'tree-cycle' | 'orphan' | 'stray-root';
  readonly entryId?: number;
  readonly blobId?: string;
  readonly userId?: number;
  readonly message: string;
}

export interface DoctorReport {
  readonly checkedFiles: number;
  readonly problems: DoctorProblem[];
  /** Problems that --repair fixed (the tree's shape and counters; lost content cannot be repaired). */
  readonly repaired: number;
}

/**
 * Checks that the entries form a tree (no parent cycle, nothing cut off from its owner's root),
 * that every file entry's blob exists with the right size, and that the counters derived from
 * the tree (reference counts, storage used: file sizes plus dead-property bytes) match it. --repair moves cut-off parts under
 * lost+found in their owner's root (see doctor.tree.ts) and recomputes the counters.
 */
export class Doctor {
  private readonly tree: TreeMender;

  constructor(
    private readonly database: Database,
    private readonly entries: EntryRepository,
    private readonly blobs: BlobRepository,
    private readonly users: UserRepository,
    /** Every storage policy's backend (the policy registry). */
    private readonly backends: { all(): Promise<ReadonlyMap<number, BlobBackend>> },
    private readonly clock: () => number = Date.now,
  ) {
    this.tree = new TreeMender(database, entries, users);
  }

  async run(options: { repair?: boolean; onProgress?: (checked: number, total: number) => void } = {}): Promise<DoctorReport> {
    const problems: DoctorProblem[] = [];
    const total = await this.database.read((db) => this.entries.countAll(db));
    let checkedFiles = 0;
    let repaired = 0;

    // The shape first: the counters below count what the tree holds once it is whole again.
    for (const damage of await this.tree.find()) {
      problems.push({ kind: damage.kind, entryId: damage.entryId, userId: damage.userId, message: damage.message });
      if (options.repair && (await this.tree.repair(damage, this.clock()))) repaired++;
    }

    for await (const entry of this.entries.allFiles(this.database.db)) {
      checkedFiles++;
      if (checkedFiles % 1000 === 0) options.onProgress?.(checkedFiles, total);
      const blob = entry.blobId ? await this.database.read((db) => this.blobs.byId(db, entry.blobId!)) : null;
      if (!blob) {
        problems.push({
          kind: 'missing-blob-record',
          entryId: entry.id,
          message: `File #${entry.id} "${entry.name}" points at no blob record`,
        });
        continue;
      }
      const stored = blob.inline
        ? await this.database.read(async (db) => {
            const content = (await this.blobs.withContent(db, blob.id))?.content;
            return content ? { size: content.length } : null;
          })
        : await (await this.backends.all()).get(blob.policyId)?.stat(blob.storageKey);
      if (!stored) {
        problems.push({
          kind: 'missing-content',
          entryId: entry.id,
          blobId: blob.id,
          message: `File #${entry.id} "${entry.name}": content missing from storage`,
        });
      } else if (stored.size !== entry.size || blob.size !== entry.size) {
        problems.push({
          kind: 'wrong-size',
          entryId: entry.id,
          blobId: blob.id,
          message: `File #${entry.id} "${entry.name}": ${entry.size} bytes in the tree, ${stored.size} in storage`,
        });
      }
    }
    options.onProgress?.(checkedFiles, total);

    for (const mismatch of await this.database.read((db) => this.blobs.countMismatches(db))) {
      problems.push({
        kind: 'reference-count',
        blobId: mismatch.id,
        message: `Blob ${mismatch.id} counts ${mismatch.stored} references but ${mismatch.actual} entries point at it`,
      });
      if (options.repair) {
        await this.database.transaction((tx) => this.blobs.setReferenceCount(tx, mismatch.id, mismatch.actual));
        repaired++;
      }
    }

    for (const row of await this.database.read((db) => this.users.usageMismatches(db))) {
      const actual = row.actual;
      problems.push({
        kind: 'storage-used',
        userId: row.id,
        message: `User #${row.id} is charged ${row.stored} bytes but stores ${actual}`,
      });
      if (options.repair) {
        await this.database.transaction((tx) => this.users.setStorageUsed(tx, row.id, actual));
        repaired++;
      }
    }
    return { checkedFiles, problems, repaired };
  }
}
