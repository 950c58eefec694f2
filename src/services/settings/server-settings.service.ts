import { InvalidArgumentError } from '../../core/index.js';
import type { Database, SettingsRepository } from '../../db/index.js';
import type { SharedVersions } from '../shared-state/shared-versions.js';

/** Server-wide switches an administrator flips at run time. */
export interface ServerSwitches {
  /** WebDAV answers at all. */
  readonly webdavEnabled: boolean;
  /** Every write through any protocol is refused; nothing changes. */
  readonly readOnly: boolean;
  /** New users may sign up by themselves. */
  readonly registrationEnabled: boolean;
  /** Nextcloud's clients get their surface (status.php, OCS, /remote.php); issue 14. */
  readonly nextcloudEnabled: boolean;
}

const DEFAULTS: ServerSwitches = { webdavEnabled: true, readOnly: false, registrationEnabled: false, nextcloudEnabled: true };
const KEYS: Record<keyof ServerSwitches, string> = {
  webdavEnabled: 'webdav.enabled',
  readOnly: 'server.read_only',
  registrationEnabled: 'registration.enabled',
  nextcloudEnabled: 'nextcloud.enabled',
};

/**
 * Reads switches from the settings table. The value is kept while the shared 'settings'
 * counter stays as it was (read at most once a second), so a request costs no query and a
 * change made by any process reaches every process within a second.
 */
export class ServerSettings {
  private cached: { value: ServerSwitches; version: number } | null = null;

  constructor(
    private readonly database: Database,
    private readonly settings: SettingsRepository,
    private readonly versions: SharedVersions,
  ) {}

  async switches(): Promise<ServerSwitches> {
    // The counter first: switches read after it are at least as new as it says.
    const version = await this.versions.current('settings');
    if (this.cached?.version === version) return this.cached.value;
    const value = await this.database.read(async (db) => {
      const out: Record<string, boolean> = {};
      for (const [field, key] of Object.entries(KEYS)) {
        const stored = await this.settings.get(db, key);
        out[field] = stored === null ? DEFAULTS[field as keyof ServerSwitches] : stored === 'true';
      }
      return out as unknown as ServerSwitches;
    });
    this.cached = { value, version };
    return value;
  }

  async update(changes: Partial<ServerSwitches>): Promise<ServerSwitches> {
    await this.versions.transaction('settings', async (tx) => {
      for (const [field, value] of Object.entries(changes)) {
        const key = KEYS[field as keyof ServerSwitches];
        if (!key) throw new InvalidArgumentError('Unknown setting');
        await this.settings.set(tx, key, String(Boolean(value)));
      }
    });
    return this.switches();
  }

  static fieldOf(name: string): keyof ServerSwitches {
    const entry = Object.entries(KEYS).find(([field, key]) => key === name || field === name);
    if (!entry) throw new InvalidArgumentError(`Unknown setting; known: ${Object.values(KEYS).join(', ')}`);
    return entry[0] as keyof ServerSwitches;
  }
}
