import { describe, expect, it } from 'vitest';
import {
  childElements,
  errorXml,
  multistatusClose,
  multistatusOpen,
  parseXml,
  responseStatusXml,
  responseXml,
  statusLine,
  type PropStat,
  type XmlElement,
} from '../../../src/dav/xml/index.js';

const document = (...responses: string[]): XmlElement => parseXml(multistatusOpen() + responses.join('') + multistatusClose());

/** Every element name in the output, as written: DAV: ones must all carry the D: prefix. */
const tagNames = (xml: string): string[] => [...xml.matchAll(/<\/?([^\s/>?!]+)/g)].map((m) => m[1] ?? '');

/** Finds the first descendant {ns}name, depth first. */
function find(el: XmlElement, ns: string, name: string): XmlElement | undefined {
  for (const child of childElements(el)) {
    if (child.ns === ns && child.name === name) return child;
    const deeper = find(child, ns, name);
    if (deeper) return deeper;
  }
  return undefined;
}

describe('multistatus', () => {
  it('opens with the declaration, D: for DAV: and the well-known prefixes', () => {
    expect(multistatusOpen()).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<D:multistatus xmlns:D="DAV:" xmlns:Z="urn:schemas-microsoft-com:" ' +
        'xmlns:oc="http://owncloud.org/ns" xmlns:nc="http://nextcloud.org/ns" xmlns:A="http://apache.org/dav/props/">',
    );
    expect(multistatusClose()).toBe('</D:multistatus>');
  });

  it.each<[number, string]>([
    [200, 'HTTP/1.1 200 OK'],
    [404, 'HTTP/1.1 404 Not Found'],
    [423, 'HTTP/1.1 423 Locked'],
    [424, 'HTTP/1.1 424 Failed Dependency'],
    [507, 'HTTP/1.1 507 Insufficient Storage'],
    [599, 'HTTP/1.1 599'],
  ])('writes status %i as %j', (status, line) => {
    expect(statusLine(status)).toBe(line);
  });

  it('writes propstats with text, raw XML, empty and foreign-namespace properties', () => {
    const propstats: PropStat[] = [
      {
        status: 200,
        props: [
          { ns: 'DAV:', name: 'getcontentlength', value: { text: '5' } },
          { ns: 'DAV:', name: 'displayname', value: { text: 'a <&> b' } },
          { ns: 'DAV:', name: 'resourcetype', value: { xml: '<D:collection/>' } },
          { ns: 'DAV:', name: 'getcontenttype', value: { text: '' } },
          { ns: 'urn:schemas-microsoft-com:', name: 'Win32FileAttributes', value: { text: '00000020' } },
          { ns: 'http://owncloud.org/ns', name: 'fileid', value: { text: '7' } },
          { ns: 'urn:x', name: 'custom', value: { text: 'c' } },
          { ns: '', name: 'plain', value: { text: 'p' } },
        ],
      },
      {
        status: 404,
        props: [
          { ns: 'DAV:', name: 'getetag' },
          { ns: 'urn:y', name: 'missing' },
        ],
        description: 'not here',
      },
    ];
    const xml = responseXml('/dav/a%20b/', propstats);
    expect(xml).toContain('<D:resourcetype><D:collection/></D:resourcetype>');
    expect(xml).toContain('<D:getetag/>');
    expect(xml).toContain('<Z:Win32FileAttributes>00000020</Z:Win32FileAttributes>');
    expect(xml).toContain('<oc:fileid>7</oc:fileid>');
    expect(xml).toContain('<D:status>HTTP/1.1 404 Not Found</D:status><D:responsedescription>not here</D:responsedescription>');
    expect(tagNames(xml).filter((t) => !/^(D|Z|oc|ns0):/.test(t))).toEqual(['plain', 'plain']);

    const root = document(xml, xml);
    expect(root).toMatchObject({ ns: 'DAV:', name: 'multistatus' });
    const [response] = childElements(root);
    expect(response && childElements(response).map((e) => e.name)).toEqual(['href', 'propstat', 'propstat']);
    expect(response && find(response, 'DAV:', 'href')?.children).toEqual(['/dav/a%20b/']);
    expect(response && find(response, 'DAV:', 'displayname')?.children).toEqual(['a <&> b']);
    expect(response && find(response, 'urn:x', 'custom')?.children).toEqual(['c']);
    expect(response && find(response, '', 'plain')?.children).toEqual(['p']);
    expect(response && find(response, 'urn:y', 'missing')).toEqual({ ns: 'urn:y', name: 'missing', attributes: [], children: [] });
    expect(response && find(response, 'DAV:', 'getcontenttype')?.children).toEqual([]);
  });

  it('writes a dead property with a namespaced value that keeps its namespaces (litmus propvalnspace)', () => {
    const stored = parseXml('<foo xmlns="http://example.com/alpha" a="1"><bar xmlns="http://example.com/beta">x</bar></foo>');
    const nullns = parseXml('<nonamespace xmlns="">randomvalue</nonamespace>');
    const dav = parseXml('<displayname xmlns="DAV:">Name</displayname>');
    const xml = responseXml('/f', [
      {
        status: 200,
        props: [
          { ns: stored.ns, name: stored.name, value: { element: stored } },
          { ns: '', name: 'nonamespace', value: { element: nullns } },
          { ns: 'DAV:', name: 'displayname', value: { element: dav } },
        ],
      },
    ]);
    expect(xml).toContain('<D:displayname>Name</D:displayname>');
    const root = document(xml);
    expect(find(root, 'http://example.com/alpha', 'foo')).toEqual(stored);
    expect(find(root, '', 'nonamespace')).toEqual(nullns);
    expect(find(root, 'DAV:', 'displayname')).toEqual(dav);
  });

  it('writes member failures with an error element and a description', () => {
    const xml = responseStatusXml('/d/locked', 423, 'lock-token-submitted', 'a & b');
    expect(xml).toBe(
      '<D:response><D:href>/d/locked</D:href><D:status>HTTP/1.1 423 Locked</D:status>' +
        '<D:error><D:lock-token-submitted/></D:error><D:responsedescription>a &amp; b</D:responsedescription></D:response>',
    );
    expect(responseStatusXml('/x', 403)).toBe('<D:response><D:href>/x</D:href><D:status>HTTP/1.1 403 Forbidden</D:status></D:response>');
    const [response] = childElements(document(xml));
    expect(response && childElements(response).map((e) => e.name)).toEqual(['href', 'status', 'error', 'responsedescription']);
  });
});

describe('errorXml', () => {
  it('writes a precondition element', () => {
    expect(errorXml('propfind-finite-depth')).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<D:error xmlns:D="DAV:"><D:propfind-finite-depth/></D:error>',
    );
  });

  it('puts extra XML inside the condition, as the hrefs of lock-token-submitted', () => {
    const xml = errorXml('lock-token-submitted', '<D:href>/a</D:href><D:href>/b</D:href>');
    const root = parseXml(xml);
    expect(root).toMatchObject({ ns: 'DAV:', name: 'error' });
    const [condition] = childElements(root);
    expect(condition?.name).toBe('lock-token-submitted');
    expect(condition && childElements(condition).map((h) => h.children)).toEqual([['/a'], ['/b']]);
  });

  it('refuses a condition that is not an element name', () => {
    expect(() => errorXml('x/><y')).toThrow('Not an XML element name');
    expect(() => responseStatusXml('/', 423, 'a b')).toThrow('Not an XML element name');
  });
});
