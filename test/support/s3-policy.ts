// A server whose "S3" group stores new files in an S3 policy on a real s3rver, beside the
// default local policy. Policies are created straight through the repository: managing them
// is branch `policies`' work.
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import type { App, AppOptions } from '../../src/app.js';
import { PolicyRepository, type SqlDialectName } from '../../src/db/index.js';
import { buildHttpServer } from '../../src/http/index.js';
import { LocalBackend, createBackend, type BlobBackend } from '../../src/storage/index.js';
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
  const policies = new PolicyRepository();
  const policy = await t.app.database.transaction((tx) =>
    policies.insert(tx, {
      name: 'Objects',
      type: 's3',
      settings: { ...s3.settings('objects/', { partSizeBytes: PART_SIZE }), ...settings },
      now: Date.now(),
    }),
  );
  await t.app.groups.create({ name: S3_GROUP, storagePolicyIds: [policy.id], permissions: { webdav: true, share: true } });
  const backend = createBackend('s3', policy.settings, { dataDir: t.dataDir });
  const local = new LocalBackend(path.resolve(t.dataDir, 'blobs'));
  const servers: FastifyInstance[] = [];
  const node = async () => {
    const app = await t.reopen({ backendOverride: (id): BlobBackend => (id === policy.id ? backend : local) });
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
