import { describe, expect, it } from 'vitest';
import { decodeDavPath, encodeHref, parseDestinationHeader, type RequestHost } from '../../src/dav/paths.js';
import { DavHeaderError } from '../../src/dav/headers/index.js';

const MOUNT = '/dav';

function expectError(fn: () => unknown, status: number, message: string): void {
  expect(fn).toThrow(DavHeaderError);
  expect(fn).toThrow(expect.objectContaining({ status, message: expect.stringContaining(message) }));
}

describe('decodeDavPath', () => {
  it.each<[string, string, string[]]>([
    ['/dav', MOUNT, []],
    ['/dav/', MOUNT, []],
    ['/dav/a%20b/c%CC%81.txt/', MOUNT, ['a b', '\u0107.txt']], // c + U+0301 composes to U+0107
    ['/dav/cafe%CC%81', MOUNT, ['caf\u00e9']], // NFD from Finder becomes NFC
    ['/dav/caf%CC%81', MOUNT, ['caf\u0301']], // an accent on the f: nothing to compose
    ['/dav/res-%e2%82%ac', MOUNT, ['res-\u20ac']], // litmus put_get_utf8_segment, lower-case hex
    ['/dav//a///b/', MOUNT, ['a', 'b']],
    ['/dav/a+b', MOUNT, ['a+b']], // "+" is not a space in a path
    ["/dav/!$&'()*,;=:@~", MOUNT, ["!$&'()*,;=:@~"]],
    ['/dav/.hidden/...', MOUNT, ['.hidden', '...']],
    ['/dav/%2e%2e%2e', MOUNT, ['...']],
    ['/dav/%EF%BB%BFbom', MOUNT, ['\ufeffbom']], // a leading BOM is kept, not dropped
    ['/dav/frag#ment', MOUNT, ['frag#ment']], // litmus delete_fragment must not hit frag/
    ['/dav/caf\u00e9', MOUNT, ['caf\u00e9']], // raw UTF-8, were it to get past Node's parser
    ['/dav/a', '/dav/', ['a']],
    ['/a/b', '', ['a', 'b']],
    ['/', '/', []],
  ])('%j under %j', (raw, mount, expected) => {
    expect(decodeDavPath(raw, mount)).toEqual(expected);
  });

  it.each<[string, number, string]>([
    ['/davx/a', 404, 'under /dav/'],
    ['/other', 404, 'under /dav/'],
    ['/', 404, 'under /dav/'],
    ['dav/a', 404, 'under /dav/'],
    ['/DAV/a', 404, 'under /dav/'],
    ['/dav/..', 400, 'cannot contain ".." segments'],
    ['/dav/a/.', 400, 'cannot contain "." segments'],
    ['/dav/%2e%2e', 400, 'cannot contain ".." segments'],
    ['/dav/%2E%2E/etc/passwd', 400, 'cannot contain ".." segments'],
    ['/dav/a/%2e', 400, 'cannot contain "." segments'],
    ['/dav/a%2Fb', 400, 'encoded "/"'],
    ['/dav/..%2f..%2fetc', 400, 'encoded "/"'],
    ['/dav/%c0%ae%c0%ae', 400, 'not valid UTF-8'], // overlong "."
    ['/dav/%c0%af', 400, 'not valid UTF-8'], // overlong "/"
    ['/dav/%ff', 400, 'not valid UTF-8'],
    ['/dav/%ed%a0%80', 400, 'not valid UTF-8'], // an encoded surrogate
    ['/dav/a\ud800', 400, 'unpaired surrogates'],
    ['/dav/%00', 400, 'NUL'],
    ['/dav/a%00.txt', 400, 'NUL'],
    ['/dav/a%5Cb', 400, 'backslash'],
    ['/dav/a\\b', 400, 'backslash'],
    ['/dav/..%5C..', 400, 'backslash'],
    ['/dav/%01', 400, 'cannot contain U+0001'],
    ['/dav/a%7F', 400, 'cannot contain U+007F'],
    ['/dav/%', 400, 'two hex digits'],
    ['/dav/%2', 400, 'two hex digits'],
    ['/dav/%zz', 400, 'two hex digits'],
    ['/dav/100%', 400, 'two hex digits'],
    [`/dav/${'x'.repeat(256)}`, 400, 'longer than 255 bytes'],
    [`/dav/${'%C3%A9'.repeat(128)}`, 400, 'longer than 255 bytes'],
    [`/dav${'/a'.repeat(257)}`, 400, 'deeper than 256'],
  ])('%j is %d', (raw, status, message) => {
    expectError(() => decodeDavPath(raw, MOUNT), status, message);
  });
});

describe('encodeHref', () => {
  it.each<[string, string[], boolean, string]>([
    [MOUNT, [], true, '/dav/'],
    ['/dav/', [], true, '/dav/'],
    ['', [], true, '/'],
    [MOUNT, ['docs'], true, '/dav/docs/'],
    [MOUNT, ['a b', 'c.txt'], false, '/dav/a%20b/c.txt'],
    [MOUNT, ['caf\u00e9'], false, '/dav/caf%C3%A9'], // upper-case hex for Nautilus
    [MOUNT, ['res-\u20ac'], false, '/dav/res-%E2%82%AC'],
    [MOUNT, ['\u{1F4F7}.jpg'], false, '/dav/%F0%9F%93%B7.jpg'],
    [MOUNT, ["!$&'()*+,;=:@-._~"], false, "/dav/!$&'()*+,;=:@-._~"],
    [MOUNT, ['50%'], false, '/dav/50%25'],
    [MOUNT, ['a#b?c'], false, '/dav/a%23b%3Fc'],
    [MOUNT, ['[x]{y}|^`'], false, '/dav/%5Bx%5D%7By%7D%7C%5E%60'],
    [MOUNT, ['a"b<c>'], false, '/dav/a%22b%3Cc%3E'],
  ])('%j %j (folder %j) is %j', (mount, path, isFolder, expected) => {
    expect(encodeHref(mount, path, isFolder)).toBe(expected);
  });

  it('round-trips through decodeDavPath', () => {
    const names = ['a b', 'caf\u00e9', '50%', 'a#b?c', '\u{1F4F7}', "!$&'()*+,;=:@", '\ufeffbom', '...', 'x'.repeat(255)];
    for (const name of names) {
      expect(decodeDavPath(encodeHref(MOUNT, ['top', name], false), MOUNT)).toEqual(['top', name]);
    }
  });
});

describe('parseDestinationHeader (RFC 4918 10.3)', () => {
  const request: RequestHost = { host: 'cloud.example.com', acceptedHosts: ['files.example.org:8443'] };

  it.each<[string, string, RequestHost, string[]]>([
    ['Finder, full URL', 'http://cloud.example.com/dav/a/b.txt', request, ['a', 'b.txt']],
    ['litmus copy_abspath', '/dav/litmus/copy_dest', request, ['litmus', 'copy_dest']],
    ['https behind a proxy that speaks http', 'https://cloud.example.com/dav/a', request, ['a']],
    ['host case and default port', 'HTTP://Cloud.Example.COM:80/dav/a', request, ['a']],
    ['port 443', 'https://cloud.example.com:443/dav/a', request, ['a']],
    ['an accepted host', 'https://files.example.org:8443/dav/x', request, ['x']],
    ['query and fragment dropped', 'http://cloud.example.com/dav/a%20b?x=1#frag', request, ['a b']],
    ['scheme-relative', '//cloud.example.com/dav/x', request, ['x']],
    ['user info ignored', 'http://me@cloud.example.com/dav/x', request, ['x']],
    ['NFD from Finder', 'http://cloud.example.com/dav/cafe%CC%81', request, ['caf\u00e9']],
    ['the mount root', 'http://cloud.example.com/dav/', request, []],
    ['a port in Host', 'http://localhost:8080/dav/x', { host: 'localhost:8080', acceptedHosts: [] }, ['x']],
    ['IPv6', 'http://[::1]:8080/dav/x', { host: '[::1]:8080', acceptedHosts: [] }, ['x']],
    ['no Host, absolute path', '/dav/x', { host: undefined, acceptedHosts: [] }, ['x']],
  ])('%s: %j', (_, value, req, expected) => {
    expect(parseDestinationHeader(value, req, MOUNT)).toEqual(expected);
  });

  it.each<[string | undefined, number, string]>([
    [undefined, 400, 'need a Destination header'],
    ['  ', 400, 'need a Destination header'],
    ['dav/x', 400, 'absolute URL or an absolute path'],
    ['x.txt', 400, 'absolute URL or an absolute path'],
    ['http://evil.example.com/dav/x', 502, 'Destination is on another server'],
    ['http://cloud.example.com:8080/dav/x', 502, 'on another server'],
    ['http://cloud.example.com.evil.com/dav/x', 502, 'on another server'],
    ['http://cloud.example.com@evil.com/dav/x', 502, 'on another server'],
    ['ftp://cloud.example.com/dav/x', 502, 'on another server'],
    ['http:///dav/x', 502, 'on another server'],
    ['http://cloud.example.com/other/x', 403, 'Destination is outside this WebDAV space'],
    ['http://cloud.example.com/davx', 403, 'outside this WebDAV space'],
    ['http://cloud.example.com', 403, 'outside this WebDAV space'],
    ['/etc/passwd', 403, 'outside this WebDAV space'],
    ['http://cloud.example.com/dav/%2e%2e/x', 400, '".." segments'],
    ['http://cloud.example.com/dav/x/../../etc', 400, '".." segments'],
    ['/dav/%c0%ae', 400, 'not valid UTF-8'],
    ['/dav/a%00', 400, 'NUL'],
    ['/dav/a%5Cb', 400, 'backslash'],
    ['/dav/a%2Fb', 400, 'encoded "/"'],
  ])('%j is %d', (value, status, message) => {
    expectError(() => parseDestinationHeader(value, request, MOUNT), status, message);
  });

  it('refuses a full URL when the request named no host', () => {
    expectError(
      () => parseDestinationHeader('http://cloud.example.com/dav/x', { host: undefined, acceptedHosts: [] }, MOUNT),
      502,
      'another server',
    );
  });
});
