import { AlreadyExistsError, ConflictError, NotFoundError } from '../../core/index.js';

/** No library is marked at this folder (or with this id) in the caller's space. */
export class LibraryNotFoundError extends NotFoundError {}

/** The folder is a library already. */
export class LibraryExistsError extends AlreadyExistsError {}

/** Libraries do not nest: each change belongs to one library's runs. */
export class NestedLibraryError extends ConflictError {}
