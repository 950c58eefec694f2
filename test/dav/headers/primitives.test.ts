import { describe, expect, it } from 'vitest';
import { formatHttpDate, parseEntityTag, parseEntityTagList, parseHttpDate } from '../../../src/dav/headers/index.js';

const NOV_6_1994 = Date.UTC(1994, 10, 6, 8, 49, 37);

describe('parseHttpDate (RFC 7231 7.1.1.1)', () => {
  it.each<[string, number | null]>([
    ['Sun, 06 Nov 1994 08:49:37 GMT', NOV_6_1994],
    ['Sunday, 06-Nov-94 08:49:37 GMT', NOV_6_1994],
    ['Sun Nov  6 08:49:37 1994', NOV_6_1994],
    ['Tue, 29 Feb 2000 00:00:00 GMT', Date.UTC(2000, 1, 29)],
    ['Thursday, 01-Jan-70 00:00:00 GMT', 0],
    ['Saturday, 01-Jan-00 00:00:00 GMT', Date.UTC(2000, 0, 1)],
    ['Sun, 06 Nov 0094 08:49:37 GMT', new Date('0094-11-06T08:49:37Z').getTime()], // not read as 1994
    ['Sun, 06 Nov 1994 08:49:60 GMT', NOV_6_1994 + 23_000], // a leap second, rolled into the next minute
    ['sun, 06 nov 1994 08:49:37 gmt', null], // HTTP-date is case-sensitive
    ['Sun, 6 Nov 1994 08:49:37 GMT', null],
    ['Sun, 06 Nov 1994 08:49:37 UTC', null],
    ['Sun, 06 Nov 1994 08:49:37 +0000', null],
    ['Sun, 31 Feb 1994 08:49:37 GMT', null],
    ['Sun, 00 Nov 1994 08:49:37 GMT', null],
    ['Sun, 06 Nov 1994 24:00:00 GMT', null],
    ['Sun, 06 Foo 1994 08:49:37 GMT', null],
    ['1994-11-06T08:49:37Z', null],
    ['784111777', null],
    ['', null],
  ])('%j', (value, expected) => {
    expect(parseHttpDate(value)).toBe(expected);
  });

  it('formats IMF-fixdate, which it parses back to the second', () => {
    expect(formatHttpDate(NOV_6_1994 + 500)).toBe('Sun, 06 Nov 1994 08:49:37 GMT');
    expect(parseHttpDate(formatHttpDate(NOV_6_1994))).toBe(NOV_6_1994);
  });
});

describe('entity tags (RFC 7232 2.3)', () => {
  it.each([
    ['"abc"', { weak: false, opaque: 'abc' }],
    ['W/"abc"', { weak: true, opaque: 'abc' }],
    ['""', { weak: false, opaque: '' }],
    ['"a]b"', { weak: false, opaque: 'a]b' }],
    ['abc', null],
    ['"a"b"', null],
    ['"a b"', null],
    ['w/"abc"', null],
  ])('parseEntityTag(%j)', (value, expected) => {
    expect(parseEntityTag(value)).toEqual(expected);
  });

  it.each([
    ['*', '*'],
    [' * ', '*'],
    ['"a"', [{ weak: false, opaque: 'a' }]],
    [
      '"a", W/"b" ,"c"',
      [
        { weak: false, opaque: 'a' },
        { weak: true, opaque: 'b' },
        { weak: false, opaque: 'c' },
      ],
    ],
    [', "a",,', [{ weak: false, opaque: 'a' }]],
    ['', null],
    ['*, "a"', null],
    ['"a" "b"', null],
    ['a, b', null],
  ])('parseEntityTagList(%j)', (value, expected) => {
    expect(parseEntityTagList(value)).toEqual(expected);
  });
});
