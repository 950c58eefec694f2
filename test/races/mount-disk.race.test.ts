// A write through Cumulus and a change outside Cumulus to the same mounted file at the same
// moment, with a stat from a second App (another node) racing both, on PostgreSQL, repeated.
// After every round: a reader holding the row either gets exactly the disk's bytes or is
// refused (never other bytes under the row's headers), a stat brings the row in step with the
// disk (size and ETag from inode, size and mtime), and no temporary file is left behind.
import { lstatSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { ConflictError, parsePath as p, type Principal } from '../../src/core/index.js';
import { sourceTag } from '../../src/storage/index.js';
import { tempDir } from '../support/databases.js';
import { bodyOf, readAll, startTestApp, type TestApp } from '../support/app.js';

const ROUNDS = 30;

describe('a mounted file written through Cumulus and on disk at once (postgres, two apps)', () => {
  let t: TestApp;
  let second: App;
  let me: Principal;
  const disk = tempDir('cumulus-mount-race-');
  const file = path.join(disk.path, 'contested.txt');

  beforeAll(async () => {
    t = await startTestApp('postgres');
    second = await t.reopen();
    await t.app.users.create({ email: 'race-admin@example.test', password: 'correct horse battery', group: 'Admin' });
    writeFileSync(file, 'start');
    await t.app.mounts.add({ name: 'Race', dir: disk.path });
    const member = await t.newUser();
    await t.app.memberships.join(member.user.id, 'Race');
    me = await t.app.users.principalFor(await t.app.users.get(member.user.id));
  });
  afterAll(async () => {
    await t.close();
    disk.remove();
  });

  it(`ends consistent with the disk after each of ${ROUNDS} rounds`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const outside = async () => {
        // An editor's safe save: a new file renamed over the old one.
        const temp = path.join(disk.path, `editor-${round}.swp`);
        writeFileSync(temp, `outside ${round} ${'o'.repeat(round)}`);
        renameSync(temp, file);
      };
      await Promise.all([
        t.app.vfs.write(me, p('/Race/contested.txt'), bodyOf(`cumulus ${round}`)),
        outside(),
        second.vfs.stat(me, p('/Race/contested.txt')).catch(() => undefined),
      ]);
      const onDisk = readFileSync(file);
      // The row as it stands, without a refresh: its reader never gets bytes other than the disk's.
      const row = (await second.vfs.list(me, p('/Race'))).entries.find((e) => e.name === 'contested.txt')!;
      try {
        const served = await readAll(await second.vfs.open(row));
        expect(served, `round ${round}`).toEqual(onDisk);
        expect(served.length).toBe(row.size);
      } catch (error) {
        expect(error, `round ${round}`).toBeInstanceOf(ConflictError);
      }
      const fresh = await second.vfs.stat(me, p('/Race/contested.txt'));
      const stats = lstatSync(file, { bigint: true });
      const tag = sourceTag({
        kind: 'file',
        size: Number(stats.size),
        mtimeMs: 0,
        mtimeNs: stats.mtimeNs.toString(),
        identity: stats.ino.toString(),
      });
      expect({ round, size: fresh.size, etag: fresh.etag }).toEqual({ round, size: onDisk.length, etag: tag });
      expect((await readAll(await t.app.vfs.open(fresh))).equals(onDisk)).toBe(true);
      expect(readdirSync(disk.path).filter((name) => name.startsWith('.cumulus-'))).toEqual([]);
    }
  });
});
