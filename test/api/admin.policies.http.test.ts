// Over real HTTP, on both databases: storage policies through the administration API
// (/admin/policy, issue 11) and a folder's policy through /file/policy, with the bytes of an
// API upload and of a WebDAV PUT into a bound folder landing in the bound policy's directory.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeId } from '../../src/auth/index.js';
import { parsePath } from '../../src/core/index.js';
import { DIALECTS } from '../support/databases.js';
import { apiUser, call, useApiServer } from '../support/api-server.js';
import { placeOf, storedIn } from '../services/policies/support.js';

interface PolicyJson {
  id: string;
  name: string;
  type: string;
  settings: Record<string, unknown>;
  inline_max_bytes: number;
  usage: { blobs: number; bytes: number; folders: number; groups: string[] };
}

interface FolderPolicyJson {
  policy: { id: string; name: string };
  bound: boolean;
  inherited_from_parent: boolean;
  options: Array<{ id: string; name: string; type: string }>;
}

describe.each(DIALECTS)('Storage policies over HTTP (%s)', (dialect) => {
  const api = useApiServer(dialect);
  let admin: Awaited<ReturnType<typeof apiUser>>;
  let archive: PolicyJson;

  beforeAll(async () => {
    admin = await apiUser(api, 'Admin');
  });

  const dirOf = (name: string) => path.join(api.t.dataDir, name);

  it('adds, shows, changes, tests and lists policies; secrets never come back', async () => {
    const created = await admin.as<PolicyJson>('PUT', '/admin/policy', {
      json: { name: 'archive', type: 'local', settings: { path: dirOf('archive'), inlineMaxBytes: 0 } },
    });
    expect(created).toMatchObject({ code: 0, data: { name: 'archive', type: 'local', inline_max_bytes: 0, usage: { blobs: 0 } } });
    archive = created.data!;

    const s3 = await admin.as<PolicyJson>('PUT', '/admin/policy', {
      json: {
        name: 'bucket',
        type: 's3',
        settings: { endpoint: 'http://127.0.0.1:9', bucket: 'b', accessKeyId: 'AK', secretAccessKey: 'S3-SECRET-XYZ' },
      },
    });
    expect(s3.data!.settings.secretAccessKey).toBe('(set)');
    const listed = await admin.as<{ policies: PolicyJson[] }>('POST', '/admin/policy');
    expect(listed.data!.policies.map((p) => p.name)).toEqual(['Default local storage', 'archive', 'bucket']);
    expect(JSON.stringify(listed)).not.toContain('S3-SECRET-XYZ');

    const renamed = await admin.as<PolicyJson>('PUT', `/admin/policy/${s3.data!.id}`, {
      json: { name: 'bucket-2', settings: { prefix: 'p/' } },
    });
    expect(renamed.data).toMatchObject({ name: 'bucket-2', settings: { prefix: 'p/', secretAccessKey: '(set)' } });
    expect((await admin.as<PolicyJson>('GET', `/admin/policy/${archive.id}`)).data!.name).toBe('archive');

    expect((await admin.as('POST', `/admin/policy/${archive.id}/test`)).data).toMatchObject({ ok: true });
    expect(await admin.as('DELETE', `/admin/policy/${s3.data!.id}`)).toMatchObject({ code: 0 });
    expect(await admin.as('GET', `/admin/policy/${s3.data!.id}`)).toMatchObject({ code: 40016 });
  });

  it('answers bad input and non-administrators precisely, changing nothing', async () => {
    const bad = await admin.as('PUT', '/admin/policy', { json: { name: 'x', type: 'local', settings: { inlineMaxBytes: 5 } } });
    expect(bad).toMatchObject({ code: 40001, msg: expect.stringContaining('Invalid settings for a storage policy of type local: path:') });
    expect(await admin.as('PUT', '/admin/policy', { json: { name: 'archive', type: 'local', settings: { path: 'x' } } })).toMatchObject({
      code: 40004,
    });
    const user = await apiUser(api);
    expect(await user.as('POST', '/admin/policy')).toMatchObject({ code: 403 });
    expect(await admin.as('GET', '/admin/policy/nope')).toMatchObject({ code: 40016 });
  });

  it('lets a group use the policy; a member binds a folder; uploads and WebDAV PUTs land in it', async () => {
    const member = await apiUser(api);
    const uri = 'cloudreve://my/Archive';
    await api.t.app.vfs.mkdir(member.principal, parsePath('/Archive/2024'), { parents: true });

    const refused = await member.as('PUT', '/file/policy', { json: { uri, policy_id: archive.id } });
    expect(refused).toMatchObject({ code: 403, msg: expect.stringContaining('The group "User" may not use the storage policy "archive"') });

    const userGroup = (await api.t.app.groups.get('User')).id;
    const changed = await admin.as<{ storage_policies: string[] }>('PUT', `/admin/group/${encodeId('group', userGroup)}`, {
      json: { storage_policies: [String(api.t.app.defaultPolicyId), archive.id] },
    });
    expect(changed.data!.storage_policies).toEqual([String(api.t.app.defaultPolicyId), archive.id]);
    expect(await admin.as('PUT', `/admin/group/${encodeId('group', userGroup)}`, { json: { storage_policies: ['999999'] } })).toMatchObject(
      {
        code: 40016,
      },
    );

    const bound = await member.as<FolderPolicyJson>('PUT', '/file/policy', { json: { uri, policy_id: archive.id } });
    expect(bound.data).toMatchObject({ policy: { name: 'archive' }, bound: true, inherited_from_parent: false });
    expect(bound.data!.options.map((p) => p.name)).toEqual(['Default local storage', 'archive']);
    const inherited = await member.as<FolderPolicyJson>('GET', '/file/policy', { query: { uri: `${uri}/2024` } });
    expect(inherited.data).toMatchObject({ policy: { name: 'archive' }, bound: false, inherited_from_parent: true });
    // The listing tells upload clients where a new file there goes (contract 7.3).
    const listing = await member.as<{ storage_policy: { id: string; name: string } }>('GET', '/file', { query: { uri: `${uri}/2024` } });
    expect(listing.data!.storage_policy).toMatchObject({ id: archive.id, name: 'archive' });

    // An API upload (contract 15) into a subfolder.
    const content = Buffer.from('uploaded through the API into the archive');
    const session = await member.as<{ session_id: string }>('PUT', '/file/upload', {
      json: { uri: `${uri}/2024/report.txt`, size: content.length, policy_id: archive.id, mime_type: '' },
    });
    const chunk = await fetch(`${api.origin}/api/v4/file/upload/${session.data!.session_id}/0`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${member.token}`, 'Content-Type': 'application/octet-stream' },
      body: content,
    });
    expect(await chunk.json()).toMatchObject({ code: 0 });
    const uploaded = await api.t.app.vfs.stat(member.principal, parsePath('/Archive/2024/report.txt'));
    expect((await placeOf(api.t.app, uploaded.blobId!)).policyId).toBe(Number(archive.id));
    expect(storedIn(dirOf('archive'), uploaded.blobId!)).toBe(true);

    // A WebDAV PUT with an account of the same user.
    const { password } = await api.t.app.davAccounts.create({ userId: member.record.id, name: 'laptop' });
    const put = await fetch(`${api.origin}/dav/Archive/from-dav.txt`, {
      method: 'PUT',
      headers: { Authorization: `Basic ${Buffer.from(`${member.record.email}:${password}`).toString('base64')}` },
      body: 'written over WebDAV',
    });
    expect(put.status).toBe(201);
    const davFile = await api.t.app.vfs.stat(member.principal, parsePath('/Archive/from-dav.txt'));
    expect(storedIn(dirOf('archive'), davFile.blobId!)).toBe(true);

    // In use now: removal is refused with what uses it.
    const refusedRemoval = await admin.as('DELETE', `/admin/policy/${archive.id}`);
    expect(refusedRemoval).toMatchObject({ code: 409, msg: expect.stringContaining('is still used by 2 stored file content(s)') });

    const unbound = await member.as<FolderPolicyJson>('PUT', '/file/policy', { json: { uri, policy_id: null } });
    expect(unbound.data).toMatchObject({ policy: { id: String(api.t.app.defaultPolicyId) }, bound: false });

    // An administrator queues moving them back; the job is on the queue.
    const queued = await admin.as<{ job_id: number; remaining: { blobs: number } }>('POST', '/admin/policy/migrate', {
      json: { to: String(api.t.app.defaultPolicyId), from: archive.id, user_id: encodeId('user', member.record.id), path: '/Archive' },
    });
    expect(queued.data!.remaining.blobs).toBe(2);
    expect((await api.t.app.jobs.queue.get(queued.data!.job_id)).kind).toBe('policy.migrate');
    expect(await call(api, 'POST', '/admin/policy/migrate', { token: member.token, json: { to: archive.id } })).toMatchObject({
      code: 403,
    });
  });
});
