export { UserService, normaliseEmail, MIN_PASSWORD_LENGTH, type NewUser } from './users/user.service.js';
export { GroupService, BUILT_IN_GROUPS, type GroupChanges } from './groups/group.service.js';
export { Bootstrap, type CreatedAdmin } from './bootstrap.service.js';
export { GarbageCollector, type GcReport, type GcProgress } from './maintenance/gc.service.js';
export { Doctor, type DoctorReport, type DoctorProblem } from './maintenance/doctor.service.js';
export { ServerSettings, type ServerSwitches } from './settings/server-settings.service.js';
export { DavAccountService, DAV_PASSWORD_LENGTH, type DavAccount } from './dav-accounts/dav-account.service.js';
export {
  SessionService,
  type TokenPair,
  type Authentication,
  type ClientInfo,
  type SessionServiceOptions,
} from './sessions/session.service.js';
export { InvalidCredentialsError, AccountDisabledError, TokenRejectedError } from './sessions/session.errors.js';
