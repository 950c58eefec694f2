import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parsePath } from '../../../src/core/index.js';
import { DIALECTS } from '../../support/databases.js';
import { bodyOf, startTestApp, type TestApp } from '../../support/app.js';
import { allowForUsers, localPolicy } from './support.js';

describe.each(DIALECTS)('storage policies as managed objects on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(dialect);
  });
  afterAll(() => t.close());

  const rawRow = async (name: string) =>
    (await t.app.database.db.selectFrom('storage_policies').select('settings').where('name', '=', name).executeTakeFirstOrThrow()).settings;

  it('adds an s3 policy with its secret sealed in the row and never shown back', async () => {
    const view = await t.app.policies.add({
      name: 'bucket',
      type: 's3',
      settings: { endpoint: 'http://127.0.0.1:9', bucket: 'b', accessKeyId: 'AKID', secretAccessKey: 'VERY-SECRET-KEY-123' },
    });
    expect(view.settings).toMatchObject({ accessKeyId: 'AKID', secretAccessKey: '(set)', region: 'us-east-1', download: 'proxy' });
    expect(view.inlineMaxBytes).toBe(0);
    const stored = await rawRow('bucket');
    expect(stored).not.toContain('VERY-SECRET-KEY-123');
    expect(stored).toMatch(/"secretAccessKey":"sb1:/);
    expect(JSON.stringify(await t.app.policies.list())).not.toContain('VERY-SECRET-KEY-123');

    // Changing another setting keeps the secret; giving a new one reseals it.
    await t.app.policies.update('bucket', { settings: { prefix: 'cumulus/' } });
    expect(await rawRow('bucket')).toBe(stored.replace('"prefix":""', '"prefix":"cumulus/"'));
    await t.app.policies.update('bucket', { settings: { secretAccessKey: 'ANOTHER-SECRET' } });
    expect(await rawRow('bucket')).not.toContain('ANOTHER-SECRET');
    expect(await rawRow('bucket')).not.toBe(stored);
  });

  it('seals a webdav password the same way', async () => {
    await t.app.policies.add({
      name: 'remote',
      type: 'webdav',
      settings: { url: 'https://dav.example.test/blobs', username: 'u', password: 'p4ssw0rd!' },
    });
    expect(await rawRow('remote')).not.toContain('p4ssw0rd!');
    expect((await t.app.policies.show('remote')).settings.password).toBe('(set)');
  });

  it('refuses bad settings, unknown types and taken names with clear messages', async () => {
    await expect(t.app.policies.add({ name: 'x', type: 'ftp', settings: {} })).rejects.toThrow(
      '"ftp" is not a storage policy type; expected one of local, s3, webdav',
    );
    await expect(t.app.policies.add({ name: 'x', type: 's3', settings: { endpoint: 'not a url', bucket: 'b' } })).rejects.toThrow(
      /Invalid settings for a storage policy of type s3: endpoint: Invalid URL; accessKeyId: .*; secretAccessKey: /,
    );
    await expect(t.app.policies.add({ name: 'x', type: 'local', settings: { path: 'p', inlineMaxBytes: -1 } })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(t.app.policies.add({ name: '42', type: 'local', settings: { path: 'p' } })).rejects.toThrow(/only digits/);
    await localPolicy(t.app, t.dataDir, 'taken');
    await expect(t.app.policies.add({ name: 'taken', type: 'local', settings: { path: 'other' } })).rejects.toMatchObject({
      code: 'ALREADY_EXISTS',
    });
    await expect(t.app.policies.update('taken', { settings: { download: 'teleport' } })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(t.app.policies.get('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('tests a local policy, and says which step fails for a directory that cannot be written', async () => {
    await localPolicy(t.app, t.dataDir, 'probe-ok');
    expect(await t.app.policies.test('probe-ok')).toEqual({
      ok: true,
      steps: [
        { step: 'connect', ok: true },
        { step: 'write', ok: true },
        { step: 'read', ok: true },
        { step: 'delete', ok: true },
      ],
    });
    // A directory below a plain file can never be created (root ignores permission bits).
    const file = path.join(t.dataDir, 'plain-file');
    writeFileSync(file, 'x');
    await t.app.policies.add({ name: 'probe-bad', type: 'local', settings: { path: path.join(file, 'blobs') } });
    const report = await t.app.policies.test('probe-bad');
    expect(report.ok).toBe(false);
    expect(report.steps.at(-1)).toMatchObject({ step: 'write', ok: false, error: expect.stringMatching(/ENOTDIR/) });
    // The s3 store on a closed port is unreachable: connect or write fails, never "works".
    expect((await t.app.policies.test('bucket')).ok).toBe(false);
  });

  it('refuses to remove a policy while files, groups or folders use it, and removes it once unused', async () => {
    const used = await localPolicy(t.app, t.dataDir, 'in-use');
    const { principal } = await t.newUser();
    await allowForUsers(t.app, [t.app.defaultPolicyId, used.id]);
    await expect(t.app.policies.remove('in-use')).rejects.toThrow('The storage policy "in-use" is still used by the group(s) "User"');

    await t.app.vfs.mkdir(principal, parsePath('/docs'));
    await t.app.folderPolicies.bind(principal, parsePath('/docs'), 'in-use');
    await t.app.vfs.write(principal, parsePath('/docs/a.txt'), bodyOf('stored in the policy'));
    await expect(t.app.policies.remove('in-use')).rejects.toThrow(/1 stored file content\(s\).*"User", 1 bound folder\(s\)/);

    await t.app.folderPolicies.unbind(principal, parsePath('/docs'));
    await allowForUsers(t.app, [t.app.defaultPolicyId]);
    await expect(t.app.policies.remove('in-use')).rejects.toThrow(/still used by 1 stored file content\(s\) \(move them with/);
    // For good: trashed files (issue 12) still use the policy.
    await t.app.vfs.delete(principal, parsePath('/docs'), { permanent: true });
    await t.app.policies.remove('in-use');
    await expect(t.app.policies.get('in-use')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(t.app.backends.has(used.id)).toBe(false);
  });

  it('follows a change another process makes to a policy once the shared counter is read again', async () => {
    let now = Date.now();
    const watcher = await t.reopen({ clock: () => now });
    const moved = await localPolicy(t.app, t.dataDir, 'moving');
    const before = await watcher.policyRegistry.backendOf(moved.id);
    await t.app.policies.update('moving', { settings: { path: `${moved.dir}-elsewhere`, inlineMaxBytes: 1000 } });
    // Within the second the counter is cached: the old backend still answers.
    expect(await watcher.policyRegistry.backendOf(moved.id)).toBe(before);
    now += 1500;
    expect(await watcher.policyRegistry.backendOf(moved.id)).not.toBe(before);
    expect(await watcher.policyRegistry.inlineMaxBytesOf(moved.id)).toBe(1000);
  });

  it('gives a policy added by another process to this one when it is first used', async () => {
    const other = await t.reopen();
    const added = await localPolicy(other, t.dataDir, 'from-elsewhere');
    await expect(t.app.policyRegistry.backendOf(added.id)).resolves.toMatchObject({ type: 'local' });
  });

  it('closes the backend of a policy that changed or went, and every backend when the app stops', async () => {
    const app = await t.reopen({ retiredBackendGraceMs: 0 });
    const unreachable = { endpoint: 'http://127.0.0.1:9', bucket: 'b', accessKeyId: 'AKID', secretAccessKey: 'SECRET-KEY' };
    const changing = await app.policies.add({ name: 'changing', type: 's3', settings: unreachable });
    const going = await app.policies.add({ name: 'going', type: 's3', settings: unreachable });
    const staying = await app.policies.add({ name: 'staying', type: 's3', settings: unreachable });
    const closes = async (id: number) => vi.spyOn(await app.policyRegistry.backendOf(id), 'close');
    const [changed, gone, stayed] = [await closes(changing.id), await closes(going.id), await closes(staying.id)];

    await app.policies.update('changing', { settings: { prefix: 'elsewhere/' } });
    await app.policyRegistry.reload();
    await expect.poll(() => changed.mock.calls.length).toBe(1);
    await app.policies.remove('going');
    await expect.poll(() => gone.mock.calls.length).toBe(1);
    expect(stayed).not.toHaveBeenCalled();

    await app.close();
    expect(stayed).toHaveBeenCalledTimes(1);
    expect(changed).toHaveBeenCalledTimes(1);
  });
});
