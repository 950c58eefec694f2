import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { tempDir } from '../support/databases.js';
import { cumulus, spawnCumulus } from '../support/cli.js';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

describe('cumulus serve', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeAll(() => {
    dir = tempDir();
  });
  afterAll(() => dir.remove());

  it('starts with embedded defaults, creates the first admin once, answers ping, and shuts down gracefully', async () => {
    const port = await freePort();
    const child = spawnCumulus(['serve', '--data', dir.path, '--listen', `127.0.0.1:${port}`], { CUMULUS_LOG_LEVEL: 'warn' });
    let stdout = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

    let ping: Response | undefined;
    // Up to two minutes: a loaded machine starts the server slowly.
    for (let attempt = 0; attempt < 1200 && !ping; attempt++) {
      ping = await fetch(`http://127.0.0.1:${port}/api/v4/site/ping`).catch(() => undefined);
      if (!ping) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(ping, stderr).toBeDefined();
    expect(await ping!.json()).toEqual({ code: 0, msg: '', data: '0.1.0' });

    const password = /password: (\S+)/.exec(stdout)?.[1];
    expect(stdout).toContain('email:    admin@cumulus.local');
    expect(password).toMatch(/^[A-Za-z0-9]{20}$/);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);

    // The admin exists with that password; a second start does not print a new one.
    const users = cumulus(['--data', dir.path, 'user', 'list', '--json']).json<Array<{ email: string; group: string }>>();
    expect(users).toEqual([expect.objectContaining({ email: 'admin@cumulus.local', group: 'Admin' })]);
  });
});
