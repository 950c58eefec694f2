import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, tempDir } from '../support/databases.js';
import { cumulus } from '../support/cli.js';

// `cumulus library` through the real CLI: a library inside an administrator's shared folder
// (a mounted directory), listed and removed with --json; precise failures with exit codes.
describe('cumulus library (sqlite)', () => {
  let dir: ReturnType<typeof tempDir>;
  let disk: ReturnType<typeof tempDir>;
  let drop: () => Promise<void>;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = tempDir();
    disk = tempDir('cumulus-library-cli-');
    mkdirSync(path.join(disk.path, 'Camera'));
    const database = await freshDatabase('sqlite', dir.path);
    drop = database.drop;
    env = { CUMULUS_DATABASE_URL: database.url };
  });
  afterAll(async () => {
    await drop();
    dir.remove();
    disk.remove();
  });

  const run = (...args: string[]) => cumulus(['--data', dir.path, ...args], env);

  // Each run is a process under tsx (seconds each on a loaded machine): the budget is generous.
  it('marks a folder of a shared folder as a library, lists it and removes it', { timeout: 600_000 }, () => {
    expect(run('user', 'add', '--email', 'root@example.test', '--password', 'long enough', '--admin').status).toBe(0);
    expect(run('user', 'add', '--email', 'ann@example.test', '--password', 'long enough').status).toBe(0);
    expect(run('mount', 'add', 'Family', '--dir', disk.path).status).toBe(0);
    expect(run('user', 'join', '--email', 'ann@example.test', '--group', 'Family').status).toBe(0);

    const added = run(
      'library',
      'add',
      '--user',
      'ann@example.test',
      '--path',
      '/Family/Camera',
      '--import',
      '/Family/Camera/Inbox',
      '--json',
    );
    expect(added.status, added.stderr).toBe(0);
    expect(added.json()).toMatchObject({ path: '/Family/Camera', import: '/Family/Camera/Inbox', pending: 0 });
    expect(run('library', 'list', '--user', 'ann@example.test', '--json').json()).toEqual([
      expect.objectContaining({ path: '/Family/Camera', import: '/Family/Camera/Inbox' }),
    ]);

    // A second mark and a nested one: refused.
    expect(run('library', 'add', '--user', 'ann@example.test', '--path', '/Family/Camera', '--json').json()).toMatchObject({
      error: { code: 'ALREADY_EXISTS' },
    });
    expect(run('library', 'add', '--user', 'ann@example.test', '--path', '/Family/Camera/Inbox', '--json').json()).toMatchObject({
      error: { code: 'CONFLICT' },
    });

    expect(run('library', 'remove', '--user', 'ann@example.test', '--path', '/Family/Camera', '--json').json()).toMatchObject({
      path: '/Family/Camera',
    });
    expect(run('library', 'list', '--user', 'ann@example.test', '--json').json()).toEqual([]);
    expect(run('library', 'remove', '--user', 'ann@example.test', '--path', '/Family/Camera', '--json').json()).toMatchObject({
      error: { code: 'NOT_FOUND' },
    });
  });
});
