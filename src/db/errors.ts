import { UnavailableError } from '../core/index.js';

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

export function isForeignKeyViolation(error: unknown): boolean {
  const code = codeOf(error);
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

export function isRetryable(error: unknown): boolean {
  const code = codeOf(error);
  return code !== undefined && RETRYABLE_CODES.has(code);
}

/**
 * Turns a driver error that means "cannot reach or lock the database" into a typed
 * UnavailableError; anything else passes through unchanged.
 */
export function translateDatabaseError(error: unknown): unknown {
  const code = codeOf(error);
  if (code !== undefined && UNAVAILABLE_CODES.has(code)) {
    const reason = code.startsWith('SQLITE_BUSY') || code === 'SQLITE_LOCKED' ? 'is locked by another process' : 'cannot be reached';
    return new UnavailableError(`The database ${reason} (${code}); try again shortly`, { cause: error });
  }
  if (error instanceof AggregateError && error.errors.length > 0) return translateDatabaseError(error.errors[0]);
  return error;
}
