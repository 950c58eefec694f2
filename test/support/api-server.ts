import type { FastifyInstance } from 'fastify';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll } from 'vitest';
import type { AppOptions } from '../../src/app.js';
import type { ConfigInput } from '../../src/config/index.js';
import type { Principal, User, VPath } from '../../src/core/index.js';
import type { SqlDialectName } from '../../src/db/index.js';
import { buildHttpServer } from '../../src/http/index.js';
import { startTestApp, type TestApp } from './app.js';
import { unchangedBy } from './inspect.js';

export const PASSWORD = 'correct horse battery';

/** The Cloudreve V4 envelope (contract 3.1). */
export interface Envelope<T = unknown> {
  readonly code: number;
  readonly msg: string;
  readonly data?: T;
  readonly correlation_id?: string;
  readonly aggregated_error?: Record<string, { code: number; msg: string; correlation_id: string }>;
}

export interface ApiResponse<T = unknown> extends Envelope<T> {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
}

export interface ApiServer {
  readonly t: TestApp;
  readonly server: FastifyInstance;
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  close(): Promise<void>;
}

/** A real server on a loopback port: the API, WebDAV and everything else `cumulus serve` mounts. */
export async function startApiServer(
  dialect: SqlDialectName = 'sqlite',
  options: Partial<AppOptions> & { config?: ConfigInput } = {},
): Promise<ApiServer> {
  const t = await startTestApp(dialect, options);
  const server = await buildHttpServer(t.app);
  await server.listen({ host: '127.0.0.1', port: 0 });
  const origin = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  return {
    t,
    server,
    origin,
    async close() {
      await server.close();
      await t.close();
    },
  };
}

/**
 * The server of a describe block: started before its tests (beforeAll) and closed after them
 * (afterAll), so each test file need not repeat the hooks. The answer stands for the started
 * server and may be used in tests and later hooks; touching it before it has started throws.
 */
export function useApiServer(dialect: SqlDialectName = 'sqlite', options: Partial<AppOptions> & { config?: ConfigInput } = {}): ApiServer {
  let started: ApiServer | undefined;
  beforeAll(async () => {
    started = await startApiServer(dialect, options);
  });
  afterAll(async () => {
    await started?.close();
  });
  const current = (): ApiServer => {
    if (!started) throw new Error('The API server starts in beforeAll: use it in a test or a hook');
    return started;
  };
  return {
    get t() {
      return current().t;
    },
    get server() {
      return current().server;
    },
    get origin() {
      return current().origin;
    },
    close: () => current().close(),
  };
}

export interface CallOptions {
  /** Sent as `Authorization: Bearer …`. */
  readonly token?: string;
  /** Sent as JSON with Content-Type: application/json (OpenList does so even for DELETE). */
  readonly json?: unknown;
  /** A raw body, sent as given. */
  readonly body?: string;
  readonly headers?: Record<string, string>;
  readonly query?: Record<string, string | number | boolean>;
  /** The client address to connect from (127.0.0.0/8), so throttling can be observed per address. */
  readonly from?: string;
}

/** One API call, the way the OpenList driver makes it (contract section 2). */
export async function call<T = unknown>(api: ApiServer, method: string, path: string, options: CallOptions = {}): Promise<ApiResponse<T>> {
  const url = new URL(`${api.origin}/api/v4${path}`);
  for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, String(value));
  const headers: Record<string, string> = { Accept: 'application/json, text/plain, */*', ...options.headers };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  let body = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['Content-Type'] ??= 'application/json';
  }
  if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body));
  const { status, responseHeaders, text } = await new Promise<{ status: number; responseHeaders: http.IncomingHttpHeaders; text: string }>(
    (resolve, reject) => {
      const request = http.request(
        { host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers, agent: false, localAddress: options.from },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, responseHeaders: response.headers, text: Buffer.concat(chunks).toString('utf8') }),
          );
        },
      );
      request.on('error', reject);
      request.end(body);
    },
  );
  let parsed: Envelope<T>;
  try {
    parsed = JSON.parse(text) as Envelope<T>;
  } catch {
    throw new Error(`${method} ${path} answered HTTP ${status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
  return { ...parsed, status, headers: responseHeaders };
}

export interface Tokens {
  readonly access_token: string;
  readonly refresh_token: string;
  readonly access_expires: string;
  readonly refresh_expires: string;
}

/** Signs in over HTTP and returns the token pair. */
export async function login(api: ApiServer, email: string, password = PASSWORD): Promise<Tokens> {
  const response = await call<{ token: Tokens }>(api, 'POST', '/session/token', { json: { email, password } });
  if (response.code !== 0) throw new Error(`login failed: ${response.code} ${response.msg}`);
  return response.data!.token;
}

/** A new user (in the User group unless `group` names another) and a signed-in access token for them. */
export async function signedInUser(
  api: ApiServer,
  email?: string,
  group: string | number = 'User',
): Promise<{ user: User; tokens: Tokens; token: string }> {
  const { user: created } = await api.t.newUser(email);
  const user = group === 'User' ? created : await api.t.app.users.setGroup(created.id, group);
  const tokens = await login(api, user.email);
  return { user, tokens, token: tokens.access_token };
}

/** The JSON payload of a JWT, decoded the way OpenList does (base64url without padding). */
export function jwtPayload(token: string): Record<string, unknown> {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error(`not a JWT: ${token}`);
  if (parts[1]!.includes('=')) throw new Error('JWT payload is padded');
  return JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Contract section 6, as the tests read it. */
export interface FileJson {
  type: 0 | 1;
  id: string;
  name: string;
  created_at: string;
  updated_at: string;
  size: number;
  metadata: Record<string, string> | null;
  path: string;
  folder_summary?: { size: number; files: number; folders: number; completed: boolean };
}

/** Contract 7.3, as the tests read it. */
export interface ListJson {
  files: FileJson[];
  parent: FileJson;
  pagination: { page: number; page_size: number; next_token?: string; is_cursor: boolean };
}

/** A new signed-in user (in `group`, User by default): their record, token, principal, and a `call` that sends their token. */
export async function apiUser(api: ApiServer, group: string | number = 'User') {
  const { user: record, token } = await signedInUser(api, undefined, group);
  const principal = await api.t.app.users.principalFor(record);
  const as = <T = unknown>(method: string, path: string, options: CallOptions = {}) => call<T>(api, method, path, { ...options, token });
  return { record, token, principal, as };
}

/** Writes a file straight through the vfs (test setup, not under test). */
export async function writeFile(api: ApiServer, principal: Principal, path: VPath, content: string, mtime?: number): Promise<void> {
  await api.t.app.vfs.write(principal, path, Readable.from([Buffer.from(content)]), { mtime });
}

/** Every row a request could change: entries, locks, blobs and storage counters. */
async function snapshot(api: ApiServer) {
  const db = api.t.app.database.db;
  return {
    entries: await db
      .selectFrom('entries')
      .select(['id', 'parent_id', 'name', 'kind', 'size', 'mtime', 'etag', 'blob_id'])
      .orderBy('id')
      .execute(),
    locks: await db.selectFrom('locks').select(['token', 'entry_id', 'expires_at']).orderBy('token').execute(),
    blobs: await db.selectFrom('blobs').select(['id', 'state', 'ref_count']).orderBy('id').execute(),
    used: await db.selectFrom('users').select(['id', 'storage_used']).orderBy('id').execute(),
  };
}

/** Runs requests and asserts that they changed nothing. */
export function unchanged<T>(api: ApiServer, act: () => Promise<T>): Promise<T> {
  return unchangedBy(() => snapshot(api), act);
}
