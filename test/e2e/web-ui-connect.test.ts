// The "Connect via WebDAV" panel's addresses (web/src/dav/connect.ts), a pure function of the
// page's origin: what Windows, macOS, Linux file managers and rclone are told to use.
import { describe, expect, it } from 'vitest';
import { connectInfo } from '../../web/src/dav/connect.js';

describe('Connect via WebDAV addresses', () => {
  it.each([
    [
      'https://files.example.org',
      'https://files.example.org/dav/',
      '\\\\files.example.org@SSL\\dav\\',
      'davs://files.example.org/dav/',
      'webdavs://files.example.org/dav/',
    ],
    [
      'https://files.example.org:8443',
      'https://files.example.org:8443/dav/',
      '\\\\files.example.org@SSL@8443\\dav\\',
      'davs://files.example.org:8443/dav/',
      'webdavs://files.example.org:8443/dav/',
    ],
    [
      'http://192.168.1.5:5280',
      'http://192.168.1.5:5280/dav/',
      '\\\\192.168.1.5@5280\\dav\\',
      'dav://192.168.1.5:5280/dav/',
      'webdav://192.168.1.5:5280/dav/',
    ],
    ['http://nas.local', 'http://nas.local/dav/', '\\\\nas.local\\dav\\', 'dav://nas.local/dav/', 'webdav://nas.local/dav/'],
  ])('%s', (origin, url, windows, gnome, kde) => {
    const info = connectInfo(origin, 'me@example.org');
    expect(info).toMatchObject({ url, macos: url, windowsUnc: windows, gnome, kde, secure: origin.startsWith('https:') });
    expect(info.davfs2).toBe(`sudo mount -t davfs ${url} /mnt/cumulus`);
    expect(info.rclone.split('\n')).toEqual(
      expect.arrayContaining(['[cumulus]', 'type = webdav', `url = ${url}`, 'vendor = other', 'user = me@example.org']),
    );
  });
});

describe('the plain-HTTP warning of the Connect panel', () => {
  it.each([
    ['http://192.168.1.5:5280', true],
    ['http://nas.local', true],
    ['https://files.example.org', false],
    ['http://localhost:5280', false],
    ['http://127.0.0.1:5280', false],
    ['http://[::1]:5280', false],
  ])('%s warns: %s', (origin, warns) => {
    const info = connectInfo(origin, 'me@example.org');
    expect(!info.secure && !info.loopback).toBe(warns);
  });
});
