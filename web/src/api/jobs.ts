import { call } from './session';

// The job queue's administration (src/api/routes/admin/jobs.schema.ts).

export type JobState = 'queued' | 'running' | 'completed' | 'dead' | 'cancelled';

export interface AdminJob {
  readonly id: number;
  readonly kind: string;
  readonly state: JobState;
  readonly payload: unknown;
  readonly attempts: number;
  readonly max_attempts: number;
  readonly every_seconds: number | null;
  readonly cancel_requested: boolean;
  /** 0..1; null when unknown. */
  readonly progress: number | null;
  readonly progress_message: string | null;
  readonly last_error: string | null;
  readonly run_at: string;
  readonly started_at: string | null;
  readonly finished_at: string | null;
}

export function listJobs(states: readonly JobState[], signal?: AbortSignal): Promise<{ jobs: AdminJob[]; next_before: number | null }> {
  return call('GET', '/admin/jobs', { query: { page_size: 100, state: states.length > 0 ? states.join(',') : undefined }, signal });
}

export function retryJob(id: number): Promise<AdminJob> {
  return call('POST', `/admin/jobs/${id}/retry`);
}

export function cancelJob(id: number): Promise<AdminJob> {
  return call('POST', `/admin/jobs/${id}/cancel`);
}
