import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { AppOptions } from '../../src/app.js';
import type { ConfigInput } from '../../src/config/index.js';
import type { SqlDialectName } from '../../src/db/index.js';
import { buildHttpServer } from '../../src/http/index.js';
import { startTestApp, type TestApp } from './app.js';

export interface DavServer {
  readonly t: TestApp;
  readonly server: FastifyInstance;
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  /** origin + /dav/ */
  readonly url: string;
  readonly email: string;
  /** A read-write WebDAV account over the user's whole tree. */
  readonly password: string;
  close(): Promise<void>;
}

/** A real server on a loopback port, with one user and one WebDAV account. */
export async function startDavServer(
  dialect: SqlDialectName = 'sqlite',
  options: Partial<AppOptions> & { config?: ConfigInput } = {},
): Promise<DavServer> {
  const t = await startTestApp(dialect, options);
  const { user } = await t.newUser();
  const { password } = await t.app.davAccounts.create({ userId: user.id, name: 'test device' });
  const server = await buildHttpServer(t.app);
  await server.listen({ host: '127.0.0.1', port: 0 });
  const origin = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  return {
    t,
    server,
    origin,
    url: `${origin}/dav/`,
    email: user.email,
    password,
    async close() {
      await server.close();
      await t.close();
    },
  };
}

/** A fetch against the server with Basic credentials. */
export function davFetch(
  dav: DavServer,
  path: string,
  init: RequestInit & { auth?: { email: string; password: string } | null } = {},
): Promise<Response> {
  const { auth, ...rest } = init;
  const credentials = auth === undefined ? { email: dav.email, password: dav.password } : auth;
  const headers = new Headers(rest.headers);
  if (credentials) headers.set('Authorization', `Basic ${Buffer.from(`${credentials.email}:${credentials.password}`).toString('base64')}`);
  return fetch(`${dav.origin}${path}`, { ...rest, headers });
}
