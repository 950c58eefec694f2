// Over real HTTP, on both databases: the trash and versions of issue 12 as Cloudreve V4 answers
// them (cloudreve://trash listing with sys:restore_uri and sys:expected_collect_time, restore,
// permanent delete, DELETE /file/trash; extended_info.entities, version/current, DELETE
// /file/version, and /file/url with an entity).
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { apiUser, useApiServer, writeFile, type FileJson, type ListJson } from '../support/api-server.js';
import { expectInvariants } from '../support/invariants.js';

interface InfoJson extends FileJson {
  extended_info: { storage_used: number; entities: Array<{ id: string; size: number; type: number }>; primary_entity: string };
}

describe.each(DIALECTS)('API trash and versions over HTTP (%s)', (dialect) => {
  const api = useApiServer(dialect);

  it('deletes into the trash, lists it, restores a folder whole, and deletes for good', async () => {
    const { principal, as } = await apiUser(api);
    await api.t.app.vfs.mkdir(principal, ['Docs']);
    await writeFile(api, principal, ['Docs', 'a.txt'], 'alpha');
    await writeFile(api, principal, ['b.txt'], 'bravo');
    expect((await as('DELETE', '/file', { json: { uris: ['cloudreve://my/Docs', 'cloudreve://my/b.txt'] } })).code).toBe(0);
    expect((await as('GET', '/file/info', { query: { uri: 'cloudreve://my/Docs/a.txt' } })).code).toBe(40016);

    const trash = await as<ListJson>('GET', '/file', { query: { uri: 'cloudreve://trash' } });
    expect(trash.code, trash.msg).toBe(0);
    const docs = trash.data!.files.find((f) => f.name === 'Docs')!;
    expect(docs.metadata!['sys:restore_uri']).toBe('cloudreve://my/Docs');
    expect(Number(docs.metadata!['sys:expected_collect_time'])).toBeGreaterThan(Date.now() / 1000 + 29 * 86400);
    const inside = await as<ListJson>('GET', '/file', { query: { uri: docs.path } });
    expect(inside.data!.files.map((f) => f.name)).toEqual(['a.txt']);

    const restored = await as('POST', '/file/restore', { json: { uris: [docs.path, 'cloudreve://trash/nope'] } });
    expect(restored.code).toBe(40081);
    expect(restored.aggregated_error!['cloudreve://trash/nope']).toBeDefined();
    const back = await as<ListJson>('GET', '/file', { query: { uri: 'cloudreve://my/Docs' } });
    expect(back.data!.files.map((f) => f.name)).toEqual(['a.txt']);

    const bravo = trash.data!.files.find((f) => f.name === 'b.txt')!;
    expect((await as('DELETE', '/file', { json: { uris: [bravo.path], skip_soft_delete: true } })).code).toBe(0);
    await as('DELETE', '/file', { json: { uris: ['cloudreve://my/Docs/a.txt'] } });
    expect((await as('DELETE', '/file/trash')).code).toBe(0);
    expect((await as<ListJson>('GET', '/file', { query: { uri: 'cloudreve://trash' } })).data!.files).toEqual([]);
    await as('DELETE', '/file', { json: { uris: ['cloudreve://my/Docs'], skip_soft_delete: true } });
    expect((await api.t.app.vfs.capacity({ ...principal, quota: 1e9 })).used).toBe(0);
    await expectInvariants(api.t.app.database);
  });

  it('lists versions as entities, downloads one, makes it current and deletes another', async () => {
    const { principal, as } = await apiUser(api);
    for (const content of ['v1', 'v2-', 'v3--']) await writeFile(api, principal, ['doc.txt'], content);
    const info = await as<InfoJson>('GET', '/file/info', { query: { uri: 'cloudreve://my/doc.txt', extended: 'true' } });
    const { entities, primary_entity, storage_used } = info.data!.extended_info;
    expect(entities.map((e) => e.size)).toEqual([4, 3, 2]);
    expect(primary_entity).toBe(entities[0]!.id);
    expect(storage_used).toBe(9);

    const url = await as<{ urls: Array<{ url: string }> }>('POST', '/file/url', {
      json: { uris: ['cloudreve://my/doc.txt'], entity: entities[2]!.id },
    });
    expect(url.code, url.msg).toBe(0);
    expect(await (await fetch(url.data!.urls[0]!.url)).text()).toBe('v1');

    const current = await as('POST', '/file/version/current', { json: { uri: 'cloudreve://my/doc.txt', version: entities[2]!.id } });
    expect(current.code, current.msg).toBe(0);
    const { stream } = await api.t.app.vfs.read(principal, ['doc.txt']);
    expect((await stream.toArray()).join('')).toBe('v1');
    expect((await as('DELETE', '/file/version', { json: { uri: 'cloudreve://my/doc.txt', version: entities[2]!.id } })).code).toBe(403);
    expect((await as('DELETE', '/file/version', { json: { uri: 'cloudreve://my/doc.txt', version: entities[1]!.id } })).code).toBe(0);
    expect((await as('DELETE', '/file/version', { json: { uri: 'cloudreve://my/doc.txt', version: 'nope' } })).code).toBe(40077);
    const after = await as<InfoJson>('GET', '/file/info', { query: { uri: 'cloudreve://my/doc.txt', extended: 'true' } });
    expect(after.data!.extended_info.entities.map((e) => e.size)).toEqual([2, 4]);
    await expectInvariants(api.t.app.database);
  });
});
