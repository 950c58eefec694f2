import { describe, expect, it } from 'vitest';
import { redactText, redactUrl } from '../../src/core/index.js';

describe('redactUrl', () => {
  it.each([
    ['/api/v4/file/content/abc/0/a.txt?download=true&sign=u.r.f.1.mac', '/api/v4/file/content/abc/0/a.txt?download=~&sign=~'],
    ['/api/v4/file?uri=cloudreve%3A%2F%2Fkey%3Apw%40share&page_size=50', '/api/v4/file?uri=~&page_size=~'],
    ['/s/key/secretpw', '/s/key/~'],
    ['/s/key', '/s/key'],
    ['/dav/a/b.txt', '/dav/a/b.txt'],
    ['/dav/x?flag', '/dav/x?flag'],
  ])('%s', (url, logged) => {
    expect(redactUrl(url)).toBe(logged);
  });
});

describe('redactText', () => {
  it.each([
    ['Reply already sent for GET /api/v4/share/info/k?password=pw1', 'Reply already sent for GET /api/v4/share/info/k?password=~'],
    ['bad uri cloudreve://key:pw2@share/a', 'bad uri cloudreve://key:~@share/a'],
    ['Authorization: Bearer eyJhbGc.x.y', 'Authorization: Bearer ~'],
    ['GET /s/key/pw3 failed', 'GET /s/key/~ failed'],
  ])('%s', (text, logged) => {
    expect(redactText(text)).toBe(logged);
  });
});
