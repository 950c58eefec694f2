// Several processes starting at once against one fresh database (workers of one server, or
// several nodes): every one starts, migrations apply once, and exactly one creates the
// default policy, the built-in groups and the first administrator, and learns its password.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { pino } from 'pino';
import { createApp } from '../../src/app.js';
import { configSchema } from '../../src/config/index.js';
import { DIALECTS, freshDatabase, tempDir } from '../support/databases.js';

const SCRIPT = path.join(import.meta.dirname, '../support/start-app.ts');
const PROCESSES = 4;
const ROUNDS = 2;

interface Started {
  readonly ready: Promise<void>;
  go(): void;
  readonly done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** A child that loads its modules, then waits for go() (a barrier: every child starts its app at once). */
function start(dataDir: string, url: string): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, dataDir, url], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.on('data', (data: Buffer) => {
    stdout += data.toString();
    if (stdout.startsWith('READY\n')) markReady();
  });
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('exit', (code) => {
      markReady();
      resolve({ code, stdout: stdout.replace(/^READY\n/, ''), stderr });
    }),
  );
  return { ready, go: () => child.stdin.end('go\n'), done };
}

describe.each(DIALECTS)('start-up of several processes at once on %s', (dialect) => {
  let dir: ReturnType<typeof tempDir>;
  beforeAll(() => {
    dir = tempDir();
  });
  afterAll(() => dir.remove());

  for (let round = 1; round <= ROUNDS; round++) {
    it(`round ${round}: all start, one admin, one policy, three groups, one password printed`, async () => {
      const dataDir = path.join(dir.path, `round-${round}`);
      const database = await freshDatabase(dialect, dataDir);
      try {
        const url = dialect === 'sqlite' ? `sqlite:${path.join(dataDir, 'cumulus.db')}` : database.url;
        const children = Array.from({ length: PROCESSES }, () => start(dataDir, url));
        await Promise.all(children.map((child) => child.ready));
        for (const child of children) child.go();
        const results = await Promise.all(children.map((child) => child.done));
        for (const result of results) expect(result.code, result.stderr).toBe(0);
        const created = results
          .map((result) => JSON.parse(result.stdout) as { createdAdmin: { generatedPassword?: string } | null })
          .filter((result) => result.createdAdmin !== null);
        expect(created).toHaveLength(1);
        expect(created[0]!.createdAdmin!.generatedPassword).toMatch(/^[A-Za-z0-9]{20}$/);

        const app = await createApp(configSchema.parse({ dataDir, databaseUrl: url, logLevel: 'silent' }), {
          logger: pino({ level: 'silent' }),
        });
        try {
          const users = await app.users.list();
          expect(users.map((user) => user.email)).toEqual(['admin@cumulus.local']);
          expect((await app.groups.list()).map((group) => group.name).sort()).toEqual(['Admin', 'Anonymous', 'User']);
          expect(app.backends.size).toBe(1);
        } finally {
          await app.close();
        }
      } finally {
        await database.drop();
      }
    }, 240_000);
  }
});
