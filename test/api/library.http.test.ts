// Photo libraries through the REST API (issue 12): mark, list, refuse duplicates and nesting
// with precise codes, unmark; the timeline lists a library's indexed photos newest first, in pages.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parsePath } from '../../src/core/index.js';
import { DIALECTS } from '../support/databases.js';
import { apiUser, useApiServer } from '../support/api-server.js';
import { jpeg } from '../services/photos/support.js';

interface LibraryJson {
  id: number;
  uri: string;
  import_uri: string | null;
  pending: number;
}

interface TimelineJson {
  items: Array<{ file: { name: string; path: string }; kind: string; taken_at: string }>;
  next_token: string | null;
}

describe.each(DIALECTS)('PUT/GET/DELETE /file/library and the timeline (%s)', (dialect) => {
  const api = useApiServer(dialect);

  it('marks a folder with an import folder, lists it, refuses a second mark and nesting, unmarks it', async () => {
    const { as, principal } = await apiUser(api);
    await api.t.app.vfs.mkdir(principal, parsePath('/Photos/Trips'), { parents: true });
    const added = await as<LibraryJson>('PUT', '/file/library', {
      json: { uri: 'cloudreve://my/Photos', import_uri: 'cloudreve://my/Photos/Import' },
    });
    expect(added.code, added.msg).toBe(0);
    expect(added.data).toMatchObject({ uri: 'cloudreve://my/Photos', import_uri: 'cloudreve://my/Photos/Import', pending: 0 });
    expect((await api.t.app.vfs.stat(principal, parsePath('/Photos/Import'))).kind).toBe('folder');
    expect((await as<LibraryJson[]>('GET', '/file/library')).data!.map((library) => library.uri)).toEqual(['cloudreve://my/Photos']);

    expect((await as('PUT', '/file/library', { json: { uri: 'cloudreve://my/Photos' } })).code).toBe(40004);
    const nested = await as('PUT', '/file/library', { json: { uri: 'cloudreve://my/Photos/Trips' } });
    expect(nested.code).toBe(409);
    expect(nested.msg).toMatch(/inside another/);
    expect((await as('PUT', '/file/library', { json: { uri: 'cloudreve://my/Nowhere' } })).code).toBe(40016);

    // Someone else sees none of it.
    const other = await apiUser(api);
    expect((await other.as<LibraryJson[]>('GET', '/file/library')).data).toEqual([]);
    expect((await other.as('GET', '/file/library/timeline', { query: { id: added.data!.id } })).code).toBe(40016);

    expect((await as('DELETE', '/file/library', { json: { uri: 'cloudreve://my/Photos' } })).code).toBe(0);
    expect((await as<LibraryJson[]>('GET', '/file/library')).data).toEqual([]);
    expect((await as('DELETE', '/file/library', { json: { uri: 'cloudreve://my/Photos' } })).code).toBe(40016);
  });

  it('lists indexed photos newest first, in pages', async () => {
    const { as, principal } = await apiUser(api);
    await api.t.app.vfs.mkdir(principal, parsePath('/Album'));
    const { id } = (await as<LibraryJson>('PUT', '/file/library', { json: { uri: 'cloudreve://my/Album' } })).data!;
    const taken = ['2020:01:05 10:00:00', '2022:03:01 10:00:00', '2021:07:09 10:00:00'];
    for (const [index, date] of taken.entries()) {
      const { entry } = await api.t.app.vfs.write(
        principal,
        ['Album', `p${index}.jpg`],
        Readable.from([await jpeg(`#10${index}0${index}0`, date)]),
      );
      await api.t.app.media.ensureIndexed(entry.blobId!, entry.name);
    }
    const first = await as<TimelineJson>('GET', '/file/library/timeline', { query: { id, page_size: 2 } });
    expect(first.code, first.msg).toBe(0);
    expect(first.data!.items.map((item) => [item.file.name, item.taken_at.slice(0, 10)])).toEqual([
      ['p1.jpg', '2022-03-01'],
      ['p2.jpg', '2021-07-09'],
    ]);
    const second = await as<TimelineJson>('GET', '/file/library/timeline', {
      query: { id, page_size: 2, next_page_token: first.data!.next_token! },
    });
    expect(second.data!.items.map((item) => item.file.name)).toEqual(['p0.jpg']);
    expect(second.data!.next_token).toBeNull();
    expect((await as('GET', '/file/library/timeline', { query: { id, next_page_token: 'garbage' } })).code).toBe(40001);
  });
});
