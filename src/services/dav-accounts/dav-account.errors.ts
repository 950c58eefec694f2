import { ForbiddenError, NotFoundError } from '../../core/index.js';

/** The user's group does not allow WebDAV, so they may not create or change WebDAV accounts. */
export class WebDavNotAllowedError extends ForbiddenError {}

/** No WebDAV account has this id, or it belongs to someone else (the same answer for both). */
export class DavAccountNotFoundError extends NotFoundError {}
