import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobQueue } from '../../src/jobs/index.js';

/** A queue under test, on a clock the suite moves by hand; `random` is 0.5 (jitter halfway). */
export interface QueueUnderTest {
  readonly queue: JobQueue;
  /** A second queue on the same store (another process). */
  readonly other: JobQueue;
  readonly clock: { now: number };
  close(): Promise<void>;
}

/** Backoff the suite expects: base 1 s, max 60 s, random 0.5 (so 75% of the exponential delay). */
export const SUITE_BACKOFF = { baseMs: 1000, maxMs: 60_000 };

/**
 * The one conformance suite every JobQueue runs (STYLE.md item 3). Each test uses its own
 * job kinds, so tests share one store without seeing each other's jobs.
 */
export function jobQueueContract(name: string, open: () => Promise<QueueUnderTest>): void {
  describe(`job queue contract: ${name}`, () => {
    let t: QueueUnderTest;
    let serial = 0;
    const kind = () => `test.kind${++serial}`;
    beforeAll(async () => {
      t = await open();
    });
    afterAll(() => t.close());

    it('enqueues, claims with a lease and completes with a result', async () => {
      const k = kind();
      const { job, created } = await t.queue.enqueue(k, { file: 7 });
      expect(created).toBe(true);
      expect(job).toMatchObject({ kind: k, state: 'queued', payload: { file: 7 }, attempts: 0, maxAttempts: 5 });
      const lease = await t.queue.claim([k], 30_000);
      expect(lease?.job).toMatchObject({ id: job.id, state: 'running', attempts: 1, leaseExpiresAt: t.clock.now + 30_000 });
      expect(await t.other.claim([k], 30_000)).toBeNull();
      const done = await t.queue.finish(lease!, { type: 'completed', result: { thumbnails: 3 } });
      expect(done).toMatchObject({ state: 'completed', result: { thumbnails: 3 }, progress: 1, finishedAt: t.clock.now });
      expect(await t.queue.claim([k], 30_000)).toBeNull();
    });

    it('claims only due jobs of the kinds asked for, by priority then time', async () => {
      const [a, b] = [kind(), kind()];
      const later = await t.queue.enqueue(a, 'later', { delayMs: 5000 });
      const low = await t.queue.enqueue(a, 'low');
      const high = await t.queue.enqueue(a, 'high', { priority: 5 });
      await t.queue.enqueue(b, 'other kind');
      expect((await t.queue.claim([a], 60_000))?.job.id).toBe(high.job.id);
      expect((await t.queue.claim([a], 60_000))?.job.id).toBe(low.job.id);
      expect(await t.queue.claim([a], 60_000)).toBeNull();
      t.clock.now += 5000;
      expect((await t.queue.claim([a], 1000))?.job.id).toBe(later.job.id);
    });

    it('retries a failure after an exponential backoff with jitter, then marks it dead', async () => {
      const k = kind();
      const { job } = await t.queue.enqueue(k, null, { maxAttempts: 3 });
      const delays: number[] = [];
      for (let attempt = 1; attempt <= 3; attempt++) {
        const lease = await t.queue.claim([k], 1000);
        expect(lease?.job.attempts).toBe(attempt);
        const failed = await t.queue.finish(lease!, { type: 'failed', error: `boom ${attempt}` });
        expect(failed?.lastError).toBe(`boom ${attempt}`);
        if (attempt < 3) {
          expect(failed?.state).toBe('queued');
          delays.push(failed!.runAt - t.clock.now);
          expect(await t.queue.claim([k], 1000)).toBeNull();
          t.clock.now = failed!.runAt;
        } else expect(failed?.state).toBe('dead');
      }
      // Base 1 s doubling, each 75% of the exponential delay (jitter at 0.5).
      expect(delays).toEqual([750, 1500]);
      expect(await t.queue.claim([k], 1000)).toBeNull();
      const again = await t.queue.retry(job.id);
      expect(again).toMatchObject({ state: 'queued', attempts: 0 });
      expect((await t.queue.claim([k], 1000))?.job.id).toBe(job.id);
    });

    it('a permanent failure is dead at once', async () => {
      const k = kind();
      await t.queue.enqueue(k, null);
      const lease = await t.queue.claim([k], 1000);
      expect(await t.queue.finish(lease!, { type: 'failed', error: 'bad payload', permanent: true })).toMatchObject({
        state: 'dead',
        attempts: 1,
      });
    });

    it('a lapsed lease lets another worker take the job; the first one can no longer touch it', async () => {
      const k = kind();
      await t.queue.enqueue(k, null);
      const first = await t.queue.claim([k], 1000);
      expect(await t.queue.heartbeat(first!)).toBe('ok');
      t.clock.now += 999;
      expect(await t.other.claim([k], 1000)).toBeNull();
      t.clock.now += 2;
      const second = await t.other.claim([k], 1000);
      expect(second?.job).toMatchObject({ id: first!.job.id, attempts: 2 });
      expect(await t.queue.heartbeat(first!)).toBe('lost');
      expect(await t.queue.finish(first!, { type: 'completed' })).toBeNull();
      expect(await t.other.finish(second!, { type: 'completed' })).toMatchObject({ state: 'completed' });
    });

    it('a job whose workers keep dying ends dead once out of attempts', async () => {
      const k = kind();
      const { job } = await t.queue.enqueue(k, null, { maxAttempts: 2 });
      await t.queue.claim([k], 100);
      t.clock.now += 101;
      await t.queue.claim([k], 100);
      t.clock.now += 101;
      expect(await t.queue.claim([k], 100)).toBeNull();
      expect(await t.queue.get(job.id)).toMatchObject({ state: 'dead', lastError: expect.stringMatching(/lease lapsed/) });
    });

    it('records progress with the heartbeat and gives back a lease without counting the attempt', async () => {
      const k = kind();
      await t.queue.enqueue(k, null);
      const lease = await t.queue.claim([k], 1000);
      expect(await t.queue.heartbeat(lease!, { fraction: 0.25, message: 'a quarter' })).toBe('ok');
      expect(await t.queue.get(lease!.job.id)).toMatchObject({ progress: 0.25, progressMessage: 'a quarter' });
      expect(await t.queue.finish(lease!, { type: 'released' })).toMatchObject({ state: 'queued', attempts: 0 });
      expect((await t.other.claim([k], 1000))?.job.attempts).toBe(1);
    });

    it('cancels a queued job at once and a running one at its next heartbeat', async () => {
      const k = kind();
      const queued = await t.queue.enqueue(k, 'queued', { delayMs: 10_000 });
      expect(await t.queue.cancel(queued.job.id)).toMatchObject({ state: 'cancelled' });
      const running = await t.queue.enqueue(k, 'running');
      const lease = await t.queue.claim([k], 1000);
      expect(lease?.job.id).toBe(running.job.id);
      expect(await t.other.cancel(running.job.id)).toMatchObject({ state: 'running', cancelRequested: true });
      expect(await t.queue.heartbeat(lease!)).toBe('cancel');
      expect(await t.queue.finish(lease!, { type: 'cancelled' })).toMatchObject({ state: 'cancelled', cancelRequested: false });
      t.clock.now += 20_000;
      expect(await t.queue.claim([k], 1000)).toBeNull();
      await expect(t.queue.cancel(999_999_999)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('a cancel asked of a job whose worker died ends it when its lease lapses', async () => {
      const k = kind();
      const { job } = await t.queue.enqueue(k, null);
      await t.queue.claim([k], 1000);
      await t.queue.cancel(job.id);
      t.clock.now += 1001;
      expect(await t.other.cancel(job.id)).toMatchObject({ state: 'cancelled' });
      expect(await t.other.claim([k], 1000)).toBeNull();
    });

    it('retry refuses a job that is queued or running', async () => {
      const k = kind();
      const { job } = await t.queue.enqueue(k, null);
      await expect(t.queue.retry(job.id)).rejects.toMatchObject({ code: 'CONFLICT' });
    });

    it('queues a key at most once; a debounce postpones the queued job', async () => {
      const k = kind();
      const first = await t.queue.enqueue(k, { v: 1 }, { dedupeKey: 'file:1', delayMs: 1000 });
      const kept = await t.other.enqueue(k, { v: 2 }, { dedupeKey: 'file:1', delayMs: 5000 });
      expect(kept).toMatchObject({ created: false, job: { id: first.job.id, payload: { v: 1 }, runAt: first.job.runAt } });
      const postponed = await t.other.enqueue(k, { v: 3 }, { dedupeKey: 'file:1', delayMs: 5000, onDuplicate: 'postpone' });
      expect(postponed).toMatchObject({ created: false, job: { id: first.job.id, payload: { v: 3 }, runAt: t.clock.now + 5000 } });
      expect(await t.queue.list({ kind: k })).toHaveLength(1);
    });

    it('a key queued while its job runs waits for that run to end', async () => {
      const k = kind();
      const first = await t.queue.enqueue(k, 1, { dedupeKey: 'file:2' });
      const lease = await t.queue.claim([k], 1000);
      const second = await t.queue.enqueue(k, 2, { dedupeKey: 'file:2' });
      expect(second.created).toBe(true);
      expect(await t.other.claim([k], 1000)).toBeNull();
      await t.queue.finish(lease!, { type: 'completed' });
      expect((await t.other.claim([k], 1000))?.job.id).toBe(second.job.id);
      expect(first.job.id).not.toBe(second.job.id);
    });

    it('a failed job whose key is queued again leaves the work to the newer job', async () => {
      const k = kind();
      await t.queue.enqueue(k, 1, { dedupeKey: 'file:3' });
      const lease = await t.queue.claim([k], 1000);
      await t.queue.enqueue(k, 2, { dedupeKey: 'file:3' });
      const failed = await t.queue.finish(lease!, { type: 'failed', error: 'boom' });
      expect(failed).toMatchObject({ state: 'cancelled', lastError: expect.stringMatching(/^boom; a newer job/) });
    });

    it('a schedule is one row that runs again every interval, one run at a time', async () => {
      const k = kind();
      const created = await t.queue.schedule(k, `schedule:${k}`, { everyMs: 60_000 });
      const again = await t.other.schedule(k, `schedule:${k}`, { everyMs: 60_000 });
      expect(again.id).toBe(created.id);
      const lease = await t.queue.claim([k], 1000);
      expect(lease?.job.id).toBe(created.id);
      // Another process starting meanwhile neither adds a row nor a second run.
      await t.other.schedule(k, `schedule:${k}`, { everyMs: 60_000, runNowUnlessRanWithinMs: 0 });
      expect(await t.other.claim([k], 1000)).toBeNull();
      const done = await t.queue.finish(lease!, { type: 'completed', result: 'ok' });
      expect(done).toMatchObject({ state: 'queued', attempts: 0, runAt: t.clock.now + 60_000, result: 'ok' });
      expect(await t.other.claim([k], 1000)).toBeNull();
      // A start within a minute of the last run does not run it again; later it does.
      t.clock.now += 30_000;
      await t.other.schedule(k, `schedule:${k}`, { everyMs: 60_000, runNowUnlessRanWithinMs: 60_000 });
      expect(await t.other.claim([k], 1000)).toBeNull();
      t.clock.now += 20_000;
      await t.other.schedule(k, `schedule:${k}`, { everyMs: 60_000, runNowUnlessRanWithinMs: 10_000 });
      const early = await t.other.claim([k], 1000);
      expect(early?.job.id).toBe(created.id);
      // A schedule out of attempts waits for its next occurrence instead of dying.
      const failed = await t.other.finish(early!, { type: 'failed', error: 'down', permanent: true });
      expect(failed).toMatchObject({ state: 'queued', attempts: 0, runAt: t.clock.now + 60_000, lastError: 'down' });
      expect(await t.queue.list({ kind: k })).toHaveLength(1);
    });

    it('lists newest first, filtered by state and kind, by pages', async () => {
      const k = kind();
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) ids.push((await t.queue.enqueue(k, i)).job.id);
      const lease = await t.queue.claim([k], 1000);
      await t.queue.finish(lease!, { type: 'completed' });
      const page = await t.queue.list({ kind: k, limit: 2 });
      expect(page.map((job) => job.id)).toEqual([ids[4], ids[3]]);
      expect((await t.queue.list({ kind: k, beforeId: ids[3] })).map((job) => job.id)).toEqual([ids[2], ids[1], ids[0]]);
      expect((await t.queue.list({ kind: k, states: ['completed'] })).map((job) => job.id)).toEqual([ids[0]]);
      expect(await t.queue.purge(t.clock.now + 1)).toBeGreaterThanOrEqual(1);
      expect(await t.queue.list({ kind: k, states: ['completed'] })).toEqual([]);
      await expect(t.queue.get(ids[0]!)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });
}
