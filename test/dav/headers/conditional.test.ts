import { describe, expect, it } from 'vitest';
import { evaluatePreconditions, type ConditionalHeaders, type PreconditionOutcome } from '../../../src/dav/headers/index.js';

const mtime = Date.UTC(2024, 0, 15, 10, 30, 0) + 999;
const current = { etag: 'v1', mtime };
const SAME = 'Mon, 15 Jan 2024 10:30:00 GMT';
const BEFORE = 'Mon, 15 Jan 2024 10:29:59 GMT';
const AFTER = 'Mon, 15 Jan 2024 10:30:01 GMT';

type Row = [string, ConditionalHeaders, 'exists' | 'missing', string, PreconditionOutcome];

describe('evaluatePreconditions (RFC 7232 section 6)', () => {
  it.each<Row>([
    ['no headers', {}, 'exists', 'PUT', 'proceed'],
    ['no headers, missing', {}, 'missing', 'GET', 'proceed'],
    // If-Match: strong comparison
    ['If-Match equal', { ifMatch: '"v1"' }, 'exists', 'PUT', 'proceed'],
    ['If-Match in a list', { ifMatch: '"v0", "v1"' }, 'exists', 'PUT', 'proceed'],
    ['If-Match other', { ifMatch: '"v2"' }, 'exists', 'PUT', 'precondition-failed'],
    ['If-Match weak', { ifMatch: 'W/"v1"' }, 'exists', 'PUT', 'precondition-failed'],
    ['If-Match unquoted', { ifMatch: 'v1' }, 'exists', 'PUT', 'precondition-failed'],
    ['If-Match *', { ifMatch: '*' }, 'exists', 'PUT', 'proceed'],
    ['If-Match * on missing', { ifMatch: '*' }, 'missing', 'PUT', 'precondition-failed'],
    ['If-Match on missing', { ifMatch: '"v1"' }, 'missing', 'DELETE', 'precondition-failed'],
    ['If-Match on GET', { ifMatch: '"v2"' }, 'exists', 'GET', 'precondition-failed'],
    // If-Unmodified-Since: only without If-Match
    ['If-Unmodified-Since same second', { ifUnmodifiedSince: SAME }, 'exists', 'PUT', 'proceed'],
    ['If-Unmodified-Since later', { ifUnmodifiedSince: AFTER }, 'exists', 'PUT', 'proceed'],
    ['If-Unmodified-Since earlier', { ifUnmodifiedSince: BEFORE }, 'exists', 'PUT', 'precondition-failed'],
    ['If-Unmodified-Since invalid', { ifUnmodifiedSince: 'last week' }, 'exists', 'PUT', 'proceed'],
    ['If-Unmodified-Since on missing', { ifUnmodifiedSince: BEFORE }, 'missing', 'PUT', 'proceed'],
    ['If-Match wins over If-Unmodified-Since', { ifMatch: '"v1"', ifUnmodifiedSince: BEFORE }, 'exists', 'PUT', 'proceed'],
    // If-None-Match: weak comparison
    ['If-None-Match equal, GET', { ifNoneMatch: '"v1"' }, 'exists', 'GET', 'not-modified'],
    ['If-None-Match equal, HEAD', { ifNoneMatch: '"v1"' }, 'exists', 'head', 'not-modified'],
    ['If-None-Match weak equal, GET', { ifNoneMatch: 'W/"v1"' }, 'exists', 'GET', 'not-modified'],
    ['If-None-Match equal, PUT', { ifNoneMatch: '"v1"' }, 'exists', 'PUT', 'precondition-failed'],
    ['If-None-Match other', { ifNoneMatch: '"v0", W/"v2"' }, 'exists', 'GET', 'proceed'],
    ['If-None-Match * exists, PUT', { ifNoneMatch: '*' }, 'exists', 'PUT', 'precondition-failed'],
    ['If-None-Match * exists, GET', { ifNoneMatch: '*' }, 'exists', 'GET', 'not-modified'],
    ['If-None-Match * missing, PUT', { ifNoneMatch: '*' }, 'missing', 'PUT', 'proceed'],
    ['If-None-Match malformed', { ifNoneMatch: 'v1' }, 'exists', 'GET', 'proceed'],
    // If-Modified-Since: GET and HEAD only, and only without If-None-Match
    ['If-Modified-Since same second', { ifModifiedSince: SAME }, 'exists', 'GET', 'not-modified'],
    ['If-Modified-Since later', { ifModifiedSince: AFTER }, 'exists', 'GET', 'not-modified'],
    ['If-Modified-Since earlier', { ifModifiedSince: BEFORE }, 'exists', 'GET', 'proceed'],
    ['If-Modified-Since on PUT', { ifModifiedSince: AFTER }, 'exists', 'PUT', 'proceed'],
    ['If-Modified-Since invalid', { ifModifiedSince: '2024-01-15' }, 'exists', 'GET', 'proceed'],
    ['If-Modified-Since on missing', { ifModifiedSince: AFTER }, 'missing', 'GET', 'proceed'],
    ['If-None-Match wins over If-Modified-Since', { ifNoneMatch: '"v0"', ifModifiedSince: AFTER }, 'exists', 'GET', 'proceed'],
    // order: If-Match fails before If-None-Match is looked at
    ['If-Match fails first', { ifMatch: '"v0"', ifNoneMatch: '"v1"' }, 'exists', 'GET', 'precondition-failed'],
    ['If-Match passes, If-None-Match matches', { ifMatch: '"v1"', ifNoneMatch: '"v1"' }, 'exists', 'GET', 'not-modified'],
    ['If-Unmodified-Since fails first', { ifUnmodifiedSince: BEFORE, ifModifiedSince: AFTER }, 'exists', 'GET', 'precondition-failed'],
  ])('%s', (_, headers, state, method, expected) => {
    expect(evaluatePreconditions(headers, state === 'exists' ? current : null, method)).toBe(expected);
  });
});
