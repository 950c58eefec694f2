import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import type { App } from '../../../src/app.js';
import { parsePath, type Principal } from '../../../src/core/index.js';
import { until } from '../../jobs/support.js';

/** The one clock of the apps under test (queue, vfs, feed): moved by the test alone. */
export class TestClock {
  now = Date.UTC(2026, 11, 7, 12, 0, 0);
  readonly read = (): number => this.now;
  advance(seconds: number): void {
    this.now += seconds * 1000;
  }
}

/**
 * Lets the apps' runners run every job due at the clock's time, and waits until none is due or
 * running and every event has been turned into marks and jobs (the moves a run makes fire
 * events too). Waits without a deadline of its own: the test's timeout is the budget.
 */
export async function settle(clock: TestClock, ...apps: App[]): Promise<void> {
  const quiet = async () => {
    for (const app of apps) {
      await app.jobs.feed.settled();
      await app.photoFeed.settled();
    }
    const jobs = await apps[0]!.jobs.queue.list({ states: ['queued', 'running'], limit: 1000 });
    return !jobs.some((job) => job.state === 'running' || job.runAt <= clock.now);
  };
  // Twice quiet in a row: a run that just ended may have queued another through an event.
  let calm = 0;
  await until(async () => {
    for (const app of apps) app.jobs.runner.wake();
    calm = (await quiet()) ? calm + 1 : 0;
    return calm >= 2;
  }, 20);
}

/** A JPEG of one colour (so each colour is its own content), with EXIF DateTimeOriginal when given. */
export function jpeg(colour: string, taken?: string, size = 64): Promise<Buffer> {
  // Large ones are noise, so that they stay large once compressed (several upload chunks).
  const image =
    size > 128
      ? sharp(randomBytes(size * size * 3), { raw: { width: size, height: size, channels: 3 } })
      : sharp({ create: { width: size, height: size, channels: 3, background: colour } });
  return (taken ? image.withExif({ IFD2: { DateTimeOriginal: taken } }) : image).jpeg().toBuffer();
}

/** Names in a folder of the user's tree, sorted; [] when it does not exist. */
export async function namesIn(app: App, principal: Principal, path: string): Promise<string[]> {
  try {
    const page = await app.vfs.list(principal, parsePath(path));
    return page.entries.map((entry) => entry.name).sort();
  } catch {
    return [];
  }
}

export function write(app: App, principal: Principal, path: string, content: Buffer, mtime?: number) {
  return app.vfs.write(principal, parsePath(path), Readable.from([content]), { mtime });
}

/** The results of the finished runs of libraries, oldest first. */
export async function runReports(app: App): Promise<Array<Record<string, unknown>>> {
  const jobs = await app.jobs.queue.list({ kind: 'photos.library', states: ['completed'], limit: 1000 });
  return jobs
    .sort((a, b) => a.id - b.id)
    .map((job) => job.result as Record<string, unknown>)
    .filter((result) => result !== null);
}

/** Lets what the writes so far started settle (their marks and jobs), then moves the clock and settles again. */
export async function later(clock: TestClock, seconds: number, ...apps: App[]): Promise<void> {
  await settle(clock, ...apps);
  clock.advance(seconds);
  await settle(clock, ...apps);
}
