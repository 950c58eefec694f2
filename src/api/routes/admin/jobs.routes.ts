import type { Job } from '../../../jobs/index.js';
import { ApiError, CODES } from '../../errors.js';
import { isoTime } from '../../present.js';
import { defineAdminRoute } from './admin.route.js';
import { jobSchema, listJobsQuery, listJobsResponse } from './jobs.schema.js';

const DEFAULT_PAGE_SIZE = 50;

function present(job: Job) {
  const time = (ms: number | null) => (ms === null ? null : isoTime(ms));
  return {
    id: job.id,
    kind: job.kind,
    state: job.state,
    payload: job.payload,
    priority: job.priority,
    attempts: job.attempts,
    max_attempts: job.maxAttempts,
    dedupe_key: job.dedupeKey,
    every_seconds: job.intervalMs === null ? null : job.intervalMs / 1000,
    cancel_requested: job.cancelRequested,
    progress: job.progress,
    progress_message: job.progressMessage,
    result: job.result,
    last_error: job.lastError,
    run_at: isoTime(job.runAt),
    created_at: isoTime(job.createdAt),
    updated_at: isoTime(job.updatedAt),
    started_at: time(job.startedAt),
    finished_at: time(job.finishedAt),
  };
}

/** Job ids are the queue's own numbers (not opaque ids: jobs are an administrator's view of the server). */
function jobId(params: unknown): number {
  const id = Number((params as { id?: string }).id);
  if (!Number.isSafeInteger(id) || id < 1) throw new ApiError(CODES.notFound, 'Job not found');
  return id;
}

/** The durable job queue: list, inspect, cancel and retry jobs (administrators only). */
export const adminJobRoutes = [
  defineAdminRoute({
    method: 'GET',
    url: '/admin/jobs',
    summary: 'List jobs, newest first, optionally by state and kind (administrators only)',
    query: listJobsQuery,
    response: listJobsResponse,
    handler: async ({ query, deps }) => {
      const pageSize = query.page_size ?? DEFAULT_PAGE_SIZE;
      const rows = await deps.jobs.list({ states: query.state, kind: query.kind, beforeId: query.before, limit: pageSize + 1 });
      const page = rows.slice(0, pageSize);
      return { jobs: page.map(present), next_before: rows.length > pageSize ? page[page.length - 1]!.id : null };
    },
  }),
  defineAdminRoute({
    method: 'GET',
    url: '/admin/jobs/:id',
    summary: 'One job (administrators only)',
    response: jobSchema,
    handler: async ({ request, deps }) => present(await deps.jobs.get(jobId(request.params))),
  }),
  defineAdminRoute({
    method: 'POST',
    url: '/admin/jobs/:id/retry',
    summary: 'Queue a completed, dead or cancelled job again from its first attempt (administrators only)',
    response: jobSchema,
    handler: async ({ request, deps }) => present(await deps.jobs.retry(jobId(request.params))),
  }),
  defineAdminRoute({
    method: 'POST',
    url: '/admin/jobs/:id/cancel',
    summary: 'Cancel a job: a queued one at once, a running one at its next heartbeat (administrators only)',
    response: jobSchema,
    handler: async ({ request, deps }) => present(await deps.jobs.cancel(jobId(request.params))),
  }),
];
