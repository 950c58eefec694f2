import { InvalidArgumentError } from '../../core/index.js';
import type { Database, SettingsRepository } from '../../db/index.js';

/** Server-wide switches an administrator flips at run time. */
export interface ServerSwitches {
  /** WebDAV answers at all. */
  readonly webdavEnabled: boolean;
  /** Every write through any protocol is refused; nothing changes. */
  readonly readOnly: boolean;
  /** New users may sign up by themselves. */
  readonly registrationEnabled: boolean;
}

const DEFAULTS: ServerSwitches = { webdavEnabled: true, readOnly: false, registrationEnabled: false };
const KEYS: Record<keyof ServerSwitches, string> = {
  webdavEnabled: 'webdav.enabled',
  readOnly: 'server.read_only',
  registrationEnabled: 'registration.enabled',
};

/**
 * Reads switches from the settings table, cached for a second or two so that a request
 * costs no query while several nodes still converge quickly on a change.
 */
export class ServerSettings {
  private cached: { value: ServerSwitches; until: number } | null = null;

  constructor(
    private readonly database: Database,
    private readonly settings: SettingsRepository,
    private readonly clock: () => number,
    private readonly cacheMs = 2000,
  ) {}

  async switches(): Promise<ServerSwitches> {
    const now = this.clock();
    if (this.cached && this.cached.until > now) return this.cached.value;
    const value = await this.database.read(async (db) => {
      const out: Record<string, boolean> = {};
      for (const [field, key] of Object.entries(KEYS)) {
        const stored = await this.settings.get(db, key);
        out[field] = stored === null ? DEFAULTS[field as keyof ServerSwitches] : stored === 'true';
      }
      return out as unknown as ServerSwitches;
    });
    this.cached = { value, until: now + this.cacheMs };
    return value;
  }

  async update(changes: Partial<ServerSwitches>): Promise<ServerSwitches> {
    await this.database.transaction(async (tx) => {
      for (const [field, value] of Object.entries(changes)) {
        const key = KEYS[field as keyof ServerSwitches];
        if (!key) throw new InvalidArgumentError('Unknown setting');
        await this.settings.set(tx, key, String(Boolean(value)));
      }
    });
    this.cached = null;
    return this.switches();
  }

  static fieldOf(name: string): keyof ServerSwitches {
    const entry = Object.entries(KEYS).find(([field, key]) => key === name || field === name);
    if (!entry) throw new InvalidArgumentError(`Unknown setting; known: ${Object.values(KEYS).join(', ')}`);
    return entry[0] as keyof ServerSwitches;
  }
}
