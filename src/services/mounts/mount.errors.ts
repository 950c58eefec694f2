import { ConflictError, NotFoundError } from '../../core/index.js';

/** No shared folder has this name. */
export class MountNotFoundError extends NotFoundError {}

/** A member already has a file or folder where the shared folder would appear. */
export class MountNameTakenError extends ConflictError {}
