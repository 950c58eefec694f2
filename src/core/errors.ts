/**
 * Typed domain errors. Every failure a client can cause is one of these, with a stable
 * `code`; the protocol layers (dav/status.ts, api/errors.ts) are the only places that turn
 * them into a status line and a body. Messages are written for the person reading them.
 */
export type DomainErrorCode =
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'ALREADY_EXISTS'
  | 'NOT_A_FOLDER'
  | 'IS_A_FOLDER'
  | 'INVALID_NAME'
  | 'INVALID_ARGUMENT'
  | 'FORBIDDEN'
  | 'READ_ONLY'
  | 'LOCKED'
  | 'PRECONDITION_FAILED'
  | 'QUOTA_EXCEEDED'
  | 'INSUFFICIENT_STORAGE'
  | 'UNAUTHENTICATED'
  | 'UNAVAILABLE'
  | 'RATE_LIMITED'
  | 'INTEGRITY'
  | 'UPSTREAM';

export interface DomainErrorOptions {
  readonly cause?: unknown;
  /**
   * Details for the log only, never for the client (the storage key of the blob a store failed
   * on): pino's error serializer writes them beside the message.
   */
  readonly logged?: Record<string, unknown>;
}

export class DomainError extends Error {
  readonly logged?: Record<string, unknown>;

  constructor(
    readonly code: DomainErrorCode,
    message: string,
    options?: DomainErrorOptions,
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    if (options?.logged) this.logged = options.logged;
  }
}

/** The named path, or one of its ancestors, does not exist. */
export class NotFoundError extends DomainError {
  constructor(message = 'Not found') {
    super('NOT_FOUND', message);
  }
}

/** The operation cannot be carried out in the tree's current state (e.g. a missing parent). */
export class ConflictError extends DomainError {
  constructor(message: string) {
    super('CONFLICT', message);
  }
}

/** A target name is taken and the caller did not ask to overwrite it. */
export class AlreadyExistsError extends DomainError {
  constructor(message: string) {
    super('ALREADY_EXISTS', message);
  }
}

/** A path walks through a file as if it were a folder. */
export class NotAFolderError extends DomainError {
  constructor(message: string) {
    super('NOT_A_FOLDER', message);
  }
}

/** A file operation was asked of a folder. */
export class IsAFolderError extends DomainError {
  constructor(message: string) {
    super('IS_A_FOLDER', message);
  }
}

export class InvalidNameError extends DomainError {
  constructor(message: string) {
    super('INVALID_NAME', message);
  }
}

export class InvalidArgumentError extends DomainError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = 'Permission denied') {
    super('FORBIDDEN', message);
  }
}

/** A write through a read-only principal or while the server is read-only. */
export class ReadOnlyError extends DomainError {
  constructor(message = 'This space is read-only') {
    super('READ_ONLY', message);
  }
}

export class LockedError extends DomainError {
  constructor(message = 'The resource is locked') {
    super('LOCKED', message);
  }
}

export class PreconditionFailedError extends DomainError {
  constructor(message: string) {
    super('PRECONDITION_FAILED', message);
  }
}

/** The user's storage quota would be exceeded. */
export class QuotaExceededError extends DomainError {
  constructor(message = 'Storage quota exceeded') {
    super('QUOTA_EXCEEDED', message);
  }
}

/** The storage itself is full (ENOSPC, EDQUOT). */
export class InsufficientStorageError extends DomainError {
  constructor(message = 'The server has no space left to store this file', options?: { cause?: unknown }) {
    super('INSUFFICIENT_STORAGE', message, options);
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(message = 'Authentication required') {
    super('UNAUTHENTICATED', message);
  }
}

/** A dependency (database, storage) cannot be reached or is busy; the request may be retried. */
export class UnavailableError extends DomainError {
  /** When to try again (Retry-After): the database or a store usually returns within seconds. */
  readonly retryAfterSeconds = 5;

  constructor(message: string, options?: DomainErrorOptions) {
    super('UNAVAILABLE', message, options);
  }
}

/** Too many failed attempts; the client may try again after `retryAfterSeconds`. */
export class RateLimitedError extends DomainError {
  constructor(
    readonly retryAfterSeconds: number,
    message = 'Too many failed attempts; try again later',
  ) {
    super('RATE_LIMITED', message);
  }
}

/** Stored data does not match what the database says (a missing or truncated blob). */
export class IntegrityError extends DomainError {
  constructor(message: string) {
    super('INTEGRITY', message);
  }
}

/**
 * A store or server this one depends on (an S3 bucket, a remote WebDAV server) answered, but
 * with a failure or something that is not a valid answer: HTTP 502. The message names the
 * store and never carries a secret (keys, passwords, signed URLs) nor a blob's storage key
 * (that goes to the log through `logged`).
 */
export class UpstreamError extends DomainError {
  constructor(message: string, options?: DomainErrorOptions) {
    super('UPSTREAM', message, options);
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}

/**
 * The folder tree itself is inconsistent where a request walked (a folder inside itself, or a
 * lost parent): every recursive walk is bounded (DESIGN.md decision 1) and ends here instead
 * of running on. Reported as an integrity failure; `cumulus doctor --repair` mends the tree.
 */
export class TreeDamagedError extends IntegrityError {
  constructor(entryId: number) {
    super(
      `The folder tree is damaged around entry #${entryId} (a folder inside itself, a lost parent, or deeper than the server follows); an administrator can repair it with "cumulus doctor --repair"`,
    );
  }
}

/**
 * The server cannot start with this configuration or data (a key that does not match the
 * database, a database from a newer version, an unreachable database). Not a client's
 * error: the CLI prints its message as one line and exits with code 2.
 */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}
