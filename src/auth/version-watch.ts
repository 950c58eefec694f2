/**
 * The latest values of a few shared counters (the database's `shared_versions`), read at most
 * once per `maxAgeMs` and shared by every caller in that time. A value answered was read by a
 * query that began less than `maxAgeMs` ago, so whatever committed before that is seen: a
 * process that caches under these counters follows every change within `maxAgeMs`.
 */
export class VersionWatch {
  private snapshot: { startedAt: number; values: ReadonlyMap<string, number> } | null = null;
  private pending: { startedAt: number; values: Promise<ReadonlyMap<string, number>> } | null = null;
  /** A read that began at or before this instant may miss a change this process made: not kept. */
  private changedAt = -Infinity;

  constructor(
    private readonly read: () => Promise<ReadonlyMap<string, number>>,
    private readonly clock: () => number,
    private readonly maxAgeMs = 1000,
  ) {}

  async current(): Promise<ReadonlyMap<string, number>> {
    const now = this.clock();
    if (this.snapshot && now - this.snapshot.startedAt < this.maxAgeMs) return this.snapshot.values;
    if (this.pending && now - this.pending.startedAt < this.maxAgeMs) return this.pending.values;
    const startedAt = now;
    const values = this.read().then((read) => {
      if (startedAt > this.changedAt && (!this.snapshot || this.snapshot.startedAt < startedAt))
        this.snapshot = { startedAt, values: read };
      return read;
    });
    const pending = { startedAt, values };
    this.pending = pending;
    values.then(
      () => this.pending === pending && (this.pending = null),
      () => this.pending === pending && (this.pending = null),
    );
    return values;
  }

  /** This process changed something: the next caller reads the counters afresh. */
  changed(): void {
    this.changedAt = this.clock();
    this.snapshot = null;
    this.pending = null;
  }
}
