import { describe, expect, it } from 'vitest';
import { DavXmlError, parseXml, XML_NS, type XmlElement, type XmlLimits } from '../../../src/dav/xml/index.js';

const el = (ns: string, name: string, children: (XmlElement | string)[] = [], attributes: XmlElement['attributes'] = []): XmlElement => ({
  ns,
  name,
  attributes,
  children,
});

function failure(body: Buffer | string, limits?: Partial<XmlLimits>): DavXmlError {
  try {
    parseXml(body, limits);
  } catch (err) {
    expect(err).toBeInstanceOf(DavXmlError);
    return err as DavXmlError;
  }
  throw new Error('expected parseXml to fail');
}

describe('parseXml accepts', () => {
  it.each<[string, string | Buffer, XmlElement]>([
    [
      'elements by URI, not prefix',
      '<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>',
      el('DAV:', 'propfind', [el('DAV:', 'allprop')]),
    ],
    ['a default namespace', '<propfind xmlns="DAV:"><allprop/></propfind>', el('DAV:', 'propfind', [el('DAV:', 'allprop')])],
    [
      'an element undeclaring the default namespace (litmus propnullns)',
      '<prop xmlns="DAV:"><nonamespace xmlns="">randomvalue</nonamespace></prop>',
      el('DAV:', 'prop', [el('', 'nonamespace', ['randomvalue'])]),
    ],
    ['no namespace at all', '<a><b/></a>', el('', 'a', [el('', 'b')])],
    ['a BOM and an XML declaration', '\ufeff<?xml version="1.0" encoding="utf-8"?>\n<a/>', el('', 'a')],
    ['a UTF-8 BOM in bytes', Buffer.from('\ufeff<?xml version="1.0" encoding="UTF-8" ?><a>é</a>'), el('', 'a', ['é'])],
    ['UTF-16LE with a BOM', Buffer.from('\ufeff<?xml version="1.0" encoding="UTF-16"?><a>€</a>', 'utf16le'), el('', 'a', ['€'])],
    ['US-ASCII declared', Buffer.from('<?xml version="1.0" encoding="us-ascii"?><a/>'), el('', 'a')],
    ['predefined entities and character references', '<a>&lt;&amp;&gt;&quot;&apos;&#65;&#x10000;</a>', el('', 'a', ['<&>"\'A\u{10000}'])],
    ['CDATA merged with text', '<a>x<![CDATA[<y>]]>z</a>', el('', 'a', ['x<y>z'])],
    ['whitespace kept exactly inside a leaf', '<a>  \n </a>', el('', 'a', ['  \n '])],
    ['whitespace between elements dropped', '<a>\n  <b> v </b>\n  <c/>\n</a>', el('', 'a', [el('', 'b', [' v ']), el('', 'c')])],
    ['mixed content kept', '<a>x <b/> y</a>', el('', 'a', ['x ', el('', 'b'), ' y'])],
    ['comments and processing instructions dropped', '<a><!-- c --><?pi x?>t</a>', el('', 'a', ['t'])],
    [
      'attributes with namespaces, without xmlns declarations',
      '<a xmlns:p="urn:p" p:x="1" y="2" xml:lang="en"/>',
      el(
        '',
        'a',
        [],
        [
          { ns: 'urn:p', name: 'x', value: '1' },
          { ns: '', name: 'y', value: '2' },
          { ns: XML_NS, name: 'lang', value: 'en' },
        ],
      ),
    ],
    ['CRLF normalised to LF', '<a>x\r\ny</a>', el('', 'a', ['x\ny'])],
  ])('%s', (_label, body, expected) => {
    expect(parseXml(body)).toEqual(expected);
  });

  it('counts limits inclusively', () => {
    expect(() => parseXml('<a><b><c/></b></a>', { maxDepth: 3 })).not.toThrow();
    expect(() => parseXml('<a xmlns="urn:1"><b xmlns="urn:2"><c xmlns="urn:1"/></b></a>', { maxNamespaces: 2 })).not.toThrow();
    expect(() => parseXml('<a><b/>t</a>', { maxNodes: 3 })).not.toThrow();
    expect(() => parseXml('<a/>', { maxBytes: 4 })).not.toThrow();
  });
});

const laughs = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>';

describe('parseXml refuses', () => {
  it.each<[string, string | Buffer, Partial<XmlLimits> | undefined, number, string]>([
    ['malformed XML (litmus propfind_invalid)', '<foo>', undefined, 400, 'Malformed XML'],
    [
      'a prefix bound to the empty URI (litmus propfind_invalid2)',
      '<D:propfind xmlns:D="DAV:"><D:prop><bar:foo xmlns:bar=""/></D:prop></D:propfind>',
      undefined,
      400,
      'undefine prefix',
    ],
    ['an undeclared prefix even when declaring XML 1.1', '<?xml version="1.1"?><a xmlns:bar=""/>', undefined, 400, 'undefine prefix'],
    ['an unbound prefix', '<D:propfind/>', undefined, 400, 'unbound namespace prefix'],
    ['an internal DTD (billion laughs)', laughs, undefined, 400, 'DOCTYPE'],
    ['an external entity', '<!DOCTYPE a SYSTEM "file:///etc/passwd"><a/>', undefined, 400, 'DOCTYPE'],
    ['a bare DOCTYPE', '<!DOCTYPE a><a/>', undefined, 400, 'DOCTYPE'],
    ['an undeclared entity', '<a>&foo;</a>', undefined, 400, 'undefined entity'],
    ['an undeclared entity in an attribute', '<a b="&foo;"/>', undefined, 400, 'undefined entity'],
    ['a reference to a character XML forbids', '<a>&#0;</a>', undefined, 400, 'Malformed XML'],
    ['two roots', '<a/><b/>', undefined, 400, 'only one root'],
    ['text outside the root', 'x<a/>', undefined, 400, 'outside of root'],
    ['an empty document', '', undefined, 400, 'root element'],
    ['invalid UTF-8', Buffer.from([0x3c, 0x61, 0x3e, 0xff, 0x3c, 0x2f, 0x61, 0x3e]), undefined, 400, 'not valid UTF-8'],
    [
      'a charset we do not decode',
      Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><a/>'),
      undefined,
      415,
      'not supported; send UTF-8',
    ],
    ['a body over the byte limit', '<a/>', { maxBytes: 3 }, 413, 'over the limit of 3'],
    ['bytes, not characters, against the limit', '<a>€</a>', { maxBytes: 9 }, 413, '10 bytes'],
    ['nesting over the depth limit', '<a><b><c><d/></c></b></a>', { maxDepth: 3 }, 400, 'deeper than 3'],
    [
      'too many namespaces',
      '<a xmlns="urn:1"><b xmlns="urn:2"><c xmlns="urn:3"/></b></a>',
      { maxNamespaces: 2 },
      400,
      'more than 2 namespaces',
    ],
    ['too many nodes', '<a><b/><c/>t</a>', { maxNodes: 3 }, 400, 'more than 3 nodes'],
    ['too many attributes as nodes', '<a x="1" y="2" z="3"/>', { maxNodes: 3 }, 400, 'more than 3 nodes'],
  ])('%s', (_label, body, limits, status, message) => {
    const err = failure(body, limits);
    expect(err.status).toBe(status);
    expect(err.message).toContain(message);
  });

  it('stops at the depth limit for deeply nested input without a stack overflow', () => {
    const deep = '<a>'.repeat(100_000) + '</a>'.repeat(100_000);
    expect(failure(deep, { maxBytes: 10_000_000 }).status).toBe(400);
  });
});
