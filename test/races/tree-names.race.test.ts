import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { AlreadyExistsError, parsePath, type Principal } from '../../src/core/index.js';
import { DIALECTS } from '../support/databases.js';
import { bodyOf, readAll, startTestApp, type TestApp } from '../support/app.js';
import { expectInvariants } from '../support/invariants.js';
import { expectOutcome, secondNode } from './race-support.js';

const p = parsePath;
const ROUNDS = 15;

/** Two creators of one new name at the same moment: the unique (parent, name) decides, never a 500. */
describe.each(DIALECTS)('concurrent creates of one name on %s', (dialect) => {
  let t: TestApp;
  let one: App;
  let two: App;
  let me: Principal;

  beforeAll(async () => {
    t = await startTestApp(dialect);
    one = t.app;
    two = await secondNode(t, dialect);
    me = (await t.newUser()).principal;
  });
  afterAll(() => t.close());

  it('PUT and PUT: both succeed, the last to commit wins, one file', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const dir = `/put${round}`;
      await one.vfs.mkdir(me, p(dir));
      const results = await Promise.allSettled([
        one.vfs.write(me, p(`${dir}/f`), bodyOf('one')),
        two.vfs.write(me, p(`${dir}/f`), bodyOf('two')),
      ]);
      expectOutcome(results, 2, [], `round ${round}`);
      const listed = await one.vfs.list(me, p(dir));
      expect(listed.entries.map((e) => e.name)).toEqual(['f']);
      expect(['one', 'two']).toContain((await readAll((await one.vfs.read(me, p(`${dir}/f`))).stream)).toString());
    }
    await expectInvariants(t.databaseUrl);
  });

  it('MKCOL and MKCOL: one creates, the other is told it exists', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      await one.vfs.mkdir(me, p(`/mk${round}`));
      const results = await Promise.allSettled([one.vfs.mkdir(me, p(`/mk${round}/d`)), two.vfs.mkdir(me, p(`/mk${round}/d`))]);
      expectOutcome(results, 1, [AlreadyExistsError], `round ${round}`);
    }
    await expectInvariants(t.databaseUrl);
  });

  it('two renames onto one name: without overwrite one wins; with it both do, one after the other', async () => {
    for (const overwrite of [false, true]) {
      for (let round = 0; round < ROUNDS; round++) {
        const dir = `/mv${overwrite ? 'o' : ''}${round}`;
        await one.vfs.mkdir(me, p(`${dir}/x`), { parents: true });
        await one.vfs.write(me, p(`${dir}/x/inside`), bodyOf('x'));
        await one.vfs.mkdir(me, p(`${dir}/y`));
        const results = await Promise.allSettled([
          one.vfs.move(me, p(`${dir}/x`), p(`${dir}/t`), { overwrite }),
          two.vfs.move(me, p(`${dir}/y`), p(`${dir}/t`), { overwrite }),
        ]);
        expectOutcome(results, overwrite ? 2 : 1, [AlreadyExistsError], `overwrite ${overwrite}, round ${round}`);
        const names = (await one.vfs.list(me, p(dir))).entries.map((e) => e.name);
        expect(names, `round ${round}`).toContain('t');
        expect(names.length, `round ${round}`).toBe(overwrite ? 1 : 2);
      }
    }
    await expectInvariants(t.databaseUrl);
  });

  it('two copies onto one name, and a move racing a MKCOL: one wins, the other is told it exists', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const dir = `/cp${round}`;
      await one.vfs.mkdir(me, p(`${dir}/src/sub`), { parents: true });
      await one.vfs.write(me, p(`${dir}/src/sub/file`), bodyOf('shared bytes'));
      const copies = await Promise.allSettled([
        one.vfs.copy(me, p(`${dir}/src`), p(`${dir}/dst`)),
        two.vfs.copy(me, p(`${dir}/src`), p(`${dir}/dst`)),
      ]);
      expectOutcome(copies, 1, [AlreadyExistsError], `copy round ${round}`);
      const mixed = await Promise.allSettled([one.vfs.move(me, p(`${dir}/src`), p(`${dir}/new`)), two.vfs.mkdir(me, p(`${dir}/new`))]);
      expectOutcome(mixed, 1, [AlreadyExistsError], `move/mkcol round ${round}`);
    }
    await expectInvariants(t.databaseUrl);
  });
});
