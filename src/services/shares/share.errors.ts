import { ForbiddenError, NotFoundError } from '../../core/index.js';

/**
 * What a visitor is told of a share link that does not open, whatever the reason (contract
 * 3.4's exact text for 404).
 */
export const SHARE_GONE = 'Shared file does not exist';

/**
 * Contract section 17: a share link that does not exist, belongs to someone else, has
 * expired, has no downloads left, or whose file or owner is gone. Clients see one answer
 * (404, and for visitors one message, SHARE_GONE) for all of them, so a link reveals nothing
 * about why it stopped working.
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
