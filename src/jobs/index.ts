export type { EnqueueOptions, HeartbeatAnswer, Job, JobFilter, JobQueue, JobState, Lease, Outcome, ScheduleOptions } from './queue.js';
export { DatabaseJobQueue, type DatabaseJobQueueOptions } from './database-queue.js';
export { retryDelay, type BackoffOptions } from './backoff.js';
export { JobStopped, type JobContext } from './context.js';
export { JobRunner, PermanentJobError, type JobHandler, type JobRunnerOptions } from './runner.js';
export { EventFeed, type EventProcessor, type JobRequest } from './processors.js';
