import { describe, expect, it } from 'vitest';
import {
  escapeAttribute,
  escapeText,
  parseFragment,
  parseXml,
  serializeElement,
  XML_NS,
  type XmlElement,
} from '../../../src/dav/xml/index.js';

describe('serializeElement round-trips through parseFragment', () => {
  it.each<[string, string]>([
    ['nested elements in several namespaces', '<a:x xmlns:a="urn:a" xmlns:b="urn:b"><b:y><a:z>1</a:z><c xmlns="urn:c">2</c></b:y></a:x>'],
    ['attributes in namespaces', '<x xmlns="urn:a" xmlns:p="urn:p" p:one="1" two="2" xml:lang="fr"><y p:three="3"/></x>'],
    ['the empty namespace (litmus propnullns)', '<nonamespace xmlns="">randomvalue</nonamespace>'],
    ['no-namespace elements inside a namespaced one', '<x xmlns="urn:a"><y xmlns="">v</y></x>'],
    ['high Unicode (litmus prophighunicode)', '<high-unicode xmlns="http://webdav.org/neon/litmus/">&#65536;</high-unicode>'],
    ['characters needing escapes', `<x xmlns="urn:a" q="&lt;&amp;&gt;&quot;'&#9;&#10;&#13;">&lt;&amp;&gt;"'&#13;]]&gt;</x>`],
    ['mixed content', '<p xmlns="urn:h">Hello <b>bold</b> and <i a="1">it</i>!</p>'],
    [
      'a value defining its own namespace (litmus propvalnspace)',
      `<t:valnspace xmlns:t='http://webdav.org/neon/litmus/'><foo xmlns='bar'/></t:valnspace>`,
    ],
    ['DAV: elements', '<D:owner xmlns:D="DAV:"><D:href>mailto:a@example.com</D:href></D:owner>'],
    ['whitespace inside a leaf', '<x xmlns="urn:a"><y>  </y></x>'],
  ])('%s', (_label, xml) => {
    const tree = parseXml(xml);
    const written = serializeElement(tree);
    expect(parseFragment(written)).toEqual(tree);
    expect(serializeElement(parseFragment(written))).toBe(written);
  });

  it('declares every namespace on the root with generated prefixes, DAV: as D', () => {
    const tree = parseXml('<a:x xmlns:a="urn:a"><y xmlns="DAV:"><z xmlns="urn:b" xmlns:q="urn:q" q:w="1"/></y></a:x>');
    expect(serializeElement(tree)).toBe(
      '<ns0:x xmlns:ns0="urn:a" xmlns:D="DAV:" xmlns:ns1="urn:b" xmlns:ns2="urn:q"><D:y><ns1:z ns2:w="1"/></D:y></ns0:x>',
    );
  });

  it('undeclares the default namespace when the tree uses the empty namespace, so it can be embedded anywhere', () => {
    const tree = parseXml('<x xmlns="urn:a"><y xmlns="">v</y></x>');
    const written = serializeElement(tree);
    expect(written).toBe('<ns0:x xmlns="" xmlns:ns0="urn:a"><y>v</y></ns0:x>');
    const embedded = parseXml(`<outer xmlns="urn:default">${written}</outer>`);
    expect(embedded.children[0]).toEqual(tree);
  });

  it('uses prefixes already in scope without declaring them again', () => {
    const tree = parseXml('<displayname xmlns="DAV:">n</displayname>');
    expect(serializeElement(tree, new Map([['DAV:', 'D']]))).toBe('<D:displayname>n</D:displayname>');
    const other = parseXml('<x xmlns="urn:x"/>');
    expect(serializeElement(other, new Map([['urn:y', 'ns0']]))).toBe('<ns1:x xmlns:ns1="urn:x"/>');
  });

  it('writes xml: attributes without declaring the xml prefix', () => {
    const tree: XmlElement = { ns: '', name: 'x', attributes: [{ ns: XML_NS, name: 'space', value: 'preserve' }], children: [] };
    expect(serializeElement(tree)).toBe('<x xmlns="" xml:space="preserve"/>');
  });
});

describe('escaping', () => {
  it.each<[string, string, string]>([
    ['markup', '<&>"\'', '&lt;&amp;&gt;"\''],
    ['CR', 'a\r\nb', 'a&#xD;\nb'],
    ['characters XML cannot carry', 'a\u0001b\uFFFEc\uD800d', 'a\uFFFDb\uFFFDc\uFFFDd'],
    ['astral characters', '\u{10000}\u{1F4F7}', '\u{10000}\u{1F4F7}'],
  ])('text: %s', (_label, input, expected) => {
    expect(escapeText(input)).toBe(expected);
  });

  it.each<[string, string, string]>([
    ['markup and quotes', '<&>"\'', '&lt;&amp;&gt;&quot;&apos;'],
    ['whitespace that attribute normalisation would change', '\t\n\r', '&#x9;&#xA;&#xD;'],
  ])('attribute: %s', (_label, input, expected) => {
    expect(escapeAttribute(input)).toBe(expected);
  });

  it('keeps any string through text and attribute round trips', () => {
    const value = 'a <&> "q" \'s\' \t\n\r ]]> \u{10000}';
    const tree = parseXml(`<x v="${escapeAttribute(value)}">${escapeText(value)}</x>`);
    expect(tree).toEqual({ ns: '', name: 'x', attributes: [{ ns: '', name: 'v', value }], children: [value] });
  });
});
