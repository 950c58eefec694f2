import { ConflictError, ForbiddenError, NotFoundError } from '../../core/index.js';

/** No storage policy has this name or id. */
export class PolicyNotFoundError extends NotFoundError {}

/** A policy still holds files or is named by groups or folders: it cannot be removed. */
export class PolicyInUseError extends ConflictError {}

/** The user's group may not store in this policy. */
export class PolicyNotAllowedError extends ForbiddenError {}
