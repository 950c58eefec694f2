import { randomUUID } from 'node:crypto';
import { RateLimitedError, UnavailableError, isDomainError, type DomainErrorCode } from '../core/index.js';
import {
  AccountDisabledError,
  BuiltInGroupError,
  DavAccountNotFoundError,
  EmailTakenError,
  GroupInUseError,
  GroupNotFoundError,
  IncorrectPasswordError,
  IncorrectSharePasswordError,
  InvalidCredentialsError,
  SessionNotFoundError,
  ShareNotFoundError,
  SharingNotAllowedError,
  TokenRejectedError,
  UserNotFoundError,
  WebDavNotAllowedError,
} from '../services/index.js';
import { ChunkIndexError, ChunkLengthError, UploadSessionNotFoundError } from '../services/index.js';
import { CallbackSecretError, UploadPolicyMismatchError } from '../services/index.js';
import { LibraryExistsError, LibraryNotFoundError, NestedLibraryError } from '../services/index.js';

/**
 * The one table from failures to the Cloudreve V4 error envelope (contract sections 3.1 and
 * 3.4; STYLE.md item 4). Errors always travel on HTTP 200 as `{code, msg, correlation_id}`.
 * Code 401 means "not signed in" and nothing else (contract section 2): a signed-in caller
 * never gets it, whatever a service throws.
 */
export const CODES = {
  loginRequired: 401,
  forbidden: 403,
  notFound: 404,
  conflict: 409,
  /** Too many failed sign-ins (no Cloudreve equivalent; HTTP-like, as 401/403/404/409 are). */
  rateLimited: 429,
  parameter: 40001,
  exists: 40004,
  /** Contract 9.3: a signed download URL past its expiry. */
  signatureExpired: 40005,
  /** Contract 15.3, 15.5: a chunk sent here for a direct upload, or a callback of another policy type. */
  policyNotAllowed: 40006,
  /** The caller's group may not do this (e.g. WebDAV, contract 18.1). */
  groupNotAllowed: 40007,
  /** Contract 15.3: a chunk for an unknown, expired or foreign upload session. */
  uploadSessionExpired: 40011,
  /** Contract 15.3: a chunk index outside the file. */
  invalidChunkIndex: 40012,
  /** Contract 15.3: a chunk body of the wrong length. */
  invalidContentLength: 40013,
  notExist: 40016,
  accountDisabled: 40017,
  /** A feature the administrator turned off (e.g. sign-up). */
  featureDisabled: 40019,
  credential: 40020,
  emailTaken: 40032,
  /** Administration (contract 3.4, 40039-40043 as Cloudreve numbers them). */
  groupNotFound: 40039,
  builtInGroup: 40040,
  groupInUse: 40041,
  /** An administrator moving themself out of every group with the admin permission. */
  ownGroup: 40042,
  /** An administrator locking themself out (disabling their own account, or their group's admin permission). */
  ownAccount: 40043,
  capacity: 40051,
  invalidName: 40052,
  /** Contract 17: the share's password is missing or wrong. */
  sharePassword: 40069,
  /** Contract 19, PATCH /user/setting: a wrong current password (Cloudreve's CodeIncorrectPassword, the same number). */
  incorrectPassword: 40069,
  /** Contract 9.3: a download URL whose signature does not verify. */
  invalidSign: 40071,
  lockConflict: 40073,
  tooManyUris: 40074,
  /** Contract 9.1 and 10: no content to serve (a folder's download URL, a thumbnail). */
  entityNotExist: 40077,
  wrongPassword: 40080,
  batchFailed: 40081,
  ownerOnly: 40082,
  database: 50001,
  io: 50004,
  internal: -1,
} as const;

const CODE_OF: Record<DomainErrorCode, number> = {
  NOT_FOUND: CODES.notExist,
  NOT_A_FOLDER: CODES.notExist, // a path through a file names nothing
  CONFLICT: CODES.conflict,
  ALREADY_EXISTS: CODES.exists,
  IS_A_FOLDER: CODES.exists, // a file asked for where a folder of that name is
  INVALID_NAME: CODES.invalidName,
  INVALID_ARGUMENT: CODES.parameter,
  FORBIDDEN: CODES.forbidden,
  READ_ONLY: CODES.forbidden,
  LOCKED: CODES.lockConflict,
  PRECONDITION_FAILED: CODES.conflict,
  QUOTA_EXCEEDED: CODES.capacity,
  INSUFFICIENT_STORAGE: CODES.capacity,
  UNAUTHENTICATED: CODES.loginRequired,
  UNAVAILABLE: CODES.database,
  RATE_LIMITED: CODES.rateLimited,
  INTEGRITY: CODES.io,
  UPSTREAM: CODES.io, // a failing store (S3, remote WebDAV): Cloudreve reports storage failures as I/O errors
};

/** A refusal decided by the API itself (validation, URIs, batches), with the contract's code. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly extra: { data?: unknown; aggregated?: Record<string, ErrorEnvelope> } = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ErrorEnvelope {
  readonly code: number;
  readonly msg: string;
  readonly correlation_id: string;
  readonly data?: unknown;
  readonly aggregated_error?: Record<string, ErrorEnvelope>;
}

export interface Failure {
  readonly envelope: ErrorEnvelope;
  /** Whether the failure is ours (logged as an error) rather than the client's. */
  readonly internal: boolean;
  readonly headers?: Record<string, string>;
}

/** The envelope for any thrown value; `signedIn` turns a would-be 401 into 403. */
export function failureOf(error: unknown, signedIn: boolean): Failure {
  const correlation_id = randomUUID();
  if (error instanceof ApiError) {
    const code = error.code === CODES.loginRequired && signedIn ? CODES.forbidden : error.code;
    return {
      envelope: {
        code,
        msg: error.message,
        correlation_id,
        ...(error.extra.data !== undefined && { data: error.extra.data }),
        ...(error.extra.aggregated && { aggregated_error: error.extra.aggregated }),
      },
      internal: false,
    };
  }
  if (isDomainError(error)) {
    let code = CODE_OF[error.code];
    let msg = error.message;
    if (error instanceof InvalidCredentialsError) code = CODES.wrongPassword;
    else if (error instanceof AccountDisabledError) code = CODES.accountDisabled;
    else if (error instanceof TokenRejectedError) code = CODES.credential;
    else if (error instanceof WebDavNotAllowedError) code = CODES.groupNotAllowed;
    // Contract 17: shares that do not open are 404, not 40016; creating one needs the group's permission.
    else if (error instanceof ShareNotFoundError) code = CODES.notFound;
    else if (error instanceof IncorrectSharePasswordError) code = CODES.sharePassword;
    else if (error instanceof IncorrectPasswordError) code = CODES.incorrectPassword;
    else if (error instanceof SessionNotFoundError) code = CODES.notFound;
    else if (error instanceof SharingNotAllowedError) code = CODES.groupNotAllowed;
    else if (error instanceof UserNotFoundError || error instanceof DavAccountNotFoundError) code = CODES.notFound;
    else if (error instanceof GroupNotFoundError) code = CODES.groupNotFound;
    else if (error instanceof EmailTakenError) code = CODES.emailTaken;
    else if (error instanceof BuiltInGroupError) code = CODES.builtInGroup;
    else if (error instanceof GroupInUseError) code = CODES.groupInUse;
    else if (error instanceof UploadSessionNotFoundError) code = CODES.uploadSessionExpired;
    else if (error instanceof ChunkIndexError) code = CODES.invalidChunkIndex;
    else if (error instanceof ChunkLengthError) code = CODES.invalidContentLength;
    else if (error instanceof UploadPolicyMismatchError) code = CODES.policyNotAllowed;
    else if (error instanceof CallbackSecretError) code = CODES.credential;
    else if (error instanceof LibraryNotFoundError) code = CODES.notExist;
    else if (error instanceof LibraryExistsError) code = CODES.exists;
    else if (error instanceof NestedLibraryError) code = CODES.conflict;
    else if (code === CODES.loginRequired && signedIn) code = CODES.forbidden;
    // OpenList matches this exact text before it offers to unlock (contract 14.2).
    if (code === CODES.lockConflict) msg = 'Lock conflict';
    // The services name records by database id, which the API never shows (contract 3.3).
    else if (error instanceof DavAccountNotFoundError) msg = 'Account not exist';
    else if (error instanceof UserNotFoundError) msg = 'User not found';
    else if (error instanceof GroupNotFoundError) msg = 'Group not found';
    return {
      envelope: { code, msg, correlation_id, ...(code === CODES.lockConflict && { data: [] }) },
      internal: code === CODES.io || code === CODES.database,
      ...((error instanceof RateLimitedError || error instanceof UnavailableError) && {
        headers: { 'Retry-After': String(error.retryAfterSeconds) },
      }),
    };
  }
  return {
    envelope: { code: CODES.internal, msg: `Internal server error (correlation id ${correlation_id})`, correlation_id },
    internal: true,
  };
}

/**
 * Contract 3.4, 40081: per-URI failures of a batch. The message is the failure's own when
 * exactly one URI failed; each URI's real code is in `aggregated_error`. Failures that are
 * ours are handed to `logInternal` with their correlation id.
 */
export function batchError(
  failures: ReadonlyMap<string, unknown>,
  signedIn: boolean,
  logInternal: (error: unknown, correlationId: string) => void,
): ApiError {
  const aggregated: Record<string, ErrorEnvelope> = {};
  for (const [uri, error] of failures) {
    const failure = failureOf(error, signedIn);
    if (failure.internal) logInternal(error, failure.envelope.correlation_id);
    aggregated[uri] = failure.envelope;
  }
  const only = failures.size === 1 ? Object.values(aggregated)[0] : undefined;
  return new ApiError(CODES.batchFailed, only?.msg ?? 'One or more operation failed', { aggregated });
}
