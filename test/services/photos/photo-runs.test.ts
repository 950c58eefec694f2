// The safety delay of photo libraries with the apps' one clock in the test's hand (issue 12):
// a steady trickle of writes restarts the delay each time but cannot defer a run beyond
// photos.maxDeferSeconds; and two app instances on PostgreSQL, both running the job queue,
// import each file once, round after round: no duplicates, nothing lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { parsePath, type Principal } from '../../../src/core/index.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { TestClock, jpeg, later, namesIn, runReports, settle, write } from './support.js';

const DELAY_S = 300;
const MAX_DEFER_S = 3600;

describe('photo library runs under a trickle of writes (sqlite)', () => {
  const clock = new TestClock();
  let t: TestApp;
  let principal: Principal;

  beforeAll(async () => {
    t = await startTestApp('sqlite', { clock: clock.read, config: { jobs: { pollMs: 50 } } });
    ({ principal } = await t.newUser());
    await t.app.vfs.mkdir(principal, parsePath('/Photos'));
    await t.app.libraries.add(principal, parsePath('/Photos'), parsePath('/Photos/Import'));
    t.app.jobs.runner.start();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('runs at most maxDefer after the first change however often writes restart the delay', async () => {
    const first = clock.now;
    let step = 0;
    // A write every 200 s: each one restarts the 300 s delay, so only the cap can start a run.
    while (clock.now - first < MAX_DEFER_S * 1000) {
      await write(t.app, principal, `/Photos/Import/t${step}.jpg`, await jpeg('', '2020:02:02 10:00:00', 160));
      await settle(clock, t.app);
      expect(await namesIn(t.app, principal, '/Photos/2020/02'), `after ${(clock.now - first) / 1000} s`).toEqual([]);
      clock.advance(200);
      step++;
    }
    // 3600 s after the first write: the run is due though the last write was 0 to 200 s ago.
    await settle(clock, t.app);
    const imported = await namesIn(t.app, principal, '/Photos/2020/02');
    expect(imported.length).toBe(step);
    expect(await namesIn(t.app, principal, '/Photos/Import')).toEqual([]);
    expect((await runReports(t.app)).filter((report) => (report.imported as number) > 0)).toHaveLength(1);
  });
});

describe('two app instances importing one library (postgres)', () => {
  const clock = new TestClock();
  let t: TestApp;
  let second: App;
  let principal: Principal;

  beforeAll(async () => {
    t = await startTestApp('postgres', { clock: clock.read, config: { jobs: { pollMs: 50, concurrency: 4 } } });
    second = await t.reopen();
    ({ principal } = await t.newUser());
    await t.app.vfs.mkdir(principal, parsePath('/Photos'));
    await t.app.libraries.add(principal, parsePath('/Photos'), parsePath('/Photos/Import'));
    t.app.jobs.runner.start();
    second.jobs.runner.start();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('imports every file once, keeps every duplicate, loses nothing, round after round', async () => {
    const unique: Buffer[] = [];
    let duplicates = 0;
    for (let round = 0; round < 4; round++) {
      const writes: Array<Promise<unknown>> = [];
      for (let index = 0; index < 6; index++) {
        const app = index % 2 === 0 ? t.app : second;
        const repeat = index === 5 && unique.length > 0;
        const content = repeat ? unique[round - 1 >= 0 ? round - 1 : 0]! : await jpeg('', `2024:0${round + 1}:1${index} 10:00:00`, 160);
        if (repeat) duplicates++;
        else unique.push(content);
        writes.push(write(app, principal, `/Photos/Import/r${round}-${index}.jpg`, content));
      }
      await Promise.all(writes);
      await later(clock, DELAY_S + 1, t.app, second);

      const inLibrary: string[] = [];
      for (let month = 1; month <= round + 1; month++) {
        inLibrary.push(...(await namesIn(t.app, principal, `/Photos/2024/0${month}`)));
      }
      const left = await namesIn(t.app, principal, '/Photos/Import');
      // Each unique content once in the library; each duplicate left in the import folder.
      expect(inLibrary.length, `round ${round}`).toBe(unique.length);
      expect(new Set(inLibrary).size).toBe(inLibrary.length);
      expect(left.length, `round ${round}`).toBe(duplicates);
      expect(inLibrary.some((name) => name.includes('(2)'))).toBe(false);
    }
    const reports = await runReports(t.app);
    expect(reports.reduce((sum, report) => sum + ((report.imported as number) ?? 0), 0)).toBe(unique.length);
  });
});
