import { describe, expect, it } from 'vitest';
import {
  activeLocksXml,
  childElements,
  lockDiscoveryXml,
  lockResponseXml,
  parseLockinfo,
  parseXml,
  supportedLockXml,
  type ActiveLock,
  type XmlElement,
} from '../../../src/dav/xml/index.js';

const names = (el: XmlElement | undefined): string[] => (el ? childElements(el).map((c) => `${c.ns}${c.name}`) : []);
const text = (el: XmlElement | undefined, name: string): unknown => el && childElements(el).find((c) => c.name === name)?.children;

const owner = parseLockinfo(
  parseXml(
    '<lockinfo xmlns="DAV:"><lockscope><exclusive/></lockscope><locktype><write/></locktype><owner><href>mailto:a@b</href></owner></lockinfo>',
  ),
)?.owner;

const lock: ActiveLock = {
  token: 'urn:uuid:6f1e0a5c-1111-2222-3333-444455556666',
  scope: 'exclusive',
  depth: 'infinity',
  owner: owner ?? null,
  timeoutSeconds: 3600,
  root: '/dav/a%20b',
};

describe('lock bodies', () => {
  it('writes an activelock in the order of RFC 4918 14.1 with the owner re-emitted as-is', () => {
    const xml = lockDiscoveryXml([lock]);
    expect(xml).toContain('<D:owner xmlns:D="DAV:"><D:href>mailto:a@b</D:href></D:owner>');
    const discovery = parseXml(`<D:prop xmlns:D="DAV:">${xml}</D:prop>`).children[0] as XmlElement;
    const [active] = childElements(discovery);
    expect(names(active)).toEqual([
      'DAV:lockscope',
      'DAV:locktype',
      'DAV:depth',
      'DAV:owner',
      'DAV:timeout',
      'DAV:locktoken',
      'DAV:lockroot',
    ]);
    expect(text(active, 'depth')).toEqual(['infinity']);
    expect(text(active, 'timeout')).toEqual(['Second-3600']);
    expect(names(childElements(active!).find((c) => c.name === 'lockscope'))).toEqual(['DAV:exclusive']);
    expect(names(childElements(active!).find((c) => c.name === 'locktype'))).toEqual(['DAV:write']);
  });

  it('omits lockroot and owner when absent (Office 2000/2003 break on lockroot)', () => {
    const xml = activeLocksXml([{ ...lock, root: undefined, owner: null, scope: 'shared', depth: '0' }]);
    expect(xml).toBe(
      '<D:activelock><D:lockscope><D:shared/></D:lockscope><D:locktype><D:write/></D:locktype><D:depth>0</D:depth>' +
        '<D:timeout>Second-3600</D:timeout><D:locktoken><D:href>urn:uuid:6f1e0a5c-1111-2222-3333-444455556666</D:href></D:locktoken></D:activelock>',
    );
    expect(lockDiscoveryXml([])).toBe('<D:lockdiscovery/>');
  });

  it('writes an infinite timeout as Infinite', () => {
    expect(activeLocksXml([{ ...lock, timeoutSeconds: Infinity }])).toContain('<D:timeout>Infinite</D:timeout>');
  });

  it('writes the whole LOCK response body', () => {
    const xml = lockResponseXml([lock, { ...lock, token: 'urn:uuid:other', scope: 'shared' }]);
    expect(xml.startsWith('<?xml version="1.0" encoding="utf-8"?>\n<D:prop xmlns:D="DAV:"><D:lockdiscovery><D:activelock>')).toBe(true);
    const root = parseXml(xml);
    expect(root).toMatchObject({ ns: 'DAV:', name: 'prop' });
    expect(names(childElements(root)[0])).toEqual(['DAV:activelock', 'DAV:activelock']);
  });

  it('lists exclusive and shared write locks as supported', () => {
    const root = parseXml(`<D:supportedlock xmlns:D="DAV:">${supportedLockXml()}</D:supportedlock>`);
    const entries = childElements(root);
    expect(entries.map((e) => names(childElements(e)[0]))).toEqual([['DAV:exclusive'], ['DAV:shared']]);
    expect(entries.map((e) => names(childElements(e)[1]))).toEqual([['DAV:write'], ['DAV:write']]);
  });
});
