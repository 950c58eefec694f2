export { Database, type Db, type Tx, type DatabaseOptions } from './database.js';
export { dialectOfUrl, type SqlDialectName } from './dialect.js';
export { isUniqueViolation, isForeignKeyViolation, translateDatabaseError } from './errors.js';
export { EntryNameTakenError } from './errors.js';
export { MAX_TREE_DEPTH, type CutOffEntry } from './repositories/entry-walks.js';
export {
  EntryRepository,
  type EntryCursor,
  type ListPageQuery,
  type NewEntry,
  type SubtreeSummary,
  type NameSearch,
  type Bounds,
  type MediaConditions,
} from './repositories/entries.repository.js';
export { BlobRepository, type BlobRecord } from './repositories/blobs.repository.js';
export { GroupRepository, type GroupFields } from './repositories/groups.repository.js';
export { UserRepository, type UserWithSecret } from './repositories/users.repository.js';
export { SettingsRepository } from './repositories/settings.repository.js';
export { PolicyRepository, type StoragePolicy, type PolicyUsage } from './repositories/policies.repository.js';
export { PropertyRepository, type DeadProperty } from './repositories/properties.repository.js';
export { LockRepository, type LockRecord } from './repositories/locks.repository.js';
export { DavAccountRepository, type DavAccountRecord } from './repositories/dav-accounts.repository.js';
export { SessionRepository, type SessionRecord } from './repositories/sessions.repository.js';
export { UploadSessionRepository, type UploadSessionRecord, type NewUploadSession } from './repositories/upload-sessions.repository.js';
export type { DirectUploadRecord } from './repositories/upload-sessions.repository.js';
export { ShareRepository, type ShareRecord, type ShareFields } from './repositories/shares.repository.js';
export {
  JobRepository,
  type JobRecord,
  type JobState,
  type NewJob,
  type JobListQuery,
  type JobSettlement,
} from './repositories/jobs.repository.js';
export { SharedVersionRepository, ThrottleRepository, type ThrottleRecord } from './repositories/shared-state.repository.js';
export { PolicyMoveRepository, type MoveScope, type MoveCandidate } from './repositories/policy-moves.repository.js';
export { MembershipRepository } from './repositories/memberships.repository.js';
export { MountRepository, type MountRecord, type NewMount, type DiskEntry, type DiskFields } from './repositories/mounts.repository.js';
export { MediaRepository, type MediaRecord, type MediaMetadata, type MediaKind, type ThumbState } from './repositories/media.repository.js';
export { VersionRepository, type VersionRecord, type NewVersion } from './repositories/versions.repository.js';
export { TrashRepository, type TrashRecord, type Departure } from './repositories/trash.repository.js';
export {
  PhotoLibraryRepository,
  type PhotoLibraryRecord,
  type PhotoChange,
  type TimelineItem,
} from './repositories/photo-libraries.repository.js';
export {
  SyncRepository,
  type SyncAccountRecord,
  type SyncPairRecord,
  type NewSyncPair,
  type SyncStateRecord,
} from './repositories/sync.repository.js';
