import { STATUS_CODES } from 'node:http';
import { isDomainError, RateLimitedError, UnavailableError, type DomainErrorCode } from '../core/index.js';
import { DavHeaderError } from './headers/index.js';
import { DavXmlError, errorXml } from './xml/index.js';

/** What the client gets for a failure: a status, a readable message, optional RFC 4918 condition and headers. */
export interface DavFailure {
  readonly status: number;
  readonly message: string;
  /** A DAV: precondition or postcondition element (RFC 4918 section 16). */
  readonly condition?: string;
  readonly headers?: Record<string, string>;
}

/** The one table from domain errors to WebDAV statuses (STYLE.md item 4). */
const STATUS_OF: Record<DomainErrorCode, number> = {
  NOT_FOUND: 404,
  CONFLICT: 409,
  ALREADY_EXISTS: 412, // only reached when the client asked not to overwrite (Overwrite: F)
  NOT_A_FOLDER: 404, // a path through a file names nothing; writes get 409 from the vfs's parent check
  IS_A_FOLDER: 405,
  INVALID_NAME: 400,
  INVALID_ARGUMENT: 400,
  FORBIDDEN: 403,
  READ_ONLY: 403,
  LOCKED: 423,
  PRECONDITION_FAILED: 412,
  QUOTA_EXCEEDED: 507,
  INSUFFICIENT_STORAGE: 507,
  UNAUTHENTICATED: 401,
  UNAVAILABLE: 503,
  RATE_LIMITED: 429,
  INTEGRITY: 500,
  UPSTREAM: 502,
};

/** Raised by method handlers for protocol-level refusals that are not domain errors. */
export class DavError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly condition?: string,
  ) {
    super(message);
    this.name = 'DavError';
  }
}

export function failureOf(error: unknown): DavFailure | null {
  if (error instanceof DavError) return { status: error.status, message: error.message, condition: error.condition };
  if (error instanceof DavHeaderError || error instanceof DavXmlError) return { status: error.status, message: error.message };
  if (isDomainError(error)) {
    const status = STATUS_OF[error.code];
    const failure: DavFailure = {
      status,
      message: error.message,
      ...(error.code === 'LOCKED' && { condition: 'lock-token-submitted' }),
      ...(error.code === 'QUOTA_EXCEEDED' && { condition: 'quota-not-exceeded' }),
    };
    if (error instanceof RateLimitedError || error instanceof UnavailableError) {
      return { ...failure, headers: { 'Retry-After': String(error.retryAfterSeconds) } };
    }
    if (error.code === 'UNAUTHENTICATED')
      return { ...failure, headers: { 'WWW-Authenticate': 'Basic realm="Cumulus WebDAV", charset="UTF-8"' } };
    return failure;
  }
  return null;
}

/** The body of an error response: a DAV:error document with the condition, or plain text. */
export function failureBody(failure: DavFailure): { contentType: string; body: string } {
  if (failure.condition) {
    return {
      contentType: 'application/xml; charset=utf-8',
      body: errorXml(failure.condition, `<D:responsedescription>${escape(failure.message)}</D:responsedescription>`),
    };
  }
  return {
    contentType: 'text/plain; charset=utf-8',
    body: `${failure.status} ${STATUS_CODES[failure.status] ?? ''}: ${failure.message}\n`,
  };
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
