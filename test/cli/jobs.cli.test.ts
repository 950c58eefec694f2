import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job, JobQueue } from '../../src/jobs/index.js';
import { cumulus, CLI_DIALECTS } from '../support/cli.js';
import { jobDatabase } from '../jobs/support.js';

describe.each(CLI_DIALECTS)('cumulus jobs on %s', (dialect) => {
  let store: Awaited<ReturnType<typeof jobDatabase>>;
  let queue: JobQueue;
  beforeAll(async () => {
    store = await jobDatabase(dialect);
    queue = await store.open(Date.now);
  });
  afterAll(() => store.close());

  const run = (...args: string[]) => cumulus(['--data', store.dir, ...args], { CUMULUS_DATABASE_URL: store.url });

  it('lists, shows, retries and cancels jobs, with --json', async () => {
    const waiting = (await queue.enqueue('cli.thumbnail', { file: 1 }, { delayMs: 3600_000 })).job;
    const failing = (await queue.enqueue('cli.import', { folder: 2 })).job;
    const lease = await queue.claim(['cli.import'], 60_000);
    await queue.finish(lease!, { type: 'failed', error: 'source is gone', permanent: true });

    const all = run('jobs', 'list', '--json');
    expect(all.status).toBe(0);
    expect(all.json<Job[]>().map((job) => [job.id, job.state])).toEqual([
      [failing.id, 'dead'],
      [waiting.id, 'queued'],
    ]);
    expect(
      run('jobs', 'list', '--state', 'dead', '--json')
        .json<Job[]>()
        .map((job) => job.id),
    ).toEqual([failing.id]);
    expect(run('jobs', 'list').stdout).toMatch(new RegExp(`${failing.id}\\s+cli\\.import\\s+dead\\s+1/5`));

    expect(run('jobs', 'show', String(failing.id), '--json').json()).toMatchObject({
      id: failing.id,
      payload: { folder: 2 },
      lastError: 'source is gone',
    });
    expect(run('jobs', 'show', String(failing.id)).stdout).toMatch(/error:\s+source is gone/);

    expect(run('jobs', 'retry', String(failing.id), '--json').json()).toMatchObject({ id: failing.id, state: 'queued', attempts: 0 });
    expect(run('jobs', 'cancel', String(waiting.id), '--json').json()).toMatchObject({ id: waiting.id, state: 'cancelled' });
    expect((await queue.get(waiting.id)).state).toBe('cancelled');
  });

  it('answers unknown ids, bad ids and refused retries with an error and an exit code', () => {
    const missing = run('jobs', 'show', '987654', '--json');
    expect(missing.status).toBe(1);
    expect(missing.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'No job 987654' } });
    const bad = run('jobs', 'cancel', 'abc', '--json');
    expect(bad.status).toBe(2);
    expect(bad.json()).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } });
    expect(run('jobs', 'list', '--state', 'sleeping').status).toBe(2);
  });

  it('refuses to retry a job that is still queued', async () => {
    const { job } = await queue.enqueue('cli.other', null, { delayMs: 3600_000 });
    const refused = run('jobs', 'retry', String(job.id), '--json');
    expect(refused.status).toBe(1);
    expect(refused.json()).toMatchObject({ error: { code: 'CONFLICT', message: expect.stringMatching(/is queued/) } });
  });
});
