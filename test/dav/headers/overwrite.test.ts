import { describe, expect, it } from 'vitest';
import { DavHeaderError, parseOverwrite } from '../../../src/dav/headers/index.js';

describe('parseOverwrite', () => {
  it.each<[string | undefined, boolean]>([
    [undefined, true], // RFC 4918 10.6; Finder never sends the header
    ['T', true],
    ['t', true],
    ['F', false],
    ['f', false],
    [' F ', false],
  ])('%j is %j', (value, expected) => {
    expect(parseOverwrite(value)).toBe(expected);
  });

  it.each(['', 'true', 'false', 'Y', 'N', 'TF', '1', '0'])('%j is 400', (value) => {
    expect(() => parseOverwrite(value)).toThrow(DavHeaderError);
    expect(() => parseOverwrite(value)).toThrow(expect.objectContaining({ status: 400, message: expect.stringContaining('T or F') }));
  });
});
