import { AlreadyExistsError, NotFoundError } from '../../core/index.js';

/** No user has this id or email. */
export class UserNotFoundError extends NotFoundError {}

/** Another account already signs in with this email. */
export class EmailTakenError extends AlreadyExistsError {}
