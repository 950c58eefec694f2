import { ForbiddenError, NotFoundError } from '../../core/index.js';

/**
 * Contract section 17: a share link that does not exist, belongs to someone else, has
 * expired, has no downloads left, or whose file or owner is gone. Clients see one answer
 * (404) for all of them, so a link reveals nothing about why it stopped working.
 */
export class ShareNotFoundError extends NotFoundError {}

/** The share has a password and the one given (or none) is not it (40069). */
export class IncorrectSharePasswordError extends ForbiddenError {
  constructor(message = 'Incorrect share password') {
    super(message);
  }
}

/** The user's group may not create share links (40007). */
export class SharingNotAllowedError extends ForbiddenError {}
