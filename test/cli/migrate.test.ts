// A one-shot CLI command of another version never migrates the schema under a running server;
// `cumulus migrate` does it on purpose.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Database } from '../../src/db/index.js';
import { cumulus } from '../support/cli.js';
import { tempDir } from '../support/databases.js';

describe('migrations under a running server', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());
  const url = `sqlite:${path.join(dir.path, 'cumulus.db')}`;

  /** Takes the newest migration back and records a server of `version` last seen `agoMs` ago. */
  async function olderSchemaWithServer(version: string, agoMs: number): Promise<string> {
    const database = Database.open({ url });
    try {
      const result = await database.migrateDown();
      expect(result.error).toBeUndefined();
      const value = JSON.stringify({ version, at: Date.now() - agoMs });
      await database.db
        .insertInto('settings')
        .values({ key: 'server.running', value })
        .onConflict((c) => c.column('key').doUpdateSet({ value }))
        .execute();
      return (await database.pendingMigrations())[0]!;
    } finally {
      await database.close();
    }
  }

  it('refuses while a server of another version was seen lately, and cumulus migrate applies them', async () => {
    expect(cumulus(['--data', dir.path, 'user', 'list', '--json']).status).toBe(0);
    const pending = await olderSchemaWithServer('0.0.9', 5_000);

    const refused = cumulus(['--data', dir.path, 'user', 'list', '--json']);
    expect(refused.status).toBe(2);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/A Cumulus 0\.0\.9 server is using this database .* run "cumulus migrate"/);

    const migrated = cumulus(['--data', dir.path, '--json', 'migrate']);
    expect(migrated.status, migrated.stderr).toBe(0);
    expect(migrated.json<{ applied: string[] }>().applied).toEqual([pending]);
    expect(cumulus(['--data', dir.path, 'user', 'list', '--json']).status).toBe(0);
    expect(cumulus(['--data', dir.path, '--json', 'migrate']).json<{ applied: string[] }>().applied).toEqual([]);
  });

  it('migrates as usual when the other server has not been seen for minutes', async () => {
    await olderSchemaWithServer('0.0.9', 10 * 60_000);
    expect(cumulus(['--data', dir.path, 'user', 'list', '--json']).status).toBe(0);
    const database = Database.open({ url });
    try {
      expect(await database.pendingMigrations()).toEqual([]);
    } finally {
      await database.close();
    }
  });
});
