// `cumulus dav-account create/set --redirect-downloads` (issue 11, item 4), on both databases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cumulus } from '../support/cli.js';
import { DIALECTS, freshDatabase, tempDir } from '../support/databases.js';

describe.each(DIALECTS)('dav-account --redirect-downloads on %s', (dialect) => {
  let dir: ReturnType<typeof tempDir>;
  let drop: () => Promise<void>;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = tempDir();
    const database = await freshDatabase(dialect, dir.path);
    drop = database.drop;
    env = { CUMULUS_DATABASE_URL: database.url };
  });
  afterAll(async () => {
    await drop();
    dir.remove();
  });

  const run = (...args: string[]) => cumulus(['--data', dir.path, ...args], env);

  it('creates an account that redirects downloads, and switches it off and on again', () => {
    expect(run('user', 'add', '--email', 'ann@example.test', '--password', 'long enough', '--admin').status).toBe(0);
    const created = run('dav-account', 'create', '--user', 'ann@example.test', '--name', 'rclone', '--redirect-downloads', '--json');
    expect(created.status, created.stderr).toBe(0);
    const { account } = created.json<{ account: { id: number; redirectDownloads: boolean } }>();
    expect(account.redirectDownloads).toBe(true);
    const off = run('dav-account', 'set', String(account.id), '--no-redirect-downloads', '--json');
    expect(off.json<{ redirectDownloads: boolean }>().redirectDownloads).toBe(false);
    expect(run('dav-account', 'list', '--user', 'ann@example.test').stdout).toMatch(/rclone.*proxy/);
    const on = run('dav-account', 'set', String(account.id), '--redirect-downloads', '--json');
    expect(on.json<{ redirectDownloads: boolean }>().redirectDownloads).toBe(true);
    const plain = run('dav-account', 'create', '--user', 'ann@example.test', '--name', 'explorer', '--json');
    expect(plain.json<{ account: { redirectDownloads: boolean } }>().account.redirectDownloads).toBe(false);
  });
});
