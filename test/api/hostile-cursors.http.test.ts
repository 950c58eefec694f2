import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { apiUser, useApiServer, writeFile } from '../support/api-server.js';

// Issue 10 item 7: a forged or garbage list cursor is the client's mistake (40001 with a clear
// message), never a database error answered as 500.

const token = (payload: unknown) => Buffer.from(JSON.stringify(payload)).toString('base64url');

describe.each(DIALECTS)('forged list cursors on %s', (dialect) => {
  const api = useApiServer(dialect);

  it('are refused as invalid parameters, for listings and searches', async () => {
    const { principal, as } = await apiUser(api);
    for (let i = 0; i < 12; i++) await writeFile(api, principal, [`f${i}`], 'x'.repeat(i));
    const orders = { name: 'name', size: 'size', updated_at: 'modified', created_at: 'created' } as const;
    const forged: Array<[string, unknown]> = [];
    for (const [orderBy, sort] of Object.entries(orders)) {
      const other = sort === 'name' ? 5 : 'abc';
      forged.push(
        [orderBy, [1, other, 3, sort, 'asc', 1]],
        [orderBy, [1, sort === 'name' ? 'a\u0000b' : 1e300, 3, sort, 'asc', 1]],
        [orderBy, [1, sort === 'name' ? 'a'.repeat(5000) : 1.5, 3, sort, 'asc', 1]],
        [orderBy, [1, sort === 'name' ? 'a' : 1, 1e300, sort, 'asc', 1]],
        [orderBy, [1, sort === 'name' ? 'a' : 1, -1, sort, 'asc', 1]],
        [orderBy, [7.5, sort === 'name' ? 'a' : 1, 3, sort, 'asc', 1]],
        [orderBy, { not: 'a list' }],
        [orderBy, 'garbage'],
      );
    }
    for (const [orderBy, payload] of forged) {
      const query = {
        uri: 'cloudreve://my',
        page_size: 10,
        order_by: orderBy,
        next_page_token: typeof payload === 'string' ? payload : token(payload),
      };
      const answer = await as('GET', '/file', { query });
      expect({ status: answer.status, code: answer.code, msg: answer.msg }, JSON.stringify(payload)).toEqual({
        status: 200,
        code: 40001,
        msg: expect.stringMatching(/cursor is not valid/),
      });
    }
    for (const payload of [['search', 0, 1e300], ['search', 0.5, 3], ['search', 0, -4], ['search', 0, 3, 'extra'], 'garbage']) {
      const next = typeof payload === 'string' ? payload : token(payload);
      const answer = await as('GET', '/file', { query: { uri: 'cloudreve://my?name=f', page_size: 10, next_page_token: next } });
      expect({ status: answer.status, code: answer.code }, JSON.stringify(payload)).toEqual({ status: 200, code: 40001 });
      expect(answer.msg).toMatch(/page token is not valid/);
    }
    // The server keeps serving, and a real cursor still works.
    const first = await as<{ pagination: { next_token?: string } }>('GET', '/file', { query: { uri: 'cloudreve://my', page_size: 10 } });
    expect(first.code).toBe(0);
    const second = await as('GET', '/file', {
      query: { uri: 'cloudreve://my', page_size: 10, next_page_token: first.data!.pagination.next_token! },
    });
    expect(second.code).toBe(0);
  });
});
