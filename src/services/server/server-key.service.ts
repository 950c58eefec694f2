import { signingKeyFingerprint } from '../../auth/index.js';
import { StartupError } from '../../core/index.js';
import type { Database, SettingsRepository } from '../../db/index.js';

const FINGERPRINT_KEY = 'server.key_fingerprint';

/**
 * Every node sharing a database must hold the same server key (tokens one signs, another
 * verifies; secrets one encrypts, another decrypts). The first start records the key's
 * fingerprint; a node started with another key refuses to start.
 */
export class ServerKeyCheck {
  constructor(
    private readonly database: Database,
    private readonly settings: SettingsRepository,
  ) {}

  /** `source` names the key file for the message. */
  async verify(key: Uint8Array, source: string): Promise<void> {
    const fingerprint = signingKeyFingerprint(key);
    const recorded = await this.database.transaction((tx) => this.settings.setIfAbsent(tx, FINGERPRINT_KEY, fingerprint));
    if (recorded !== fingerprint) {
      throw new StartupError(
        `The server key in ${source} is not the one this database was first started with (fingerprint ${fingerprint}, expected ${recorded}); ` +
          'every node sharing a database needs a copy of the same key file (auth.jwtSecretFile)',
      );
    }
  }
}
