import { AlreadyExistsError, ForbiddenError, NotFoundError } from '../../core/index.js';

/** No user has this id or email. */
export class UserNotFoundError extends NotFoundError {}

/** Another account already signs in with this email. */
export class EmailTakenError extends AlreadyExistsError {}

/** A user's own password change named a current password that is not theirs (Cloudreve's 40069 "Incorrect password"). */
export class IncorrectPasswordError extends ForbiddenError {
  constructor(message = 'Incorrect password: that is not your current password') {
    super(message);
  }
}
