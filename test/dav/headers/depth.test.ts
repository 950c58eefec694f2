import { describe, expect, it } from 'vitest';
import { DavHeaderError, parseDepth, type Depth } from '../../../src/dav/headers/index.js';

const ALL: Depth[] = ['0', '1', 'infinity'];

describe('parseDepth', () => {
  it.each<[string | undefined, Depth[], Depth, Depth]>([
    [undefined, ALL, 'infinity', 'infinity'],
    [undefined, ['0', 'infinity'], '0', '0'],
    ['0', ALL, 'infinity', '0'],
    ['1', ALL, 'infinity', '1'],
    ['infinity', ALL, '0', 'infinity'],
    ['Infinity', ALL, '0', 'infinity'],
    ['INFINITY', ['0', 'infinity'], '0', 'infinity'],
    [' 1 ', ALL, '0', '1'],
  ])('%j (allowed %j, fallback %j) is %j', (value, allowed, fallback, expected) => {
    expect(parseDepth(value, { allowed, fallback })).toBe(expected);
  });

  it.each<[string, Depth[], string]>([
    ['2', ALL, 'must be 0, 1 or infinity'],
    ['', ALL, 'must be 0, 1 or infinity'],
    ['-1', ALL, 'must be 0, 1 or infinity'],
    ['infinite', ALL, 'must be 0, 1 or infinity'],
    ['01', ALL, 'must be 0, 1 or infinity'],
    ['1', ['0', 'infinity'], 'Depth 1 is not allowed'],
    ['infinity', ['0'], 'Depth infinity is not allowed'],
  ])('%j (allowed %j) is 400', (value, allowed, message) => {
    const parse = () => parseDepth(value, { allowed, fallback: '0' });
    expect(parse).toThrow(DavHeaderError);
    expect(parse).toThrow(message);
    expect(parse).toThrow(expect.objectContaining({ status: 400 }));
  });
});
