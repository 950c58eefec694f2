import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { MAINTENANCE_JOBS } from '../../src/services/index.js';
import { DIALECTS } from '../support/databases.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { until } from './support.js';

const scheduleOf = async (app: App, kind: string) => (await app.jobs.queue.list({ kind })).filter((job) => job.intervalMs !== null);

describe.each(DIALECTS)('periodic duties as scheduled jobs on %s', (dialect) => {
  let t: TestApp;
  afterEach(() => t.close());

  // Two Apps in one process on one SQLite file would block each other's event loop (the
  // driver waits for the write lock synchronously): there, one server process is tested.
  const together = dialect === 'postgres';

  it('server processes starting together share one schedule per duty, and gc runs once at start', async () => {
    t = await startTestApp(dialect, { config: { jobs: { pollMs: 50 } } });
    const apps = together ? [t.app, await t.reopen()] : [t.app];
    await Promise.all(apps.map((app) => app.jobs.start()));
    for (const kind of Object.values(MAINTENANCE_JOBS)) expect(await scheduleOf(t.app, kind)).toHaveLength(1);
    await until(async () => (await scheduleOf(t.app, MAINTENANCE_JOBS.gc))[0]!.finishedAt !== null);
    const [gc] = await scheduleOf(t.app, MAINTENANCE_JOBS.gc);
    expect(gc).toMatchObject({ state: 'queued', attempts: 0, intervalMs: 86400_000, result: { stalePending: 0, unreferenced: 0 } });
    expect(gc!.runAt).toBe(gc!.finishedAt! + 86400_000);
    // A process starting right after does not run gc again.
    if (together) await (await t.reopen()).jobs.start();
    expect((await scheduleOf(t.app, MAINTENANCE_JOBS.gc))[0]!.runAt).toBe(gc!.runAt);
    const sweep = (await scheduleOf(t.app, MAINTENANCE_JOBS.uploadSweep))[0]!;
    expect(sweep).toMatchObject({ state: 'queued', intervalMs: 3600_000 });
  });

  it('with gc.onStart off, the first gc waits a whole interval', async () => {
    t = await startTestApp(dialect, { config: { gc: { onStart: false, intervalSeconds: 600 } } });
    await t.app.jobs.start();
    const [gc] = await scheduleOf(t.app, MAINTENANCE_JOBS.gc);
    expect(gc!.runAt - gc!.createdAt).toBe(600_000);
  });
});
