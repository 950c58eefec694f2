// The one table from failures to the Cloudreve V4 envelope (contract 3.4), without HTTP:
// every domain error has a code, 401 is never the answer to a signed-in caller, the lock
// conflict keeps the exact text OpenList matches, and batch failures aggregate per URI.
import { describe, expect, it } from 'vitest';
import { ApiError, batchError, failureOf } from '../../src/api/errors.js';
import {
  AlreadyExistsError,
  ConflictError,
  ForbiddenError,
  InsufficientStorageError,
  IntegrityError,
  InvalidArgumentError,
  InvalidNameError,
  IsAFolderError,
  LockedError,
  NotAFolderError,
  NotFoundError,
  PreconditionFailedError,
  QuotaExceededError,
  RateLimitedError,
  ReadOnlyError,
  UnauthenticatedError,
  UnavailableError,
  UpstreamError,
} from '../../src/core/index.js';
import { AccountDisabledError, InvalidCredentialsError, TokenRejectedError } from '../../src/services/index.js';

describe('failureOf', () => {
  it.each([
    [new NotFoundError('/a does not exist'), 40016],
    [new NotAFolderError('/a is a file'), 40016],
    [new AlreadyExistsError('/a exists'), 40004],
    [new IsAFolderError('/a is a folder'), 40004],
    [new ConflictError('conflict'), 409],
    [new InvalidNameError('bad name'), 40052],
    [new InvalidArgumentError('bad argument'), 40001],
    [new ForbiddenError(), 403],
    [new ReadOnlyError(), 403],
    [new PreconditionFailedError('changed'), 409],
    [new QuotaExceededError(), 40051],
    [new InsufficientStorageError(), 40051],
    [new UnavailableError('database down'), 50001],
    [new IntegrityError('blob missing'), 50004],
    [new UpstreamError('The S3 bucket "b" at s3.example failed'), 50004],
    [new RateLimitedError(30), 429],
    [new InvalidCredentialsError(), 40080],
    [new AccountDisabledError(), 40017],
    [new TokenRejectedError('Invalid token type'), 40020],
  ])('%s → %i with its own message', (error, code) => {
    const { envelope } = failureOf(error, true);
    expect(envelope).toMatchObject({ code, msg: error.message });
    expect(envelope.correlation_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers 401 only to callers who are not signed in', () => {
    expect(failureOf(new UnauthenticatedError(), false).envelope.code).toBe(401);
    expect(failureOf(new UnauthenticatedError(), true).envelope.code).toBe(403);
    expect(failureOf(new ApiError(401, 'Login required'), false).envelope.code).toBe(401);
    expect(failureOf(new ApiError(401, 'Login required'), true).envelope.code).toBe(403);
  });

  it('keeps "Lock conflict" with a data list, a Retry-After for throttling, and hides internal errors', () => {
    expect(failureOf(new LockedError('The resource is locked'), true).envelope).toMatchObject({
      code: 40073,
      msg: 'Lock conflict',
      data: [],
    });
    expect(failureOf(new RateLimitedError(42), false).headers).toEqual({ 'Retry-After': '42' });
    const internal = failureOf(new Error('SELECT failed near secret_column'), true);
    expect(internal.internal).toBe(true);
    expect(internal.envelope.code).toBe(-1);
    expect(internal.envelope.msg).not.toContain('secret_column');
    expect(internal.envelope.msg).toContain(internal.envelope.correlation_id);
  });
});

describe('batchError', () => {
  it('is 40081 with the single failure message, or a summary for several', () => {
    const logged: unknown[] = [];
    const log = (error: unknown) => logged.push(error);
    const one = batchError(new Map([['cloudreve://my/a', new NotFoundError('/a does not exist')]]), true, log);
    expect(one).toMatchObject({ code: 40081, message: '/a does not exist' });
    expect(one.extra.aggregated!['cloudreve://my/a']).toMatchObject({ code: 40016, msg: '/a does not exist' });
    const several = batchError(
      new Map<string, unknown>([
        ['cloudreve://my/a', new NotFoundError('/a does not exist')],
        ['cloudreve://my/b', new Error('disk on fire')],
      ]),
      true,
      log,
    );
    expect(several.message).toBe('One or more operation failed');
    expect(several.extra.aggregated!['cloudreve://my/b']!.code).toBe(-1);
    expect(logged).toHaveLength(1);
  });
});
