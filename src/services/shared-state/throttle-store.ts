import type { ThrottleFailure, ThrottleRow, ThrottleStore } from '../../auth/index.js';
import type { Database, ThrottleRepository } from '../../db/index.js';

export interface ThrottleStoreOptions {
  readonly clock: () => number;
  /** Most rows kept; a sweep trims the ones that would expire first. */
  readonly maxRows: number;
  /** A sweep runs after this many failures or this long, whichever comes first (per process). */
  readonly sweepEveryFailures?: number;
  readonly sweepEveryMs?: number;
}

/**
 * The throttle's counts in the database, shared by every process. Between sweeps the table
 * grows by at most three rows per failure counted, and a sweep brings it back under `maxRows`.
 */
export class DatabaseThrottleStore implements ThrottleStore {
  private failuresSinceSweep = 0;
  private nextSweepAt = 0;
  private sweeping: Promise<void> | null = null;

  constructor(
    private readonly database: Database,
    private readonly throttles: ThrottleRepository,
    private readonly options: ThrottleStoreOptions,
  ) {}

  read(keys: readonly string[], now: number): Promise<ThrottleRow[]> {
    return this.database.read((db) => this.throttles.live(db, keys, now));
  }

  async fail(failures: readonly ThrottleFailure[], now: number): Promise<ThrottleRow[]> {
    const rows = await this.database.transaction(async (tx) => {
      const out: ThrottleRow[] = [];
      for (const failure of failures) out.push(await this.throttles.fail(tx, failure, now));
      return out;
    });
    this.failuresSinceSweep++;
    await this.sweepIfDue();
    return rows;
  }

  async clear(key: string): Promise<void> {
    await this.database.transaction((tx) => this.throttles.clear(tx, key));
  }

  async count(): Promise<number> {
    return this.database.read((db) => this.throttles.count(db));
  }

  private async sweepIfDue(): Promise<void> {
    const now = this.options.clock();
    const due = this.failuresSinceSweep >= (this.options.sweepEveryFailures ?? 100) || now >= this.nextSweepAt;
    if (!due || this.sweeping) return;
    this.failuresSinceSweep = 0;
    this.nextSweepAt = now + (this.options.sweepEveryMs ?? 60_000);
    this.sweeping = this.database
      .transaction((tx) => this.throttles.sweep(tx, now, this.options.maxRows))
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => (this.sweeping = null));
    await this.sweeping;
  }
}
