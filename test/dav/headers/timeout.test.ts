import { describe, expect, it } from 'vitest';
import { parseTimeout } from '../../../src/dav/headers/index.js';

const options = { defaultSeconds: 3600, maxSeconds: 86_400 };

describe('parseTimeout', () => {
  it.each<[string | undefined, number]>([
    [undefined, 3600],
    ['', 3600],
    ['Second-600', 600],
    ['second-600', 600],
    ['Second-86400', 86_400],
    ['Second-86401', 86_400],
    ['Second-4100000000', 86_400], // what Windows asks for
    ['Second-99999999999999999999999999', 86_400],
    ['Infinite', 86_400],
    ['infinite', 86_400],
    ['Infinite, Second-4100000000', 86_400],
    ['Second-3600, Infinite', 3600],
    ['Extended-Forever, Second-120', 120], // first entry understood wins
    ['Second-0, Second-60', 60], // a lock that is already over is skipped
    ['Second-0', 3600],
    ['Second--5', 3600],
    ['Second-1.5', 3600],
    ['Second-', 3600],
    ['garbage', 3600],
    [' , ,Second-42 ', 42],
  ])('%j grants %d seconds', (value, expected) => {
    expect(parseTimeout(value, options)).toBe(expected);
  });

  it('never grants more than maxSeconds, even by default', () => {
    expect(parseTimeout(undefined, { defaultSeconds: 100, maxSeconds: 10 })).toBe(10);
  });
});
