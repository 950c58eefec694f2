import { AlreadyExistsError, UnavailableError } from '../core/index.js';

/** SQLSTATE / SQLite codes that mean "the database could not be reached or was busy". */
const UNAVAILABLE_CODES = new Set([
  'SQLITE_BUSY',
  'SQLITE_BUSY_SNAPSHOT',
  'SQLITE_LOCKED',
  'SQLITE_CANTOPEN',
  'SQLITE_READONLY',
  'SQLITE_IOERR',
  'SQLITE_FULL',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  '57P01', // admin_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '08000',
  '08001',
  '08003',
  '08006',
]);

/** PostgreSQL serialization failures and deadlocks: the transaction may simply be retried. */
const RETRYABLE_CODES = new Set(['40001', '40P01']);

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function isUniqueViolation(error: unknown): boolean {
  const code = codeOf(error);
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * Another transaction took a (parent folder, name) that this one was about to use, between
 * this one's look and its insert or rename: the driver's unique violation on entries
 * (PostgreSQL 23505, SQLite SQLITE_CONSTRAINT_UNIQUE) as a typed error. Database.transaction
 * runs the work again, which then sees the winner and decides (refuse, or replace when asked
 * to overwrite); only a name that keeps being taken comes out as this error.
 */
export class EntryNameTakenError extends AlreadyExistsError {
  constructor(message = 'Something with this name was created at the same moment', options?: { cause?: unknown }) {
    super(message);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/** The unique violation of entries (parent_id, name), whichever driver reported it. */
export function isEntryNameViolation(error: unknown): boolean {
  if (!isUniqueViolation(error)) return false;
  const { constraint, message } = error as { constraint?: unknown; message?: unknown };
  return constraint === 'entries_parent_name' || (typeof message === 'string' && message.includes('entries.parent_id, entries.name'));
}

export function isForeignKeyViolation(error: unknown): boolean {
  const code = codeOf(error);
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

export function isRetryable(error: unknown): boolean {
  if (error instanceof EntryNameTakenError) return true;
  const code = codeOf(error);
  return code !== undefined && RETRYABLE_CODES.has(code);
}

/**
 * Turns a driver error that means "cannot reach or lock the database" into a typed
 * UnavailableError, and a name taken in a folder into EntryNameTakenError; anything else
 * passes through unchanged.
 */
export function translateDatabaseError(error: unknown): unknown {
  if (isEntryNameViolation(error)) return new EntryNameTakenError(undefined, { cause: error });
  const code = codeOf(error);
  if (code !== undefined && UNAVAILABLE_CODES.has(code)) {
    const reason = code.startsWith('SQLITE_BUSY') || code === 'SQLITE_LOCKED' ? 'is locked by another process' : 'cannot be reached';
    return new UnavailableError(`The database ${reason} (${code}); try again shortly`, { cause: error });
  }
  if (isLostConnection(error)) {
    return new UnavailableError('The database connection was lost; try again shortly', { cause: error });
  }
  if (error instanceof AggregateError && error.errors.length > 0) return translateDatabaseError(error.errors[0]);
  return error;
}

/**
 * pg reports a server that went away mid-statement (restart, failover) without an error code,
 * only in words: "Connection terminated unexpectedly", and afterwards "Client has encountered
 * a connection error and is not queryable" for the same client.
 */
function isLostConnection(error: unknown): boolean {
  if (!(error instanceof Error) || codeOf(error) !== undefined) return false;
  return /^Connection terminated|connection error and is not queryable|Client was closed and is not queryable/.test(error.message);
}
