import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/databases.js';
import { cumulus, serveCumulus } from '../support/cli.js';

describe('cumulus serve', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeAll(() => {
    dir = tempDir();
  });
  afterAll(() => dir.remove());

  it('starts with embedded defaults, creates the first admin once, answers ping, and shuts down gracefully', async () => {
    const server = await serveCumulus(dir.path, { env: { CUMULUS_LOG_LEVEL: 'warn' } });
    const ping = await fetch(`${server.url}/api/v4/site/ping`);
    expect(await ping.json()).toEqual({ code: 0, msg: '', data: '0.1.0' });

    const password = /password: (\S+)/.exec(server.stdout())?.[1];
    expect(server.stdout()).toContain('email:    admin@cumulus.local');
    expect(password).toMatch(/^[A-Za-z0-9]{20}$/);

    expect(await server.stop()).toEqual({ code: 0, signal: null });

    // The admin exists with that password; a second start does not print a new one.
    const users = cumulus(['--data', dir.path, 'user', 'list', '--json']).json<Array<{ email: string; group: string }>>();
    expect(users).toEqual([expect.objectContaining({ email: 'admin@cumulus.local', group: 'Admin' })]);
  }, 240_000);
});
