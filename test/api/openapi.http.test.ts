// The OpenAPI description served at /api/v4/openapi.json, generated from the zod schemas
// that validate every request and response: every route is there with its parameters,
// body and response shape.
import { beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES } from '../../src/api/index.js';
import { useApiServer } from '../support/api-server.js';

interface Operation {
  summary: string;
  parameters: Array<{ name: string; in: string; required: boolean }>;
  requestBody?: { content: { 'application/json': { schema: { properties: Record<string, unknown>; required?: string[] } } } };
  responses: { 200: { content: { 'application/json': { schema: { oneOf: Array<{ properties?: { data?: unknown } }> } } } } };
  security: unknown[];
}

describe('OpenAPI description', () => {
  const api = useApiServer('sqlite');
  let document: { openapi: string; paths: Record<string, Record<string, Operation>> };

  beforeAll(async () => {
    const response = await fetch(`${api.origin}/api/v4/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    document = (await response.json()) as typeof document;
  });

  it('describes every route', () => {
    expect(document.openapi).toBe('3.1.0');
    const described = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method} ${path}`),
    );
    const routes = API_ROUTES.map((route) => `${route.method.toLowerCase()} /api/v4${route.url.replace(/:(\w+)/g, '{$1}')}`);
    expect(described.sort()).toEqual(routes.sort());
    for (const path of ['/api/v4/file', '/api/v4/file/info', '/api/v4/file/move', '/api/v4/session/token', '/api/v4/user/capacity']) {
      expect(document.paths[path], path).toBeDefined();
    }
  });

  it('takes parameters, bodies and response shapes from the route schemas', () => {
    const list = document.paths['/api/v4/file']!.get!;
    expect(list.parameters.map((p) => [p.name, p.in, p.required])).toContainEqual(['uri', 'query', true]);
    expect(list.parameters.map((p) => p.name)).toEqual(
      expect.arrayContaining(['page_size', 'order_by', 'order_direction', 'next_page_token']),
    );
    const listData = list.responses[200].content['application/json'].schema.oneOf[0]!.properties!.data as {
      properties: Record<string, unknown>;
    };
    expect(Object.keys(listData.properties)).toEqual(expect.arrayContaining(['files', 'parent', 'pagination', 'props']));

    const move = document.paths['/api/v4/file/move']!.post!;
    expect(move.requestBody!.content['application/json'].schema.required).toEqual(expect.arrayContaining(['uris', 'dst']));
    expect(move.security).toEqual([{}, { bearer: [] }]);
    const login = document.paths['/api/v4/session/token']!.post!;
    expect(Object.keys(login.requestBody!.content['application/json'].schema.properties)).toEqual(
      expect.arrayContaining(['email', 'password']),
    );
    expect(login.security).toEqual([]);
    expect(document.paths['/api/v4/user/capacity']!.get!.security).toEqual([{ bearer: [] }]);
    expect(document.paths['/api/v4/site/config/{section}']!.get!.parameters).toContainEqual(
      expect.objectContaining({ name: 'section', in: 'path' }),
    );
  });
});
