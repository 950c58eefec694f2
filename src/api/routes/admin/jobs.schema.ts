import { z } from 'zod';

const STATES = ['queued', 'running', 'completed', 'dead', 'cancelled'] as const;

export const jobSchema = z.object({
  id: z.number().int(),
  kind: z.string(),
  state: z.enum(STATES),
  payload: z.unknown(),
  priority: z.number().int(),
  attempts: z.number().int().describe('Claims so far, including the run in progress'),
  max_attempts: z.number().int(),
  dedupe_key: z.string().nullable(),
  every_seconds: z.number().nullable().describe('Set on recurring jobs'),
  cancel_requested: z.boolean(),
  progress: z.number().nullable().describe('0..1; null when unknown'),
  progress_message: z.string().nullable(),
  result: z.unknown(),
  last_error: z.string().nullable(),
  run_at: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
});

/** `state` takes one state or several separated by commas. */
export const listJobsQuery = z
  .object({
    state: z
      .string()
      .transform((text) => text.split(',').map((state) => state.trim()))
      .pipe(z.array(z.enum(STATES, { error: `state must be one of ${STATES.join(', ')}` })))
      .optional(),
    kind: z.string().min(1).max(200).optional(),
    page_size: z.coerce.number().int().min(1).max(500).optional().describe('50 when left out'),
    before: z.coerce.number().int().min(1).optional().describe('Jobs with a smaller id (the next page: next_before of the last one)'),
  })
  .strict();

export const listJobsResponse = z.object({
  jobs: z.array(jobSchema),
  next_before: z.number().int().nullable().describe('Pass as `before` for the next page; null on the last one'),
});
