import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePath, type Principal } from '../../src/core/index.js';
import { cumulus, CLI_DIALECTS } from '../support/cli.js';
import { bodyOf, readAll, startTestApp, type TestApp } from '../support/app.js';
import { expectInvariants } from '../support/invariants.js';
import { filesUnder, placeOf } from '../services/policies/support.js';

describe.each(CLI_DIALECTS)('cumulus policy and folder on %s', (dialect) => {
  let t: TestApp;
  let me: Principal;
  let email: string;

  beforeAll(async () => {
    t = await startTestApp(dialect);
    const created = await t.newUser();
    me = created.principal;
    email = created.user.email;
    await t.app.vfs.mkdir(me, parsePath('/Projects/old'), { parents: true });
    for (let i = 0; i < 6; i++) await t.app.vfs.write(me, parsePath(`/Projects/old/f${i}.bin`), bodyOf(Buffer.alloc(70_000 + i, i)));
  });
  afterAll(() => t.close());

  const run = (...args: string[]) => cumulus(['--data', t.dataDir, ...args], { CUMULUS_DATABASE_URL: t.databaseUrl });
  const dir = (name: string) => path.join(t.dataDir, name);

  it('adds, lists, sets and tests policies; refuses bad ones with exit 2 and says what failed', () => {
    const added = run('policy', 'add', 'fast', '--type', 'local', '--dir', dir('fast'), '--inline-max-bytes', '0', '--json');
    expect(added.status).toBe(0);
    expect(added.json()).toMatchObject({ policy: { name: 'fast', type: 'local', inlineMaxBytes: 0 } });
    expect(run('policy', 'add', 'slow', '--type', 'local', '--dir', dir('slow')).status).toBe(0);
    const s3 = run(
      'policy',
      'add',
      'bucket',
      '--type',
      's3',
      '--endpoint',
      'http://127.0.0.1:9',
      '--bucket',
      'b',
      '--access-key',
      'AK',
      '--secret-key',
      'CLI-SECRET-1',
    );
    expect(s3.status).toBe(0);
    expect(s3.stdout).not.toContain('CLI-SECRET-1');
    const list = run('policy', 'list');
    expect(list.stdout).toMatch(/fast\s+local\s+\S+fast\s+proxy\s+0 B/);
    expect(list.stdout).not.toContain('CLI-SECRET-1');
    expect(
      run('policy', 'list', '--json')
        .json<Array<{ name: string }>>()
        .map((p) => p.name),
    ).toEqual(['Default local storage', 'fast', 'slow', 'bucket']);

    const bad = run('policy', 'add', 'oops', '--type', 's3', '--endpoint', 'nope', '--json');
    expect(bad.status).toBe(2);
    expect(bad.json()).toMatchObject({ error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('endpoint: Invalid URL') } });

    expect(run('policy', 'set', 'slow', '--download', 'redirect', '--json').json()).toMatchObject({
      policy: { settings: { download: 'redirect' } },
    });
    expect(run('policy', 'test', 'fast').stdout).toContain('Storage policy "fast": works');
    writeFileSync(dir('a-file'), 'x');
    expect(run('policy', 'add', 'broken', '--type', 'local', '--dir', path.join(dir('a-file'), 'below')).status).toBe(0);
    const broken = run('policy', 'test', 'broken');
    expect(broken.status).toBe(1);
    expect(broken.stdout).toMatch(/FAIL write: ENOTDIR/);
    expect(run('policy', 'remove', 'broken').status).toBe(0);
  });

  it('sets a group default policy, binds a folder, and refuses a policy the group does not allow', async () => {
    const refused = run('folder', 'bind', '--user', email, '--path', '/Projects', '--policy', 'fast', '--json');
    expect(refused.status).toBe(1);
    expect(refused.json()).toMatchObject({
      error: { code: 'FORBIDDEN', message: expect.stringContaining('may not use the storage policy "fast"') },
    });

    const group = run('group', 'set', 'User', '--policies', 'Default local storage,fast', '--default-policy', 'slow', '--json');
    expect(group.status).toBe(0);
    const ids = group.json<{ group: { storagePolicyIds: number[] } }>().group.storagePolicyIds;
    expect(ids).toHaveLength(3);
    expect(
      run('policy', 'list', '--json')
        .json<Array<{ name: string; id: number }>>()
        .find((p) => p.name === 'slow')!.id,
    ).toBe(ids[0]);

    expect(run('folder', 'bind', '--user', email, '--path', '/Projects', '--policy', 'fast').stdout).toContain(
      'go to the storage policy "fast"',
    );
    expect(run('folder', 'policy', '--user', email, '--path', '/Projects/old', '--json').json()).toMatchObject({
      policy: { name: 'fast' },
    });
    expect(run('policy', 'remove', 'fast', '--json').json()).toMatchObject({
      error: { code: 'CONFLICT', message: expect.stringContaining('1 bound folder(s)') },
    });
  });

  it('migrates a folder with progress events and a report, and the files read the same', async () => {
    const fast = (await t.app.policies.get('fast')).id;
    const migrated = run('policy', 'migrate', '--to', 'fast', '--user', email, '--path', '/Projects/old', '--json');
    expect(migrated.stderr).not.toMatch(/"level":[56]0/);
    expect(migrated.status).toBe(0);
    const events = migrated.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; [key: string]: unknown });
    expect(events[0]).toMatchObject({ event: 'queued', remaining: { blobs: 6 } });
    expect(events.some((e) => e.event === 'progress')).toBe(true);
    expect(events.at(-1)).toMatchObject({ event: 'completed', result: { moved: 6, files: 6, missing: [] } });
    expect(filesUnder(dir('fast'))).toHaveLength(6);
    for (let i = 0; i < 6; i++) {
      const entry = await t.app.vfs.stat(me, parsePath(`/Projects/old/f${i}.bin`));
      expect((await placeOf(t.app, entry.blobId!)).policyId).toBe(fast);
      expect(
        (await readAll((await t.app.vfs.read(me, parsePath(`/Projects/old/f${i}.bin`))).stream)).equals(Buffer.alloc(70_000 + i, i)),
      ).toBe(true);
    }
    const again = run('policy', 'migrate', '--to', 'fast', '--user', email);
    expect(again.stdout).toContain('Moved 0 contents of 0 files');
    expect(run('policy', 'migrate', '--to', 'fast', '--path', '/x').status).toBe(2);
    await expectInvariants(t.app.database, { quiescent: true });
  });
});
