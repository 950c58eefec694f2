import { VersionWatch } from '../../auth/index.js';
import type { Database, SharedVersionRepository, Tx } from '../../db/index.js';

/**
 * What a process caches about credentials and settings is valid while these counters stay as
 * they were (DESIGN.md decision 6). 'auth': WebDAV accounts, users, groups and API sessions;
 * 'settings': the server switches; 'policies': storage policies (services/policies).
 */
export type SharedKind = 'auth' | 'settings' | 'policies';

/**
 * The shared counters: every change bumps its kind's counter in its own transaction (call
 * `bump` last, then `changed` after the commit); every process reads them at most once a second.
 */
export class SharedVersions {
  private readonly watch: VersionWatch;

  constructor(
    private readonly database: Database,
    private readonly versions: SharedVersionRepository,
    clock: () => number,
    maxAgeMs = 1000,
  ) {
    this.watch = new VersionWatch(() => this.database.read((db) => this.versions.all(db)), clock, maxAgeMs);
  }

  /** The counter's value as of a read that began less than a second ago. */
  async current(kind: SharedKind): Promise<number> {
    return (await this.watch.current()).get(kind) ?? 0;
  }

  async bump(tx: Tx, kind: SharedKind): Promise<void> {
    await this.versions.bump(tx, kind);
  }

  /** After a commit that bumped a counter: this process's next request reads afresh. */
  changed(): void {
    this.watch.changed();
  }

  /** Runs `work` in a transaction that bumps `kind` last, and marks the change once committed. */
  async transaction<T>(kind: SharedKind, work: (tx: Tx) => Promise<T>): Promise<T> {
    const result = await this.database.transaction(async (tx) => {
      const value = await work(tx);
      await this.versions.bump(tx, kind);
      return value;
    });
    this.changed();
    return result;
  }
}
