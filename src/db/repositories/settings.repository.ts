import type { Tx } from '../database.js';

/** Server-wide key/value settings (switches, generated secrets). */
export class SettingsRepository {
  async get(tx: Tx, key: string): Promise<string | null> {
    const row = await tx.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value ?? null;
  }

  async set(tx: Tx, key: string, value: string): Promise<void> {
    await tx
      .insertInto('settings')
      .values({ key, value })
      .onConflict((c) => c.column('key').doUpdateSet({ value }))
      .execute();
  }

  /** Sets the value only if the key is absent; returns the value in force. */
  async setIfAbsent(tx: Tx, key: string, value: string): Promise<string> {
    await tx
      .insertInto('settings')
      .values({ key, value })
      .onConflict((c) => c.column('key').doNothing())
      .execute();
    return (await this.get(tx, key)) ?? value;
  }
}
