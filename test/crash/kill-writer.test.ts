import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { NotFoundError, parsePath } from '../../src/core/index.js';
import { DIALECTS } from '../support/databases.js';
import { bodyOf, readAll, startTestApp, type TestApp } from '../support/app.js';
import { storageState } from '../support/inspect.js';

/** Runs the writer child until it reports that bytes are flowing, then SIGKILLs it. */
async function killMidWrite(dataDir: string, databaseUrl: string, email: string): Promise<void> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, '../support/slow-writer.ts'), dataDir, databaseUrl, email],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (data: Buffer) => {
      if (data.toString().includes('WRITING')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`writer exited early (${code}): ${stderr}`)));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe.each(DIALECTS)('a writer killed with SIGKILL on %s', (dialect) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(dialect);
  });
  afterAll(() => t.close());

  it('leaves nothing visible, and gc removes what it left behind', async () => {
    const { user, principal } = await t.newUser('victim@example.test');
    await t.app.vfs.write(principal, parsePath('/survivor.txt'), bodyOf('still here'));

    await killMidWrite(t.dataDir, t.databaseUrl, user.email);

    await expect(t.app.vfs.stat(principal, parsePath('/victim.bin'))).rejects.toThrow(NotFoundError);
    const left = await storageState(t.app);
    expect(left.pending).toBe(1);
    const temporary = readdirSync(path.join(t.dataDir, 'blobs', '.tmp'));
    expect(temporary).toHaveLength(1);

    // Within the grace period the dead writer's leftovers look alive and are kept.
    const early = await t.app.gc.run({ graceMs: 3600_000 });
    expect(early.stalePending + early.temporaries).toBe(0);

    const report = await t.app.gc.run({ graceMs: 0 });
    expect(report.stalePending).toBe(1);
    expect(report.temporaries).toBe(1);
    expect(readdirSync(path.join(t.dataDir, 'blobs', '.tmp'))).toEqual([]);
    const after = await storageState(t.app);
    expect(after.pending).toBe(0);
    expect(after.objects).toBe(after.ready);
    expect((await readAll((await t.app.vfs.read(principal, parsePath('/survivor.txt'))).stream)).toString()).toBe('still here');
    expect((await t.app.doctor.run()).problems).toEqual([]);
  });
});
