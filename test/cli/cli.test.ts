import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, tempDir } from '../support/databases.js';
import { cumulus, CLI_DIALECTS } from '../support/cli.js';

describe.each(CLI_DIALECTS)('the cumulus CLI on %s', (dialect) => {
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

  it('adds, lists, changes and disables users', () => {
    const added = run('user', 'add', '--email', 'Ann@Example.test', '--password', 'long enough', '--admin', '--json');
    expect(added.status).toBe(0);
    expect(added.json()).toMatchObject({ user: { email: 'ann@example.test', group: 'Admin', status: 'active' } });

    const generated = run('user', 'add', '--email', 'bob@example.test', '--json');
    expect(generated.status).toBe(0);
    expect(generated.json<{ password: string }>().password).toMatch(/^[A-Za-z0-9]{20}$/);

    const list = run('user', 'list', '--json').json<Array<{ email: string; group: string }>>();
    expect(list.map((u) => [u.email, u.group])).toEqual([
      ['ann@example.test', 'Admin'],
      ['bob@example.test', 'User'],
    ]);
    expect(run('user', 'list').stdout).toMatch(/bob@example\.test\s+bob\s+User\s+active/);

    expect(run('user', 'passwd', '--email', 'bob@example.test', '--password', 'another one').status).toBe(0);
    expect(run('user', 'disable', '--email', 'bob@example.test', '--json').json()).toMatchObject({ user: { status: 'disabled' } });
    expect(run('user', 'enable', '--email', 'bob@example.test', '--json').json()).toMatchObject({ user: { status: 'active' } });
  });

  it('refuses bad input with a clear message and a non-zero status', () => {
    const duplicate = run('user', 'add', '--email', 'ann@example.test', '--password', 'long enough');
    expect(duplicate.status).toBe(1);
    expect(duplicate.stderr).toContain('already exists');
    const weak = run('user', 'add', '--email', 'c@example.test', '--password', 'short', '--json');
    expect(weak.status).toBe(2);
    expect(weak.json()).toEqual({ error: { code: 'INVALID_ARGUMENT', message: 'A password must be at least 8 characters long' } });
    expect(run('user', 'add', '--email', 'not-an-email', '--password', 'long enough').stderr).toContain('not a valid email');
    expect(run('user', 'disable', '--email', 'nobody@example.test').status).toBe(1);
    expect(run('user', 'add', '--email', 'x@example.test', '--password', 'long enough', '--group', 'Nope').stderr).toContain(
      'No group named "Nope"',
    );
    expect(run('frobnicate').status).toBe(2);
  });

  it('manages groups and their permissions', () => {
    const added = run('group', 'add', 'Family', '--quota', '5G', '--webdav', '--no-share', '--json');
    expect(added.status).toBe(0);
    expect(added.json()).toMatchObject({
      group: { name: 'Family', maxStorage: 5 * 1024 ** 3, permissions: { webdav: true, share: false, admin: false } },
    });
    const set = run('group', 'set', 'Family', '--quota', 'unlimited', '--share', '--rename', 'Kin', '--json');
    expect(set.json()).toMatchObject({ group: { name: 'Kin', maxStorage: null, permissions: { webdav: true, share: true } } });
    expect(
      run('group', 'list', '--json')
        .json<Array<{ name: string }>>()
        .map((g) => g.name),
    ).toEqual(['Admin', 'User', 'Anonymous', 'Kin']);
    expect(run('group', 'set', 'User', '--rename', 'Users').stderr).toContain('cannot be renamed');
    expect(run('group', 'add', 'Kin').stderr).toContain('already exists');
    expect(run('group', 'set', 'Kin', '--quota', 'lots').status).toBe(2);
    expect(run('user', 'set-group', '--email', 'bob@example.test', '--group', 'Kin', '--json').status).toBe(0);
  });

  it('runs gc and doctor with machine-readable reports', () => {
    const gc = run('gc', '--grace', '0', '--json');
    expect(gc.status).toBe(0);
    expect(gc.json()).toEqual({ stalePending: 0, unreferenced: 0, orphanObjects: 0, temporaries: 0, freedBytes: 0 });
    const doctor = run('doctor', '--json');
    expect(doctor.status).toBe(0);
    expect(doctor.json()).toMatchObject({ checkedFiles: 0, problems: [] });
    expect(run('doctor').stdout).toContain('All 0 files are intact');
  });

  it('names a bad configuration key', () => {
    const bad = cumulus(['--data', dir.path, 'user', 'list'], { ...env, CUMULUS_LISTEN: 'nowhere' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('listen: expected HOST:PORT');
  });

  it('creates an account that redirects downloads, and switches it off and on again', () => {
    expect(run('user', 'add', '--email', 'dee@example.test', '--password', 'long enough', '--admin').status).toBe(0);
    const created = run('dav-account', 'create', '--user', 'dee@example.test', '--name', 'rclone', '--redirect-downloads', '--json');
    expect(created.status, created.stderr).toBe(0);
    const { account } = created.json<{ account: { id: number; redirectDownloads: boolean } }>();
    expect(account.redirectDownloads).toBe(true);
    const off = run('dav-account', 'set', String(account.id), '--no-redirect-downloads', '--json');
    expect(off.json<{ redirectDownloads: boolean }>().redirectDownloads).toBe(false);
    expect(run('dav-account', 'list', '--user', 'dee@example.test').stdout).toMatch(/rclone.*proxy/);
    const on = run('dav-account', 'set', String(account.id), '--redirect-downloads', '--json');
    expect(on.json<{ redirectDownloads: boolean }>().redirectDownloads).toBe(true);
    const plain = run('dav-account', 'create', '--user', 'dee@example.test', '--name', 'explorer', '--json');
    expect(plain.json<{ account: { redirectDownloads: boolean } }>().account.redirectDownloads).toBe(false);
  });
});
