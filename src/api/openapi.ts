import { z } from 'zod';
import type { RouteSpec } from './context.js';

/**
 * The OpenAPI 3.1 description of the API, generated from the same zod schemas that validate
 * every request and response (JSON Schema 2020-12, which OpenAPI 3.1 uses as is).
 */
export function openApiDocument(routes: readonly RouteSpec[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = `/api/v4${route.url}`.replace(/:(\w+)/g, '{$1}');
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Cumulus REST API',
      version,
      description:
        'Compatible with Cloudreve V4 clients. Every answer is HTTP 200 with {code, msg, data}: code 0 on success, ' +
        'a Cloudreve error code otherwise (401 only when a signed-in user is required and none is).',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Error: jsonSchema(errorSchema, 'output') },
    },
    paths,
  };
}

const errorSchema = z.object({
  code: z.number().int().describe('Cloudreve error code, never 0'),
  msg: z.string(),
  correlation_id: z.string(),
  data: z.unknown().optional(),
  aggregated_error: z
    .record(z.string(), z.object({ code: z.number().int(), msg: z.string(), correlation_id: z.string() }))
    .optional()
    .describe('40081 only: the failure of each URI'),
});

function operation(route: RouteSpec): Record<string, unknown> {
  const success = {
    type: 'object',
    required: ['code', 'msg'],
    properties: {
      code: { const: 0 },
      msg: { const: '' },
      ...(route.response && { data: jsonSchema(route.response, 'output') }),
    },
  };
  return {
    summary: route.summary,
    tags: [route.tag],
    security: route.auth === 'required' ? [{ bearer: [] }] : route.auth === 'optional' ? [{}, { bearer: [] }] : [],
    parameters: [...pathParameters(route.url), ...(route.query ? queryParameters(route.query) : [])],
    ...(route.body && {
      requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } },
    }),
    responses: {
      200: {
        description: 'The envelope: success, or an error code and message',
        content: { 'application/json': { schema: { oneOf: [success, { $ref: '#/components/schemas/Error' }] } } },
      },
    },
  };
}

function pathParameters(url: string): unknown[] {
  return [...url.matchAll(/:(\w+)/g)].map((match) => ({ name: match[1], in: 'path', required: true, schema: { type: 'string' } }));
}

function queryParameters(schema: z.ZodType): unknown[] {
  const object = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(object.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: object.required?.includes(name) ?? false,
    schema: property,
  }));
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' });
  return rest;
}
