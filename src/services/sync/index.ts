export { SyncService, type NewSyncPairRequest, type SyncPairView, type SyncRunResult, type SyncServiceOptions } from './sync.service.js';
export { SyncJobs, SYNC_RUN_JOB } from './sync.jobs.js';
export { planSync, type PlanOptions } from './sync.planner.js';
export type { SyncAction, SyncPlan, SyncDirection, SyncDeletes } from './sync.types.js';
export { isPrivateAddress, checkedLookup, remoteConnectOptions } from './safe-address.js';
