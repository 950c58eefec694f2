export {
  UserService,
  normaliseEmail,
  MIN_PASSWORD_LENGTH,
  MAX_PASSWORD_LENGTH,
  type NewUser,
  type UserChanges,
  type ChangeContext,
} from './users/user.service.js';
export { UserNotFoundError, EmailTakenError, IncorrectPasswordError } from './users/user.errors.js';
export { GroupService, BUILT_IN_GROUPS, type GroupChanges } from './groups/group.service.js';
export { GroupNotFoundError, BuiltInGroupError, GroupInUseError } from './groups/group.errors.js';
export { MembershipService, type MembershipListener } from './groups/membership.service.js';
export { Bootstrap, type CreatedAdmin } from './bootstrap.service.js';
export { GarbageCollector, type GcReport, type GcProgress } from './maintenance/gc.service.js';
export { Doctor, type DoctorReport, type DoctorProblem } from './maintenance/doctor.service.js';
export { ServerSettings, type ServerSwitches } from './settings/server-settings.service.js';
export { DavAccountService, DAV_PASSWORD_LENGTH, type DavAccount } from './dav-accounts/dav-account.service.js';
export { WebDavNotAllowedError, DavAccountNotFoundError } from './dav-accounts/dav-account.errors.js';
export {
  SessionService,
  type TokenPair,
  type Authentication,
  type ClientInfo,
  type SessionServiceOptions,
  type ActiveSession,
} from './sessions/session.service.js';
export { InvalidCredentialsError, AccountDisabledError, TokenRejectedError, SessionNotFoundError } from './sessions/session.errors.js';
export {
  UploadService,
  type UploadSession,
  type UploadPolicy,
  type NewUpload,
  type UploadServiceOptions,
} from './uploads/upload.service.js';
export { UploadSessionNotFoundError, ChunkIndexError, ChunkLengthError } from './uploads/upload.errors.js';
export { ShareService, type Share, type ShareSettings, type OpenedShare, type ShareServiceOptions } from './shares/share.service.js';
export { ShareNotFoundError, IncorrectSharePasswordError, SharingNotAllowedError } from './shares/share.errors.js';
export { SHARE_GONE } from './shares/share.errors.js';
export { type DownloadTake } from './shares/share.service.js';
export { MaintenanceJobs, MAINTENANCE_JOBS, type MaintenanceDuties } from './maintenance/maintenance.jobs.js';
export { SharedVersions, type SharedKind } from './shared-state/shared-versions.js';
export { DatabaseThrottleStore, type ThrottleStoreOptions } from './shared-state/throttle-store.js';
export { ServerKeyCheck } from './server/server-key.service.js';
export { sealStoredSharePasswords } from './shares/share.passwords.js';
export { ServerPresence } from './server/server-presence.service.js';
export { MediaService, MediaJobs, MEDIA_INDEX_JOB, Thumbnailer, NoThumbnail, detectTools, formatOf } from './media/index.js';
export { DirectLinks, type DirectLinkRequest, type BackendLookup } from './downloads/direct-links.service.js';
export { DirectUploads, type DirectUploadOffer } from './uploads/upload.direct.js';
export { UploadPolicyMismatchError, CallbackSecretError } from './uploads/upload.errors.js';
export * from './policies/index.js';
export { MountService, type MountView, type NewMountInput } from './mounts/mount.service.js';
export { MountNotFoundError, MountNameTakenError } from './mounts/mount.errors.js';
export { MountWatcher, MOUNT_WATCH_JOB, type MountWatcherOptions } from './mounts/mount-watcher.js';
export { HistoryJobs, TRASH_RETENTION_JOB } from './history/history.jobs.js';
