import { SEALED_PREFIX, type SecretBox } from '../../auth/index.js';
import type { Database, ShareRepository } from '../../db/index.js';

/** The purpose a share password is sealed for (authenticated with it, see SecretBox). */
export const SHARE_PASSWORD = 'share password';

/** Rows sealed per transaction by sealStoredSharePasswords. */
const BATCH = 500;

/**
 * Seals share passwords stored in clear by versions before sealing existed. A start-up step
 * rather than a migration: migrations run on the database alone, and the key is the signing
 * key's (loaded after them, possibly from a configured file). Each row is rewritten only if it
 * still holds the clear value, so nodes starting together do not seal a password twice; the
 * service reads both forms, so links keep working while this runs. Answers how many it sealed.
 */
export async function sealStoredSharePasswords(database: Database, shares: ShareRepository, box: SecretBox): Promise<number> {
  let sealed = 0;
  for (;;) {
    const batch = await database.read((db) => shares.passwordsStoredWithout(db, SEALED_PREFIX, BATCH));
    if (batch.length === 0) return sealed;
    await database.transaction(async (tx) => {
      for (const { id, password } of batch) {
        if (await shares.replacePassword(tx, id, password, box.seal(password, SHARE_PASSWORD))) sealed++;
      }
    });
    if (batch.length < BATCH) return sealed;
  }
}
