import { Readable } from 'node:stream';
import { pino } from 'pino';
import { createApp, type App, type AppOptions } from '../../src/app.js';
import { configSchema, type ConfigInput } from '../../src/config/index.js';
import type { Principal, User } from '../../src/core/index.js';
import type { SqlDialectName } from '../../src/db/index.js';
import { freshDatabase, tempDir } from './databases.js';

export interface TestApp {
  readonly app: App;
  readonly dataDir: string;
  readonly databaseUrl: string;
  /** A user in the User group and the principal acting over their whole tree. */
  newUser(email?: string, options?: { quota?: number | null }): Promise<{ user: User; principal: Principal }>;
  /** Opens a second App on the same data directory and database (another "node"). */
  reopen(options?: Partial<AppOptions>): Promise<App>;
  close(): Promise<void>;
}

let counter = 0;

/** A real App on a fresh database of the given kind and a fresh data directory. */
export async function startTestApp(
  dialect: SqlDialectName,
  options: Partial<AppOptions> & { config?: ConfigInput } = {},
): Promise<TestApp> {
  const dir = tempDir();
  const database = await freshDatabase(dialect, dir.path);
  const config = configSchema.parse({ dataDir: dir.path, databaseUrl: database.url, logLevel: 'silent', ...options.config });
  const logger = pino({ level: 'silent' });
  const app = await createApp(config, { logger, ...options });
  const opened: App[] = [app];
  return {
    app,
    dataDir: dir.path,
    databaseUrl: database.url,
    async newUser(email = `user${++counter}@example.test`, userOptions = {}) {
      const groupName = userOptions.quota !== undefined ? `quota-${counter}-${Math.random().toString(36).slice(2, 6)}` : 'User';
      if (userOptions.quota !== undefined) await app.groups.create({ name: groupName, maxStorage: userOptions.quota }, app.defaultPolicyId);
      const user = await app.users.create({ email, password: 'correct horse battery', group: groupName });
      return { user, principal: await app.users.principalFor(user) };
    },
    async reopen(more = {}) {
      const second = await createApp(config, { logger, ...options, ...more });
      opened.push(second);
      return second;
    },
    async close() {
      for (const a of opened) await a.close().catch(() => undefined);
      await database.drop();
      dir.remove();
    },
  };
}

export function bodyOf(text: string | Buffer): Readable {
  return Readable.from([Buffer.from(text)]);
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}
