// RFC 7233 section 2.1 (byte ranges), 3.1 (Range) and 3.2 (If-Range): pure parsing shared by
// WebDAV's GET and the REST API's download endpoint.
import { parseHttpDate, toSeconds } from './http-date.js';

/** An inclusive byte range within the file. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export type RangeRequest =
  { readonly kind: 'none' } | { readonly kind: 'unsatisfiable' } | { readonly kind: 'ranges'; readonly ranges: ByteRange[] };

/** More ranges than this after merging and the whole file is served (DESIGN.md, security). */
export const MAX_RANGES = 16;

const NONE: RangeRequest = { kind: 'none' };
const BYTES_UNIT = /^bytes=/i;
const RANGE_SPEC = /^(\d+)-(\d*)$/;
const SUFFIX_SPEC = /^-(\d+)$/;

/**
 * Works out which bytes of a file of `size` bytes a Range header asks for. An absent or
 * malformed header, or another unit, is ignored (RFC 7233 3.1), as is one with more than
 * MAX_RANGES ranges once overlapping and adjacent ones are merged (RFC 7233 6.1 lets a
 * server ignore such requests). Ranges wholly past the end are dropped; when none remain
 * the request is unsatisfiable (416).
 */
export function parseRange(value: string | undefined, size: number): RangeRequest {
  if (value === undefined || !BYTES_UNIT.test(value.trim())) return NONE;
  const specs = value
    .trim()
    .slice('bytes='.length)
    .split(',')
    .map((spec) => spec.trim())
    .filter((spec) => spec !== '');
  if (specs.length === 0) return NONE;

  const ranges: ByteRange[] = [];
  let nonEmptySuffix = false;
  for (const spec of specs) {
    const suffix = SUFFIX_SPEC.exec(spec);
    if (suffix) {
      // Number() of a long digit string loses precision or becomes Infinity; both still
      // compare correctly against a size that is a safe integer.
      const length = Number(suffix[1]);
      if (length === 0) continue; // "-0" asks for nothing (RFC 7233 2.1)
      nonEmptySuffix = true;
      if (size > 0) ranges.push({ start: Math.max(0, size - length), end: size - 1 });
      continue;
    }
    const range = RANGE_SPEC.exec(spec);
    if (!range) return NONE;
    const start = Number(range[1]);
    const end = range[2] === '' ? Infinity : Number(range[2]);
    // last < first makes the whole header invalid, which means ignoring it (RFC 7233 2.1).
    if (end < start) return NONE;
    if (start < size) ranges.push({ start, end: Math.min(end, size - 1) });
  }

  if (ranges.length === 0) {
    // An empty file has no bytes to range over, yet a non-empty suffix range is still
    // satisfiable (RFC 9110 14.1.1): the answer is the whole, empty, file.
    return nonEmptySuffix && size === 0 ? NONE : { kind: 'unsatisfiable' };
  }
  const merged = mergeRanges(ranges);
  return merged.length > MAX_RANGES ? NONE : { kind: 'ranges', ranges: merged };
}

/** Sorts ranges by start and merges those that overlap or touch. */
function mergeRanges(ranges: readonly ByteRange[]): ByteRange[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const merged: ByteRange[] = [];
  for (const range of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && range.start <= last.end + 1) {
      merged[merged.length - 1] = { start: last.start, end: Math.max(last.end, range.end) };
    } else {
      merged.push(range);
    }
  }
  return merged;
}

/** One strong entity tag (RFC 7232 2.3; etagc is anything visible but the double quote). */
const STRONG_ENTITY_TAG = /^"([\x21\x23-\x7e\x80-\xff]*)"$/;

/**
 * RFC 7233 3.2: whether a Range request may be honoured given its If-Range. Absent: yes. An
 * entity tag: only a strong one equal to the current etag (given without quotes). An
 * HTTP-date: only when it equals the file's Last-Modified to the second. Anything else: no,
 * and the caller serves the whole file.
 */
export function evaluateIfRange(ifRange: string | undefined, current: { etag: string; mtime: number }): boolean {
  if (ifRange === undefined) return true;
  const text = ifRange.trim();
  // A weak tag (W/"…") never matches (RFC 7233 3.2).
  if (text.startsWith('"') || text.startsWith('W/')) return STRONG_ENTITY_TAG.exec(text)?.[1] === current.etag;
  const date = parseHttpDate(text);
  return date !== null && toSeconds(date) === toSeconds(current.mtime);
}
