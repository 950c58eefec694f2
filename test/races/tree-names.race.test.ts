import { beforeAll, describe, expect, it } from 'vitest';
import { AlreadyExistsError, parsePath, type Principal } from '../../src/core/index.js';
import { DIALECTS } from '../support/databases.js';
import { bodyOf, readAll } from '../support/app.js';
import { expectInvariants } from '../support/invariants.js';
import { expectOutcome, useRacingApps } from './race-support.js';

const p = parsePath;
const ROUNDS = 15;

/** Two creators of one new name at the same moment: the unique (parent, name) decides, never a 500. */
describe.each(DIALECTS)('concurrent creates of one name on %s', (dialect) => {
  const race = useRacingApps(dialect);
  let me: Principal;
  beforeAll(async () => {
    me = (await race.t.newUser()).principal;
  });

  it('PUT and PUT: both succeed, the last to commit wins, one file', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const dir = `/put${round}`;
      await race.one.vfs.mkdir(me, p(dir));
      const results = await Promise.allSettled([
        race.one.vfs.write(me, p(`${dir}/f`), bodyOf('one')),
        race.two.vfs.write(me, p(`${dir}/f`), bodyOf('two')),
      ]);
      expectOutcome(results, 2, [], `round ${round}`);
      const listed = await race.one.vfs.list(me, p(dir));
      expect(listed.entries.map((e) => e.name)).toEqual(['f']);
      expect(['one', 'two']).toContain((await readAll((await race.one.vfs.read(me, p(`${dir}/f`))).stream)).toString());
    }
    await expectInvariants(race.t.databaseUrl);
  });

  it('MKCOL and MKCOL: one creates, the other is told it exists', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      await race.one.vfs.mkdir(me, p(`/mk${round}`));
      const results = await Promise.allSettled([race.one.vfs.mkdir(me, p(`/mk${round}/d`)), race.two.vfs.mkdir(me, p(`/mk${round}/d`))]);
      expectOutcome(results, 1, [AlreadyExistsError], `round ${round}`);
    }
    await expectInvariants(race.t.databaseUrl);
  });

  it('two renames onto one name: without overwrite one wins; with it both do, one after the other', async () => {
    for (const overwrite of [false, true]) {
      for (let round = 0; round < ROUNDS; round++) {
        const dir = `/mv${overwrite ? 'o' : ''}${round}`;
        await race.one.vfs.mkdir(me, p(`${dir}/x`), { parents: true });
        await race.one.vfs.write(me, p(`${dir}/x/inside`), bodyOf('x'));
        await race.one.vfs.mkdir(me, p(`${dir}/y`));
        const results = await Promise.allSettled([
          race.one.vfs.move(me, p(`${dir}/x`), p(`${dir}/t`), { overwrite }),
          race.two.vfs.move(me, p(`${dir}/y`), p(`${dir}/t`), { overwrite }),
        ]);
        expectOutcome(results, overwrite ? 2 : 1, [AlreadyExistsError], `overwrite ${overwrite}, round ${round}`);
        const names = (await race.one.vfs.list(me, p(dir))).entries.map((e) => e.name);
        expect(names, `round ${round}`).toContain('t');
        expect(names.length, `round ${round}`).toBe(overwrite ? 1 : 2);
      }
    }
    await expectInvariants(race.t.databaseUrl);
  });

  it('two copies onto one name, and a move racing a MKCOL: one wins, the other is told it exists', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const dir = `/cp${round}`;
      await race.one.vfs.mkdir(me, p(`${dir}/src/sub`), { parents: true });
      await race.one.vfs.write(me, p(`${dir}/src/sub/file`), bodyOf('shared bytes'));
      const copies = await Promise.allSettled([
        race.one.vfs.copy(me, p(`${dir}/src`), p(`${dir}/dst`)),
        race.two.vfs.copy(me, p(`${dir}/src`), p(`${dir}/dst`)),
      ]);
      expectOutcome(copies, 1, [AlreadyExistsError], `copy round ${round}`);
      const mixed = await Promise.allSettled([
        race.one.vfs.move(me, p(`${dir}/src`), p(`${dir}/new`)),
        race.two.vfs.mkdir(me, p(`${dir}/new`)),
      ]);
      expectOutcome(mixed, 1, [AlreadyExistsError], `move/mkcol round ${round}`);
    }
    await expectInvariants(race.t.databaseUrl);
  });
});
