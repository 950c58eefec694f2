import { describe, expect, it } from 'vitest';
import { evaluateIfRange, parseRange, type RangeRequest } from '../../../src/dav/headers/index.js';

const ranges = (...pairs: Array<[number, number]>): RangeRequest => ({
  kind: 'ranges',
  ranges: pairs.map(([start, end]) => ({ start, end })),
});
const NONE: RangeRequest = { kind: 'none' };
const UNSATISFIABLE: RangeRequest = { kind: 'unsatisfiable' };

describe('parseRange', () => {
  it.each<[string | undefined, number, RangeRequest]>([
    [undefined, 1000, NONE],
    ['bytes=0-99', 1000, ranges([0, 99])],
    ['bytes=-500', 1000, ranges([500, 999])],
    ['bytes=500-', 1000, ranges([500, 999])],
    ['bytes=0-0', 1000, ranges([0, 0])],
    ['bytes=999-', 1000, ranges([999, 999])],
    ['Bytes=0-1', 1000, ranges([0, 1])], // range units are case-insensitive
    ['bytes=0-99999', 1000, ranges([0, 999])], // end clamped
    ['bytes=-5000', 1000, ranges([0, 999])], // suffix longer than the file
    ['bytes=0-99999999999999999999999', 1000, ranges([0, 999])],
    // several, sorted and merged when they overlap or touch
    ['bytes=0-9,20-29', 1000, ranges([0, 9], [20, 29])],
    ['bytes=20-29,0-9', 1000, ranges([0, 9], [20, 29])],
    ['bytes=0-9,10-19', 1000, ranges([0, 19])],
    ['bytes=0-50,25-75', 1000, ranges([0, 75])],
    ['bytes=0-99,10-20', 1000, ranges([0, 99])],
    ['bytes=900-,-50', 1000, ranges([900, 999])],
    ['bytes= 0-9 , , 20-29 ', 1000, ranges([0, 9], [20, 29])],
    // ranges past the end are dropped; none left is 416
    ['bytes=0-9,5000-6000', 1000, ranges([0, 9])],
    ['bytes=1000-', 1000, UNSATISFIABLE],
    ['bytes=1000-2000,3000-', 1000, UNSATISFIABLE],
    ['bytes=-0', 1000, UNSATISFIABLE],
    ['bytes=0-', 0, UNSATISFIABLE],
    ['bytes=-10', 0, NONE], // satisfiable on an empty file: serve it whole
    // malformed or another unit: ignored
    ['bytes=', 1000, NONE],
    ['bytes=,', 1000, NONE],
    ['bytes=abc', 1000, NONE],
    ['bytes=5-1', 1000, NONE],
    ['bytes=0-9,5-1', 1000, NONE],
    ['bytes=1-2-3', 1000, NONE],
    ['bytes=--1', 1000, NONE],
    ['bytes=0x10-20', 1000, NONE],
    ['bytes=-', 1000, NONE],
    ['bytes 0-9', 1000, NONE],
    ['items=0-9', 1000, NONE],
    ['0-9', 1000, NONE],
  ])('%j on %d bytes', (value, size, expected) => {
    expect(parseRange(value, size)).toEqual(expected);
  });

  it('serves the whole file when more than 16 ranges remain after merging', () => {
    const specs = (n: number) => Array.from({ length: n }, (_, i) => `${i * 10}-${i * 10 + 4}`).join(',');
    expect(parseRange(`bytes=${specs(16)}`, 1000)).toMatchObject({ kind: 'ranges', ranges: { length: 16 } });
    expect(parseRange(`bytes=${specs(17)}`, 1000)).toEqual(NONE);
  });

  it('counts ranges after merging, so many overlapping ranges still succeed', () => {
    const specs = Array.from({ length: 1000 }, (_, i) => `${i}-${i + 1}`).join(',');
    expect(parseRange(`bytes=${specs}`, 10_000)).toEqual(ranges([0, 1000]));
  });
});

describe('evaluateIfRange', () => {
  const mtime = Date.UTC(2024, 0, 15, 10, 30, 0) + 456; // milliseconds are not part of HTTP dates
  const current = { etag: 'abc123', mtime };

  it.each<[string | undefined, boolean]>([
    [undefined, true],
    ['"abc123"', true],
    [' "abc123" ', true],
    ['"abc124"', false],
    ['W/"abc123"', false], // weak tags never match (RFC 7233 3.2)
    ['abc123', false],
    ['"abc123', false],
    ['Mon, 15 Jan 2024 10:30:00 GMT', true],
    ['Monday, 15-Jan-24 10:30:00 GMT', true],
    ['Mon Jan 15 10:30:00 2024', true],
    ['Mon, 15 Jan 2024 10:29:59 GMT', false],
    ['Mon, 15 Jan 2024 10:30:01 GMT', false], // exact match only, not "not modified since"
    ['yesterday', false],
    ['', false],
  ])('%j is %j', (value, expected) => {
    expect(evaluateIfRange(value, current)).toBe(expected);
  });
});
