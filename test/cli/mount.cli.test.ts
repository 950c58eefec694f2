import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, tempDir } from '../support/databases.js';
import { cumulus, CLI_DIALECTS } from '../support/cli.js';

// `cumulus mount` and `cumulus user join/leave` through the real CLI, on both databases.
describe.each(CLI_DIALECTS)('cumulus mount and user join on %s', (dialect) => {
  let dir: ReturnType<typeof tempDir>;
  let disk: ReturnType<typeof tempDir>;
  let drop: () => Promise<void>;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = tempDir();
    disk = tempDir('cumulus-mount-cli-');
    writeFileSync(path.join(disk.path, 'a.txt'), 'a');
    const database = await freshDatabase(dialect, dir.path);
    drop = database.drop;
    env = { CUMULUS_DATABASE_URL: database.url };
  });
  afterAll(async () => {
    await drop();
    dir.remove();
    disk.remove();
  });

  const run = (...args: string[]) => cumulus(['--data', dir.path, ...args], env);

  it('adds, lists, changes and removes a shared folder; users join and leave its group', () => {
    // Without an administrator there is no one to own the shared folder: refused, exit 2.
    expect(run('mount', 'add', 'Photos', '--dir', disk.path, '--json').json()).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } });
    expect(run('user', 'add', '--email', 'root@example.test', '--password', 'long enough', '--admin').status).toBe(0);
    expect(run('user', 'add', '--email', 'ann@example.test', '--password', 'long enough').status).toBe(0);

    const added = run('mount', 'add', 'Photos', '--dir', disk.path, '--read-only', '--json');
    expect(added.status).toBe(0);
    expect(added.json()).toMatchObject({ mount: { name: 'Photos', readOnly: true, members: 0 } });
    expect(run('mount', 'add', 'Photos', '--dir', disk.path).status).toBe(1);
    expect(run('mount', 'add', 'Nope', '--dir', path.join(disk.path, 'missing')).status).toBe(2);

    const joined = run('user', 'join', '--email', 'ann@example.test', '--group', 'Photos', '--json');
    expect(joined.json()).toEqual({ user: 'ann@example.test', group: 'Photos', groups: ['User', 'Photos'] });
    expect(run('mount', 'list', '--json').json()).toEqual([expect.objectContaining({ name: 'Photos', members: 1, readOnly: true })]);
    expect(run('mount', 'set', 'Photos', '--read-write', '--json').json()).toMatchObject({ mount: { readOnly: false } });
    expect(run('mount', 'list').stdout).toMatch(/Photos\s+\S+\s+read-write\s+1/);

    expect(run('user', 'leave', '--email', 'ann@example.test', '--group', 'Photos', '--json').json()).toMatchObject({ groups: ['User'] });
    expect(run('user', 'leave', '--email', 'ann@example.test', '--group', 'Photos').status).toBe(1);
    expect(run('mount', 'remove', 'Photos', '--json').json()).toEqual({ removed: 'Photos' });
    expect(run('mount', 'list', '--json').json()).toEqual([]);
  });
});
