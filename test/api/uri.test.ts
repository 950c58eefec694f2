// cloudreve:// URIs (Cloudreve V4 contract section 4) as pure functions, from tables: parsed
// as Go's net/url + path.Clean would (4.3) with the documented leniencies of 4.4, and
// rendered with Go's PathEscape (4.2).
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/api/errors.js';
import { parseFileUri, renderFileUri } from '../../src/api/uri.js';

describe('parseFileUri', () => {
  it.each([
    ['cloudreve://my', { fs: 'my', names: [] }],
    ['cloudreve://my/', { fs: 'my', names: [] }],
    ['cloudreve://my//', { fs: 'my', names: [] }],
    ['cloudreve://my//a', { fs: 'my', names: ['a'] }],
    ['cloudreve://My/Docs/a%20b.txt', { fs: 'my', names: ['Docs', 'a b.txt'] }],
    ['CLOUDREVE://my/a/', { fs: 'my', names: ['a'] }],
    ['cloudreve://my/a/./b/../c', { fs: 'my', names: ['a', 'c'] }],
    ['cloudreve://my/../../a', { fs: 'my', names: ['a'] }],
    ['cloudreve://my/a b/新', { fs: 'my', names: ['a b', '新'] }],
    ['cloudreve://my/%E6%96%B0', { fs: 'my', names: ['新'] }],
    ['cloudreve://my/a%2Fb', { fs: 'my', names: ['a', 'b'] }],
    ['cloudreve://my/a%252F', { fs: 'my', names: ['a%2F'] }],
    // Leniencies (4.4): a stray % and # stay literal.
    ['cloudreve://my/100%', { fs: 'my', names: ['100%'] }],
    ['cloudreve://my/50%.txt', { fs: 'my', names: ['50%.txt'] }],
    ['cloudreve://my/a#b', { fs: 'my', names: ['a#b'] }],
    ['cloudreve://lUpa@my/x', { fs: 'my', user: 'lUpa', password: null, names: ['x'] }],
    ['cloudreve://VoMFL@share', { fs: 'share', user: 'VoMFL', password: null, names: [] }],
    [
      'cloudreve://VoMFL:2rje2bdj@share/folder/child?name=my%20file',
      { fs: 'share', user: 'VoMFL', password: '2rje2bdj', names: ['folder', 'child'], query: 'name=my%20file' },
    ],
    ['cloudreve://trash', { fs: 'trash', names: [] }],
    ['cloudreve://shared_with_me/x', { fs: 'shared_with_me', names: ['x'] }],
  ])('%s', (text, expected) => {
    expect(parseFileUri(text)).toMatchObject({ user: null, password: null, query: '', ...expected });
  });

  it.each([
    '',
    'my/a',
    '/a/b',
    'http://my/a',
    'cloudreve:/my/a',
    'cloudreve://other/a',
    'cloudreve://my:80/a',
    'cloudreve://my/%FF',
    'cloudreve://my/%C3',
  ])('%j is 40001 unknown uri', (text) => {
    let caught: unknown;
    try {
      parseFileUri(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ApiError);
    expect(caught).toMatchObject({ code: 40001, message: expect.stringMatching(/^unknown uri/) });
  });
});

describe('renderFileUri', () => {
  it.each([
    [[], 'cloudreve://my/'],
    [['Docs', 'file.txt'], 'cloudreve://my/Docs/file.txt'],
    [['a b', '+&#%'], 'cloudreve://my/a%20b/%2B%26%23%25'],
    [["-_.~!*'()"], "cloudreve://my/-_.~!*'()"],
    [['新文件.docx'], 'cloudreve://my/%E6%96%B0%E6%96%87%E4%BB%B6.docx'],
    [['a/b?c'], 'cloudreve://my/a%2Fb%3Fc'],
  ])('%j', (names, expected) => {
    expect(renderFileUri({ fs: 'my' }, names)).toBe(expected);
  });

  it('writes the user part and round-trips through the parser', () => {
    const names = ['x y', '100%', 'q?', '#', '新'];
    const text = renderFileUri({ fs: 'my', user: 'lUpa' }, names);
    expect(text).toBe('cloudreve://lUpa@my/x%20y/100%25/q%3F/%23/%E6%96%B0');
    expect(parseFileUri(text)).toMatchObject({ user: 'lUpa', names });
  });
});
