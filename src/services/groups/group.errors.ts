import { ConflictError, ForbiddenError, NotFoundError } from '../../core/index.js';

/** No group has this id or name. */
export class GroupNotFoundError extends NotFoundError {}

/**
 * The built-in groups (Admin, User, Anonymous) always exist under their names, and Admin
 * always has the admin permission, so the server can never be left without a way in.
 */
export class BuiltInGroupError extends ForbiddenError {}

/** A group cannot be deleted while users belong to it: move them to another group first. */
export class GroupInUseError extends ConflictError {
  constructor(
    readonly members: number,
    message: string,
  ) {
    super(message);
  }
}
