// Two server processes' worth of state (two Apps on one PostgreSQL database), each with its own
// job runner, run one pair at the same moment (a manual run on one, the schedule on the other):
// the pair's claim lets one run at a time, so every file lands once, with one state row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { parsePath } from '../../../src/core/index.js';
import { JobRunner } from '../../../src/jobs/index.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { startRcloneServe, writeTree } from '../../support/sync-fixtures.js';
import path from 'node:path';

describe('one pair run by two processes at once (postgres)', () => {
  let t: TestApp;
  let second: App;
  let remote: Awaited<ReturnType<typeof startRcloneServe>>;
  const runners: JobRunner[] = [];

  beforeAll(async () => {
    t = await startTestApp('postgres', { config: { sync: { retryBaseMs: 10 } } });
    second = await t.reopen();
    remote = await startRcloneServe();
  });
  afterAll(async () => {
    for (const runner of runners) await runner.stop();
    await remote?.close();
    await t?.close();
  });

  const runnerFor = (app: App) => {
    const runner = new JobRunner(app.jobs.queue, {
      concurrency: 1,
      pollMs: 50,
      leaseMs: 30_000,
      clock: Date.now,
      log: { warn: () => undefined },
    });
    app.syncJobs.register(runner);
    runners.push(runner);
    return runner;
  };

  it('lands every file once, round after round', async () => {
    const { user, principal } = await t.newUser();
    const a = runnerFor(t.app);
    const b = runnerFor(second);
    for (let round = 0; round < 3; round++) {
      const files = writeTree(path.join(remote.dir, `r${round}`), 30);
      const pair = await t.app.sync.add(user.id, {
        url: remote.url,
        remotePath: `/r${round}`,
        localPath: `/R${round}`,
        direction: 'two-way',
        anyAddress: true,
      });
      const manual = await t.app.syncJobs.enqueue(pair.id);
      await second.jobs.queue.schedule('sync.run', `sync.schedule:${pair.id}`, { everyMs: 3600_000, payload: { pairId: pair.id } });
      a.start();
      b.start();
      await expect.poll(async () => (await t.app.jobs.queue.get(manual.id)).state, { timeout: 120_000 }).toBe('completed');
      // No run in progress any more (the schedule's run, whenever it ran, found the claim or nothing to do).
      await expect
        .poll(async () => (await t.app.sync.claim(pair.id, 'probe', Date.now() + 1)) && (await t.app.sync.release(pair.id, 'probe'), true))
        .toBe(true);
      await t.app.syncJobs.unschedule(pair.id);
      const summary = await t.app.vfs.summary(principal, parsePath(`/R${round}`));
      expect(summary.files).toBe(files.length);
      const rows = await t.app.sync.state(pair.id);
      expect(rows.filter((r) => !r.isFolder)).toHaveLength(files.length);
      expect(rows.every((r) => r.pendingOp === null)).toBe(true);
      expect((await t.app.sync.run(pair.id, { dryRun: true })).plan.actions).toEqual([]);
    }
  });
});
