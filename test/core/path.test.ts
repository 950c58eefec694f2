import { describe, expect, it } from 'vitest';
import { InvalidNameError, normaliseName, parsePath, isWithin } from '../../src/core/index.js';

describe('names', () => {
  it.each([
    ['', 'cannot be empty'],
    ['.', 'not a valid name'],
    ['..', 'not a valid name'],
    ['a/b', 'cannot contain "/"'],
    ['a\u0000b', 'cannot contain U+0000'],
    ['tab\there', 'cannot contain U+0009'],
    ['x'.repeat(256), 'longer than 255 bytes'],
    ['é'.repeat(128), 'longer than 255 bytes'],
    ['bad\ud800', 'unpaired surrogates'],
  ])('refuses %j', (name, message) => {
    expect(() => normaliseName(name)).toThrow(InvalidNameError);
    expect(() => normaliseName(name)).toThrow(message);
  });

  it('normalises to NFC so NFD names from macOS find NFC entries', () => {
    const nfd = 'Cafe\u0301';
    expect(normaliseName(nfd)).toBe('Caf\u00e9');
  });

  it('accepts ordinary and unusual but valid names', () => {
    for (const name of ['a', '...', '.hidden', 'x'.repeat(255), '日本語のファイル.txt', 'with space', 'emoji 📷.jpg']) {
      expect(normaliseName(name)).toBe(name.normalize('NFC'));
    }
  });
});

describe('paths', () => {
  it('splits on slashes and ignores empty segments', () => {
    expect(parsePath('/a//b/')).toEqual(['a', 'b']);
    expect(parsePath('')).toEqual([]);
    expect(parsePath('/')).toEqual([]);
  });

  it('refuses dot segments instead of resolving them', () => {
    expect(() => parsePath('/a/../b')).toThrow(InvalidNameError);
    expect(() => parsePath('/./a')).toThrow(InvalidNameError);
  });

  it('refuses NUL and over-deep paths', () => {
    expect(() => parsePath('/a\u0000')).toThrow(InvalidNameError);
    expect(() => parsePath('/a'.repeat(300))).toThrow('deeper than 256');
  });

  it('knows containment', () => {
    expect(isWithin(['a', 'b'], ['a'])).toBe(true);
    expect(isWithin(['a'], ['a'])).toBe(true);
    expect(isWithin(['ab'], ['a'])).toBe(false);
  });
});
