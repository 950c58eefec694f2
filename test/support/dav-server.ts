import type { AddressInfo } from 'node:net';
import type { AppOptions } from '../../src/app.js';
import type { ConfigInput } from '../../src/config/index.js';
import type { SqlDialectName } from '../../src/db/index.js';
import { buildHttpServer } from '../../src/http/index.js';
import { startApiServer, type ApiServer } from './api-server.js';

export interface DavServer extends ApiServer {
  /** origin + /dav/ */
  readonly url: string;
  readonly email: string;
  /** A read-write WebDAV account over the user's whole tree. */
  readonly password: string;
}

/** A real server on a loopback port, with one user and one WebDAV account. */
export async function startDavServer(
  dialect: SqlDialectName = 'sqlite',
  options: Partial<AppOptions> & { config?: ConfigInput } = {},
): Promise<DavServer> {
  const base = await startApiServer(dialect, options);
  const { user } = await base.t.newUser();
  const { password } = await base.t.app.davAccounts.create({ userId: user.id, name: 'test device' });
  return {
    ...base,
    url: `${base.origin}/dav/`,
    email: user.email,
    password,
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

/**
 * A second server process's worth of state on the same database and data directory as `first`
 * (another node behind a load balancer): its own App, pool and HTTP listener. The same accounts work.
 */
export async function startSecondNode(first: DavServer): Promise<DavServer> {
  const server = await buildHttpServer(await first.t.reopen());
  await server.listen({ host: '127.0.0.1', port: 0 });
  const origin = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  return { ...first, server, origin, url: `${origin}/dav/`, close: () => server.close() };
}
