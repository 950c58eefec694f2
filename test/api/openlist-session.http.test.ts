// A client session played the way the OpenList "Cloudreve V4" driver plays it (contract
// sections 2, 5, 7, 8 and 11 to 14): its headers, its login steps, its list loop (continue
// while next_token is set and the page held 100 items), raw names appended to paths, one URI
// per move, its delete body, a 60 MiB chunked upload, a signed download URL fetched with a
// Range, and a refresh when the access token has under 10 minutes left.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { PASSWORD, call, jwtPayload, useApiServer, type FileJson, type ListJson, type Tokens } from '../support/api-server.js';

const USER_AGENT =
  'Mozilla/5.0 (Macintosh; Apple macOS 26_1_0) AppleWebKit/537.36 (KHTML, like Gecko) Safari/537.36 Chrome/142.0.0.0 OpenList/425.6.30';

describe.each(DIALECTS)('an OpenList-like client session (%s)', (dialect) => {
  let now = Date.now();
  const api = useApiServer(dialect, { clock: () => now });

  it('logs in, lists 250 entries in pages of 100, creates, moves, renames, uploads 60 MiB in chunks, downloads by URL, deletes and refreshes', async () => {
    const { user } = await api.t.newUser('openlist@example.test');
    const root = 'cloudreve://my';
    let tokens: Tokens | null = null;

    /** OL util.go `_request`: headers, refresh ahead of expiry, any non-zero code is an error. */
    async function request<T>(method: string, path: string, options: { query?: Record<string, string | number>; json?: unknown } = {}) {
      if (tokens && new Date(tokens.access_expires).getTime() - now < 10 * 60_000) {
        const refreshed = await call<Tokens>(api, 'POST', '/session/token/refresh', {
          json: { refresh_token: tokens.refresh_token },
          headers: { 'User-Agent': USER_AGENT },
          token: tokens.access_token,
        });
        expect(refreshed.code, refreshed.msg).toBe(0);
        // OL parses the refresh token's payload itself.
        expect(typeof jwtPayload(refreshed.data!.refresh_token).exp).toBe('number');
        tokens = refreshed.data!;
      }
      const response = await call<T>(api, method, path, {
        ...options,
        headers: { 'User-Agent': USER_AGENT },
        ...(tokens && { token: tokens.access_token }),
      });
      expect(response.status).toBe(200);
      return response;
    }

    // Login (OL doLogin).
    const loginConfig = await request<{ login_captcha?: boolean }>('GET', '/site/config/login');
    expect(loginConfig.data?.login_captcha ?? false).toBe(false);
    const prepare = await request<{ password_enabled: boolean; webauthn_enabled: boolean }>('GET', `/session/prepare?email=${user.email}`);
    expect(prepare.data).toEqual({ password_enabled: true, webauthn_enabled: false });
    const login = await request<{ token: Tokens }>('POST', '/session/token', { json: { email: user.email, password: PASSWORD } });
    expect(login.code).toBe(0);
    tokens = login.data!.token;

    // MakeDir: Get first (40016 means "create"), then create with OL's body.
    const missing = await request('GET', '/file/info', { query: { uri: `${root}/Library` } });
    expect(missing.code).toBe(40016);
    const library = await request<FileJson>('POST', '/file/create', {
      json: { type: 'folder', uri: `${root}/Library`, error_on_conflict: true },
    });
    expect(library.code).toBe(0);
    const principal = await api.t.app.users.principalFor(user);
    for (let i = 0; i < 250; i++) {
      if (i < 30) await api.t.app.vfs.mkdir(principal, ['Library', `folder ${String(i).padStart(3, '0')}`]);
      else await api.t.app.vfs.write(principal, ['Library', `file ${String(i).padStart(3, '0')}.txt`], Readable.from(['x']));
    }

    // List (OL List): page=0, page_size=100, the configured order; loop on next_token.
    const listed: FileJson[] = [];
    let pages = 0;
    let nextToken = '';
    for (;;) {
      const page = await request<ListJson>('GET', '/file', {
        query: {
          uri: library.data!.path,
          page: 0,
          page_size: 100,
          order_by: 'name',
          order_direction: 'asc',
          ...(nextToken && { next_page_token: nextToken }),
        },
      });
      expect(page.code, page.msg).toBe(0);
      pages++;
      listed.push(...page.data!.files);
      nextToken = page.data!.pagination.next_token ?? '';
      if (nextToken === '' || page.data!.files.length !== 100) break;
    }
    expect(pages).toBe(3);
    expect(listed).toHaveLength(250);
    expect(listed.slice(0, 30).every((file) => file.type === 1)).toBe(true);
    expect(new Set(listed.map((file) => file.id)).size).toBe(250);

    // Time passes; the next call refreshes first (access token under 10 minutes from expiry).
    now += 55 * 60_000;
    const before = tokens.refresh_token;

    // Move one URI per call, into a folder made with a raw name appended to a path.
    const target = await request<FileJson>('POST', '/file/create', {
      json: { type: 'folder', uri: `${library.data!.path}/Sorted & kept`, error_on_conflict: true },
    });
    expect(target.data!.path).toBe('cloudreve://my/Library/Sorted%20%26%20kept');
    expect(tokens.refresh_token).not.toBe(before);
    const file = listed.find((entry) => entry.name === 'file 100.txt')!;
    const moved = await request('POST', '/file/move', { json: { uris: [file.path], dst: target.data!.path, copy: false } });
    expect(moved.code, moved.msg).toBe(0);
    const copied = await request('POST', '/file/move', { json: { uris: [listed[0]!.path], dst: target.data!.path, copy: true } });
    expect(copied.code).toBe(0);

    // Get with root_folder_path + raw OpenList path, then rename (OL Rename).
    const got = await request<FileJson>('GET', '/file/info', { query: { uri: `${root}/Library/Sorted & kept/file 100.txt` } });
    expect(got.data!.id).toBe(file.id);
    const renamed = await request<FileJson>('POST', '/file/rename', { json: { uri: got.data!.path, new_name: 'file 100 (renamed).txt' } });
    expect(renamed.data).toMatchObject({ id: file.id, path: 'cloudreve://my/Library/Sorted%20%26%20kept/file%20100%20(renamed).txt' });

    // Upload 60 MiB (OL Put, local policy): a session, then each chunk as one buffer, in order.
    const size = 60 * 1024 * 1024;
    const content = Buffer.alloc(size);
    for (let i = 0; i < size; i += 4) content.writeUInt32LE((i * 2654435761) >>> 0, i);
    const uploadUri = `${target.data!.path}/big video.mp4`;
    const session = await request<{ session_id: string; chunk_size: number; expires: number; storage_policy: { type: string } }>(
      'PUT',
      '/file/upload',
      { json: { uri: uploadUri, size, policy_id: '', last_modified: now - 86_400_000, mime_type: 'video/mp4' } },
    );
    expect(session.code, session.msg).toBe(0);
    expect(session.data!.storage_policy.type).toBe('local');
    expect(Number.isInteger(session.data!.expires)).toBe(true);
    const chunkSize = session.data!.chunk_size;
    expect(chunkSize).toBeGreaterThan(0);
    // Contract 15.1: while the session is open, the placeholder lists empty and marked.
    const placeholder = await request<FileJson>('GET', '/file/info', { query: { uri: uploadUri } });
    expect(placeholder.data).toMatchObject({ size: 0, metadata: { 'sys:upload_session_id': session.data!.session_id } });
    for (let index = 0; index * chunkSize < size; index++) {
      const chunk = content.subarray(index * chunkSize, Math.min(size, (index + 1) * chunkSize));
      const response = await fetch(`${api.origin}/api/v4/file/upload/${session.data!.session_id}/${index}`, {
        method: 'POST',
        headers: {
          'User-Agent': USER_AGENT,
          Authorization: `Bearer ${tokens.access_token}`,
          'Content-Type': 'application/octet-stream',
          'Content-Length': String(chunk.length),
        },
        body: chunk,
      });
      expect(((await response.json()) as { code: number }).code).toBe(0);
    }
    const uploaded = await request<FileJson>('GET', '/file/info', { query: { uri: uploadUri } });
    expect(uploaded.data).toMatchObject({ size, metadata: null, updated_at: new Date(now - 86_400_000).toISOString() });

    // Link (OL Link): an absolute signed URL, fetched without a token, with a Range.
    const urls = await request<{ urls: Array<{ url: string }>; expires: string }>('POST', '/file/url', {
      json: { uris: [uploadUri], download: true },
    });
    expect(urls.code, urls.msg).toBe(0);
    const link = urls.data!.urls[0]!.url;
    expect(link.startsWith(`${api.origin}/`)).toBe(true);
    const ranged = await fetch(link, { headers: { Range: 'bytes=31457280-31457289' } });
    expect(ranged.status).toBe(206);
    expect(Buffer.from(await ranged.arrayBuffer())).toEqual(content.subarray(31457280, 31457290));
    expect(ranged.headers.get('content-disposition')).toMatch(/^attachment/);
    const whole = createHash('sha256')
      .update(Buffer.from(await (await fetch(link)).arrayBuffer()))
      .digest('hex');
    expect(whole).toBe(createHash('sha256').update(content).digest('hex'));
    expect((await request('DELETE', '/file', { json: { uris: [uploadUri], unlink: false, skip_soft_delete: true } })).code).toBe(0);

    // Remove (OL Remove): JSON body on DELETE.
    const removed = await request('DELETE', '/file', { json: { uris: [renamed.data!.path], unlink: false, skip_soft_delete: true } });
    expect(removed).toMatchObject({ code: 0, msg: '' });
    expect((await request('GET', '/file/info', { query: { uri: renamed.data!.path } })).code).toBe(40016);

    // Storage details (OL GetDetails).
    const capacity = await request<{ total: number; used: number }>('GET', '/user/capacity');
    expect(capacity.data!.used).toBe(219);
  });
});
