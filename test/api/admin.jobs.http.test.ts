// Over real HTTP, on both databases: the job queue through the administration API
// (/admin/jobs): listing by state and by pages, one job, cancel and retry. Members of
// other groups are refused (403) before anything is read; unknown ids are 404.
import { beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { apiUser, useApiServer } from '../support/api-server.js';

interface JobJson {
  id: number;
  kind: string;
  state: string;
  attempts: number;
  payload: unknown;
  last_error: string | null;
  cancel_requested: boolean;
  progress: number | null;
  run_at: string;
}

describe.each(DIALECTS)('Administration over HTTP: jobs (%s)', (dialect) => {
  const api = useApiServer(dialect);
  let admin: Awaited<ReturnType<typeof apiUser>>;
  let dead: number;
  let queued: number;
  let running: number;

  beforeAll(async () => {
    admin = await apiUser(api, 'Admin');
    const queue = api.t.app.jobs.queue;
    dead = (await queue.enqueue('api.import', { folder: 3 })).job.id;
    await queue.finish((await queue.claim(['api.import'], 60_000))!, { type: 'failed', error: 'gone', permanent: true });
    running = (await queue.enqueue('api.thumbnail', { file: 1 })).job.id;
    const lease = await queue.claim(['api.thumbnail'], 60_000);
    await queue.heartbeat(lease!, { fraction: 0.5, message: 'half' });
    queued = (await queue.enqueue('api.thumbnail', { file: 2 }, { delayMs: 3600_000 })).job.id;
  });

  it('lists jobs newest first, by state, in pages', async () => {
    const all = await admin.as<{ jobs: JobJson[]; next_before: number | null }>('GET', '/admin/jobs');
    expect(all.code).toBe(0);
    expect(all.data!.jobs.map((job) => [job.id, job.state])).toEqual([
      [queued, 'queued'],
      [running, 'running'],
      [dead, 'dead'],
    ]);
    expect(all.data!.jobs[1]).toMatchObject({ kind: 'api.thumbnail', progress: 0.5, attempts: 1, payload: { file: 1 } });
    const active = await admin.as<{ jobs: JobJson[] }>('GET', '/admin/jobs', { query: { state: 'queued,running' } });
    expect(active.data!.jobs.map((job) => job.id)).toEqual([queued, running]);
    const first = await admin.as<{ jobs: JobJson[]; next_before: number | null }>('GET', '/admin/jobs', { query: { page_size: 2 } });
    expect(first.data).toMatchObject({ next_before: running });
    const second = await admin.as<{ jobs: JobJson[]; next_before: number | null }>('GET', '/admin/jobs', {
      query: { page_size: 2, before: first.data!.next_before! },
    });
    expect(second.data).toEqual({ jobs: [expect.objectContaining({ id: dead })], next_before: null });
  });

  it('shows, cancels and retries a job', async () => {
    expect((await admin.as<JobJson>('GET', `/admin/jobs/${dead}`)).data).toMatchObject({ id: dead, state: 'dead', last_error: 'gone' });
    expect((await admin.as<JobJson>('POST', `/admin/jobs/${dead}/retry`)).data).toMatchObject({ state: 'queued', attempts: 0 });
    expect((await admin.as<JobJson>('POST', `/admin/jobs/${queued}/cancel`)).data).toMatchObject({ state: 'cancelled' });
    expect((await admin.as<JobJson>('POST', `/admin/jobs/${running}/cancel`)).data).toMatchObject({
      state: 'running',
      cancel_requested: true,
    });
    expect((await api.t.app.jobs.queue.get(queued)).state).toBe('cancelled');
  });

  it('refuses bad requests precisely, changing nothing', async () => {
    const conflict = await admin.as('POST', `/admin/jobs/${running}/retry`);
    expect(conflict.code).toBe(409);
    expect(conflict.msg).toMatch(/is running/);
    expect((await admin.as('GET', '/admin/jobs/999999')).code).not.toBe(0);
    expect((await admin.as('GET', '/admin/jobs/abc')).code).toBe(404);
    const badState = await admin.as('GET', '/admin/jobs', { query: { state: 'sleeping' } });
    expect(badState.code).toBe(40001);
    expect(badState.msg).toMatch(/state must be one of/);
    const member = await apiUser(api, 'User');
    expect((await member.as('GET', '/admin/jobs')).code).toBe(403);
    expect((await member.as('POST', `/admin/jobs/${running}/cancel`)).code).toBe(403);
    expect((await api.t.app.jobs.queue.get(running)).state).toBe('running');
  });
});
