import { StartupError } from '../../core/index.js';
import type { Database, SettingsRepository } from '../../db/index.js';

const RUNNING_KEY = 'server.running';
/** How often a serving process says it is still there. */
const ANNOUNCE_MS = 60_000;
/** A server not heard of for this long is taken to be gone. */
const GONE_AFTER_MS = 3 * ANNOUNCE_MS;

interface Announcement {
  readonly version: string;
  readonly at: number;
}

/**
 * Which version of the server is using the database. A one-shot CLI command of another
 * version must not migrate the schema under a running server (the server's queries would
 * meet tables they do not know); `cumulus migrate` does it on purpose, and a server's own
 * start always migrates.
 */
export class ServerPresence {
  constructor(
    private readonly database: Database,
    private readonly settings: SettingsRepository,
    private readonly version: string,
    private readonly clock: () => number,
  ) {}

  /** For `serve`: announces this server now and every minute; answers a function that stops it. */
  start(warn: (error: unknown, message: string) => void): () => void {
    const announce = () =>
      this.database
        .transaction((tx) => this.settings.set(tx, RUNNING_KEY, JSON.stringify({ version: this.version, at: this.clock() })))
        .catch((error: unknown) => warn(error, 'could not record that this server is running'));
    void announce();
    const timer = setInterval(announce, ANNOUNCE_MS);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** For other commands: refuses pending migrations while a server of another version runs. */
  async assertMayMigrate(pending: readonly string[]): Promise<void> {
    // A database without its first migration has no settings table, and no server on it.
    if (pending.length === 0 || pending.includes('20261123T0100_initial')) return;
    const raw = await this.database.transaction((tx) => this.settings.get(tx, RUNNING_KEY));
    const running = parse(raw);
    if (!running || running.version === this.version || this.clock() - running.at > GONE_AFTER_MS) return;
    throw new StartupError(
      `A Cumulus ${running.version} server is using this database (seen ${Math.round((this.clock() - running.at) / 1000)} s ago) ` +
        `and this is ${this.version}, which would change its schema (${pending.length} pending migration(s)); ` +
        'stop that server first, or run "cumulus migrate" to migrate on purpose',
    );
  }
}

function parse(raw: string | null): Announcement | null {
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as Partial<Announcement>;
    return typeof value.version === 'string' && typeof value.at === 'number' ? { version: value.version, at: value.at } : null;
  } catch {
    return null;
  }
}
