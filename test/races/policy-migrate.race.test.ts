// `policy migrate` racing writes and deletes of the same files from another app instance (its own
// connection pool, as another server process would be) on one database. After every round the
// written content must win (a migration never brings back an older content), a deleted file
// stays deleted, and the tree, the blob reference counts and the usage counters must be right.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { parsePath, type Principal } from '../../src/core/index.js';
import { DIALECTS } from '../support/databases.js';
import { bodyOf, readAll, startTestApp, type TestApp } from '../support/app.js';
import { treeViolations } from '../support/invariants.js';
import { allowForUsers, localPolicy } from '../services/policies/support.js';

const ROUNDS = Number(process.env.CUMULUS_RACE_ROUNDS ?? 20);

describe.each(DIALECTS)('policy migrate racing writes on two app instances (%s)', (dialect) => {
  let t: TestApp;
  let writer: App;
  let migrator: App;
  let me: Principal;
  let policies: number[];

  beforeAll(async () => {
    t = await startTestApp(dialect);
    writer = t.app;
    migrator = await t.reopen();
    const one = await localPolicy(writer, t.dataDir, 'one');
    const two = await localPolicy(writer, t.dataDir, 'two');
    policies = [one.id, two.id];
    await allowForUsers(writer, policies);
    me = (await t.newUser()).principal;
  }, 120_000);
  afterAll(() => t.close());

  const contentAt = async (app: App, path: string) => (await readAll((await app.vfs.read(me, parsePath(path))).stream)).toString('hex');

  it('a write and a migrate of the same file: the write wins, nothing is lost, the counts stay right', async () => {
    const problems: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const to = policies[round % 2]!;
      // Even rounds: small files (inline in the blob row); odd rounds: files in the store.
      const size = round % 2 === 0 ? 200 : 40_000;
      const paths = [0, 1, 2].map((i) => `/r${round}-f${i}.bin`);
      for (const path of paths) await writer.vfs.write(me, parsePath(path), bodyOf(randomBytes(size)));
      const rewritten = randomBytes(size);
      const [written, migrated, deleted] = await Promise.allSettled([
        writer.vfs.write(me, parsePath(paths[0]!), bodyOf(rewritten)),
        migrator.policyMigration.run({ to, ownerId: me.userId }),
        writer.vfs.delete(me, parsePath(paths[1]!)),
      ]);
      if (written.status === 'rejected') problems.push(`round ${round}: the write failed: ${String(written.reason)}`);
      if (migrated.status === 'rejected') problems.push(`round ${round}: the migration failed: ${String(migrated.reason)}`);
      if (deleted.status === 'rejected') problems.push(`round ${round}: the delete failed: ${String(deleted.reason)}`);
      if ((await contentAt(migrator, paths[0]!)) !== rewritten.toString('hex')) problems.push(`round ${round}: the write was lost`);
      await expect(writer.vfs.stat(me, parsePath(paths[1]!))).rejects.toMatchObject({ code: 'NOT_FOUND' });
      // The untouched file is readable from both instances, wherever it ended up.
      expect(await contentAt(writer, paths[2]!)).toBe(await contentAt(migrator, paths[2]!));
      // A second run finishes what the race left (a file rewritten into the old policy meanwhile).
      await migrator.policyMigration.run({ to, ownerId: me.userId });
      const left = await migrator.policyMigration.remaining({ to, ownerId: me.userId });
      if (left.blobs !== 0) problems.push(`round ${round}: ${left.blobs} contents still outside the target`);
      problems.push(...(await treeViolations(t.app.database, { quiescent: true })).map((p) => `round ${round}: ${p}`));
    }
    expect(problems).toEqual([]);
  }, 600_000);
});
