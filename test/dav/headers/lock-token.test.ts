import { describe, expect, it } from 'vitest';
import { DavHeaderError, parseLockTokenHeader } from '../../../src/dav/headers/index.js';

const TOKEN = 'opaquelocktoken:f81d4fae-7dec-11d0-a765-00a0c91e6bf6';

describe('parseLockTokenHeader', () => {
  it.each<[string, string]>([
    [`<${TOKEN}>`, TOKEN],
    [` <${TOKEN}> `, TOKEN],
    [`< ${TOKEN} >`, TOKEN],
    [TOKEN, TOKEN], // bare, as some Windows clients send it
    ['<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>', 'urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6'],
  ])('%j is %j', (value, expected) => {
    expect(parseLockTokenHeader(value)).toBe(expected);
  });

  it.each<[string | undefined, string]>([
    [undefined, 'needs a Lock-Token header'],
    ['', 'needs a Lock-Token header'],
    ['   ', 'needs a Lock-Token header'],
    ['<>', 'angle brackets'],
    [`<${TOKEN}`, 'angle brackets'],
    [`${TOKEN}>`, 'angle brackets'],
    ['<a b>', 'angle brackets'],
    ['<<a>>', 'angle brackets'],
    ['a b', 'angle brackets'],
  ])('%j is 400', (value, message) => {
    expect(() => parseLockTokenHeader(value)).toThrow(DavHeaderError);
    expect(() => parseLockTokenHeader(value)).toThrow(expect.objectContaining({ status: 400, message: expect.stringContaining(message) }));
  });
});
