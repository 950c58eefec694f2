// A server whose "S3" group stores new files in an S3 policy on a real s3rver, beside the
// default local policy. The policy is added as an administrator adds one (app.policies.add:
// validated settings, the secret key sealed at rest), and the servers build its backend from
// the stored row as they would in production.
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import type { App, AppOptions } from '../../src/app.js';
import type { SqlDialectName } from '../../src/db/index.js';
import { buildHttpServer } from '../../src/http/index.js';
import { S3Backend, type BlobBackend } from '../../src/storage/index.js';
import type { ApiServer } from './api-server.js';
import { startTestApp } from './app.js';
import { startS3Server, type S3Server } from './s3-server.js';

export const S3_GROUP = 'S3';
/** The smallest part S3 accepts. */
export const PART_SIZE = 5 * 1024 * 1024;

export interface S3ApiServer extends ApiServer {
  readonly s3: S3Server;
  readonly backend: BlobBackend;
  readonly policyId: number;
  /** The app serving requests (knows the S3 policy). */
  readonly app: App;
  /** Another app and server on the same database and store (another node). */
  another(): Promise<{ app: App; origin: string }>;
}

export async function startS3ApiServer(
  dialect: SqlDialectName,
  settings: { download: 'proxy' | 'redirect' },
  options: Partial<AppOptions> = {},
): Promise<S3ApiServer> {
  const s3 = await startS3Server();
  const t = await startTestApp(dialect, options);
  const policySettings = s3.settings('objects/', { partSizeBytes: PART_SIZE });
  const policy = await t.app.policies.add({
    name: 'Objects',
    type: 's3',
    // Small files kept in the database on this policy too (an S3 policy's default is 0), so the
    // tests cover both: small files here, larger ones in the store.
    settings: { ...policySettings, inlineMaxBytes: 64 * 1024, ...settings },
  });
  await t.app.groups.create({ name: S3_GROUP, storagePolicyIds: [policy.id], permissions: { webdav: true, share: true } });
  // The tests' own view of the bucket (to list what the servers stored), apart from the servers'.
  const backend = new S3Backend(policySettings);
  const servers: FastifyInstance[] = [];
  const node = async () => {
    const app = await t.reopen();
    const server = await buildHttpServer(app);
    servers.push(server);
    await server.listen({ host: '127.0.0.1', port: 0 });
    return { app, server, origin: `http://127.0.0.1:${(server.server.address() as AddressInfo).port}` };
  };
  const { app, server, origin } = await node();
  return {
    t: { ...t, app },
    app,
    server,
    origin,
    s3,
    backend,
    policyId: policy.id,
    another: node,
    async close() {
      for (const each of servers) await each.close();
      await backend.close();
      await t.close();
      await s3.close();
    },
  };
}

/** The S3 server of a describe block (beforeAll/afterAll), like useApiServer. */
export function useS3ApiServer(
  dialect: SqlDialectName,
  settings: { download: 'proxy' | 'redirect' },
  options: Partial<AppOptions> = {},
): S3ApiServer {
  let started: S3ApiServer | undefined;
  beforeAll(async () => {
    started = await startS3ApiServer(dialect, settings, options);
  });
  afterAll(async () => {
    await started?.close();
  });
  return new Proxy({} as S3ApiServer, {
    get(_target, key) {
      if (!started) throw new Error('The S3 API server starts in beforeAll: use it in a test or a hook');
      return started[key as keyof S3ApiServer];
    },
  });
}
