import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Entry } from '../../src/core/index.js';
import { EventFeed, JobRunner, JobStopped, PermanentJobError, type Job, type JobQueue } from '../../src/jobs/index.js';
import { VfsEvents } from '../../src/vfs/index.js';
import { DIALECTS } from '../support/databases.js';
import { jobDatabase, until } from './support.js';

const quiet = { warn: () => undefined };

describe.each(DIALECTS)('job runner on %s', (dialect) => {
  let store: Awaited<ReturnType<typeof jobDatabase>>;
  let queue: JobQueue;
  const runners: JobRunner[] = [];
  const runner = (options: Partial<ConstructorParameters<typeof JobRunner>[1]> = {}, on: JobQueue = queue) => {
    const created = new JobRunner(on, { concurrency: 2, pollMs: 60_000, leaseMs: 30_000, clock: Date.now, log: quiet, ...options });
    runners.push(created);
    return created;
  };
  beforeAll(async () => {
    store = await jobDatabase(dialect);
    queue = await store.open(Date.now);
  });
  afterAll(async () => {
    for (const r of runners) await r.stop(1000);
    await store.close();
  });

  it('wakes when this process enqueues, runs up to its concurrency at once, and records results', async () => {
    let running = 0;
    let most = 0;
    const release: Array<() => void> = [];
    const r = runner({ concurrency: 2 }).register('runner.parallel', async (job) => {
      most = Math.max(most, ++running);
      await new Promise<void>((resolve) => release.push(resolve));
      running--;
      return { doubled: (job.payload as number) * 2 };
    });
    r.start();
    // The poll is a minute away: only the wake-up on enqueue can start these.
    const ids = await Promise.all([1, 2, 3].map(async (n) => (await queue.enqueue('runner.parallel', n)).job.id));
    await until(() => release.length === 2);
    expect(r.active).toBe(2);
    // Each release frees a slot, and the runner claims the third job at once.
    for (let released = 0; released < 3;) {
      const next = release.shift();
      if (next) {
        next();
        released++;
      } else await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await until(async () => (await Promise.all(ids.map((id) => queue.get(id)))).every((job) => job.state === 'completed'));
    expect(most).toBe(2);
    expect((await queue.get(ids[2]!)).result).toEqual({ doubled: 6 });
  });

  it('a cancelled running job sees its signal at its next progress call and ends cancelled', async () => {
    let seen: unknown;
    const r = runner({ progressMs: 0 }).register('runner.cancel', async (_job, context) => {
      for (;;) {
        try {
          await context.progress(0.1, 'working');
        } catch (error) {
          seen = error;
          throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    });
    r.start();
    const { job } = await queue.enqueue('runner.cancel', null);
    await until(async () => (await queue.get(job.id)).progressMessage === 'working');
    await queue.cancel(job.id);
    await until(async () => (await queue.get(job.id)).state === 'cancelled');
    expect(seen).toBeInstanceOf(JobStopped);
    expect((seen as JobStopped).why).toBe('cancel');
  });

  it('throttles progress writes', async () => {
    let clock = 1_000;
    let proceed!: () => void;
    const gate = new Promise<void>((resolve) => (proceed = resolve));
    const r = runner({ clock: () => clock, progressMs: 1000 }).register('runner.progress', async (_job, context) => {
      await context.progress(0.2, 'first');
      await gate;
      return null;
    });
    r.start();
    const { job } = await queue.enqueue('runner.progress', null);
    await until(async () => (await queue.get(job.id)).state === 'running');
    // Within the throttle window: nothing written yet.
    expect((await queue.get(job.id)).progressMessage).toBeNull();
    clock += 1000;
    proceed();
    await until(async () => (await queue.get(job.id)).state === 'completed');
  });

  it('a failure is retried later; a permanent one is dead', async () => {
    // The retry an hour away: with the usual second, a wake-up (the second enqueue, the other
    // job ending) that comes that late on a loaded machine would run it again before the checks.
    const later = await store.open(Date.now, { baseMs: 7200_000, maxMs: 7200_000, random: () => 0 });
    const r = runner({}, later).register('runner.fail', async (job) => {
      if (job.payload === 'permanent') throw new PermanentJobError('no such file');
      throw new Error('backend down');
    });
    r.start();
    const transient = await later.enqueue('runner.fail', 'transient');
    const permanent = await later.enqueue('runner.fail', 'permanent');
    await until(async () => (await queue.get(transient.job.id)).lastError !== null && (await queue.get(permanent.job.id)).state === 'dead');
    const retried = await queue.get(transient.job.id);
    expect(retried).toMatchObject({ state: 'queued', attempts: 1, lastError: 'backend down' });
    expect(retried.runAt).toBeGreaterThan(Date.now());
    expect(await queue.get(permanent.job.id)).toMatchObject({ state: 'dead', lastError: 'no such file' });
    await queue.cancel(transient.job.id);
  });

  it('on stop, a job that does not finish in the grace period is told to stop and gives its lease back', async () => {
    const r = runner().register('runner.stop', async (_job, context) => {
      await new Promise((resolve) => context.signal.addEventListener('abort', resolve));
      throw context.signal.reason;
    });
    r.start();
    const { job } = await queue.enqueue('runner.stop', null);
    await until(async () => (await queue.get(job.id)).state === 'running');
    await r.stop(50);
    expect(await queue.get(job.id)).toMatchObject({ state: 'queued', attempts: 0 });
    await queue.cancel(job.id);
  });

  it('processors turn vfs events into debounced jobs', async () => {
    const events = new VfsEvents();
    const feed = new EventFeed(events, queue, quiet.warn);
    const off = feed.add({
      name: 'test-thumbnails',
      jobsFor: (event) =>
        event.type === 'file.written'
          ? [{ kind: 'runner.thumbnail', payload: { id: event.entry.id }, dedupeKey: `thumb:${event.entry.id}`, delayMs: 60_000 }]
          : [],
    });
    const entry = { id: 41, name: 'photo.jpg' } as unknown as Entry;
    for (let i = 0; i < 3; i++) events.emit({ type: 'file.written', entry, created: i === 0 });
    events.emit({ type: 'folder.created', entry });
    await feed.settled();
    off();
    const jobs: Job[] = await queue.list({ kind: 'runner.thumbnail' });
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ payload: { id: 41 }, dedupeKey: 'thumb:41', state: 'queued' });
  });
});
