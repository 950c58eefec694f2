// RFC 7232 section 6: the order in which If-Match, If-Unmodified-Since, If-None-Match and
// If-Modified-Since are evaluated, and section 3 for what each one means.
import { parseEntityTagList, strongMatch, weakMatch, type EntityTag } from './etag.js';
import { parseHttpDate, toSeconds } from './http-date.js';

export interface ConditionalHeaders {
  readonly ifMatch?: string;
  readonly ifNoneMatch?: string;
  readonly ifModifiedSince?: string;
  readonly ifUnmodifiedSince?: string;
}

/** The resource as it is now: its etag without quotes, mtime in epoch milliseconds. */
export interface CurrentState {
  readonly etag: string;
  readonly mtime: number;
}

export type PreconditionOutcome = 'proceed' | 'not-modified' | 'precondition-failed';

/**
 * Evaluates the HTTP preconditions of a request against the resource's current state (null
 * when it does not exist): 'not-modified' becomes 304, 'precondition-failed' 412. Dates are
 * compared to the second, as HTTP-dates carry no more; an invalid date is ignored.
 */
export function evaluatePreconditions(headers: ConditionalHeaders, current: CurrentState | null, method: string): PreconditionOutcome {
  const safe = method.toUpperCase() === 'GET' || method.toUpperCase() === 'HEAD';

  // Step 1: If-Match, strong comparison (RFC 7232 3.1).
  if (headers.ifMatch !== undefined) {
    if (!listMatches(headers.ifMatch, current, strongMatch)) return 'precondition-failed';
  } else if (headers.ifUnmodifiedSince !== undefined && current !== null) {
    // Step 2: If-Unmodified-Since, only without If-Match (RFC 7232 3.4).
    const date = parseHttpDate(headers.ifUnmodifiedSince);
    if (date !== null && toSeconds(current.mtime) > toSeconds(date)) return 'precondition-failed';
  }

  // Step 3: If-None-Match, weak comparison (RFC 7232 3.2).
  if (headers.ifNoneMatch !== undefined) {
    if (listMatches(headers.ifNoneMatch, current, weakMatch)) return safe ? 'not-modified' : 'precondition-failed';
  } else if (safe && headers.ifModifiedSince !== undefined && current !== null) {
    // Step 4: If-Modified-Since, only for GET and HEAD and without If-None-Match (RFC 7232 3.3).
    const date = parseHttpDate(headers.ifModifiedSince);
    if (date !== null && toSeconds(current.mtime) <= toSeconds(date)) return 'not-modified';
  }

  return 'proceed';
}

/**
 * Whether an If-Match / If-None-Match value matches the resource: `*` matches any existing
 * resource; a list matches when one of its tags does. Nothing matches a missing resource,
 * and a malformed value matches nothing.
 */
function listMatches(value: string, current: CurrentState | null, match: (tag: EntityTag, etag: string) => boolean): boolean {
  if (current === null) return false;
  const list = parseEntityTagList(value);
  if (list === '*') return true;
  return list !== null && list.some((tag) => match(tag, current.etag));
}
