/**
 * RFC 4918 section 8.2 (XML request bodies) and section 20.6 (denial of service):
 * parse a request body into a namespace-resolved tree with saxes, refusing DTDs, entities
 * other than the five predefined ones and character references, prefixes bound to the
 * empty URI, unbound prefixes, and bodies over the size, depth, namespace or node limits.
 */
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { DavXmlError, badXml } from './errors.js';
import { XMLNS_NS } from './namespaces.js';

export interface XmlAttribute {
  readonly ns: string;
  readonly name: string;
  readonly value: string;
}

/** An element named by namespace URI (`''` for none) and local name; text children are strings. */
export interface XmlElement {
  readonly ns: string;
  readonly name: string;
  readonly attributes: ReadonlyArray<XmlAttribute>;
  readonly children: ReadonlyArray<XmlElement | string>;
}

export interface XmlLimits {
  /** Body size in bytes; over it is 413. */
  maxBytes: number;
  /** Element nesting, the root being depth 1; over it is 400. */
  maxDepth: number;
  /** Distinct namespace URIs declared in the document; over it is 400. */
  maxNamespaces: number;
  /** Elements, attributes and text nodes together; over it is 400. */
  maxNodes: number;
}

export const DEFAULT_XML_LIMITS: Readonly<XmlLimits> = Object.freeze({
  maxBytes: 1024 * 1024,
  maxDepth: 64,
  maxNamespaces: 100,
  maxNodes: 100_000,
});

type Building = { ns: string; name: string; attributes: XmlAttribute[]; children: (Building | string)[] };

const WHITESPACE = /^[ \t\n\r]*$/;
/** Encodings we accept in an XML declaration of a body decoded as UTF-8 (ASCII is a subset). */
const UTF8_NAMES = new Set(['utf-8', 'utf8', 'us-ascii', 'ascii']);

/** Parses a whole document; the caller handles an empty body (it is not XML). */
export function parseXml(body: Buffer | string, limits?: Partial<XmlLimits>): XmlElement {
  const max: XmlLimits = { ...DEFAULT_XML_LIMITS, ...limits };
  const size = typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.length;
  if (size > max.maxBytes) throw new DavXmlError(413, `XML body is ${size} bytes, over the limit of ${max.maxBytes}`);
  const { text, encoding } = typeof body === 'string' ? { text: body, encoding: null } : decode(body);

  // forceXMLVersion: a document declaring version="1.1" is still held to XML 1.0 rules,
  // which forbid undeclaring a prefix (xmlns:bar="", litmus propfind_invalid2).
  const parser = new SaxesParser({ xmlns: true, forceXMLVersion: true, defaultXMLVersion: '1.0' });
  const stack: Building[] = [];
  const namespaces = new Set<string>();
  let root: Building | undefined;
  let nodes = 0;
  const count = (n: number): void => {
    nodes += n;
    if (nodes > max.maxNodes) throw badXml(`XML body has more than ${max.maxNodes} nodes`);
  };

  parser.on('xmldecl', (decl) => {
    const declared = decl.encoding?.toLowerCase();
    if (encoding !== null && declared !== undefined && !(encoding === 'utf-8' ? UTF8_NAMES.has(declared) : declared === 'utf-16')) {
      throw new DavXmlError(415, 'This XML encoding is not supported; send UTF-8');
    }
  });
  // No DTD at all: internal subsets are where entity bombs and external entities live.
  parser.on('doctype', () => {
    throw badXml('XML bodies may not contain a DOCTYPE');
  });
  parser.on('opentagstart', () => {
    if (stack.length + 1 > max.maxDepth) throw badXml(`XML body nests deeper than ${max.maxDepth} elements`);
    count(1);
  });
  parser.on('opentag', (tag: SaxesTagNS) => {
    for (const uri of Object.values(tag.ns)) {
      if (uri !== '') namespaces.add(uri);
    }
    if (namespaces.size > max.maxNamespaces) throw badXml(`XML body declares more than ${max.maxNamespaces} namespaces`);
    const attributes: XmlAttribute[] = [];
    for (const attr of Object.values(tag.attributes)) {
      if (attr.uri !== XMLNS_NS) attributes.push({ ns: attr.uri, name: attr.local, value: attr.value });
    }
    count(attributes.length);
    const el: Building = { ns: tag.uri, name: tag.local, attributes, children: [] };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(el);
    else root = el;
    stack.push(el);
  });
  const onText = (data: string): void => {
    const current = stack[stack.length - 1];
    if (!current || data === '') return; // whitespace around the root
    const last = current.children.length - 1;
    const previous = current.children[last];
    if (typeof previous === 'string') current.children[last] = previous + data;
    else {
      count(1);
      current.children.push(data);
    }
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => {
    const el = stack.pop();
    // Whitespace between elements is layout; inside a leaf element it is the value.
    if (el && el.children.some((c) => typeof c !== 'string')) {
      el.children = el.children.filter((c) => typeof c !== 'string' || !WHITESPACE.test(c));
    }
  });

  try {
    parser.write(text).close();
  } catch (err) {
    if (err instanceof DavXmlError) throw err;
    throw badXml(`Malformed XML: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!root) throw badXml('Malformed XML: no root element');
  return root;
}

/** UTF-8 unless a byte order mark says UTF-16; invalid byte sequences are 400, not U+FFFD. */
function decode(body: Buffer): { text: string; encoding: 'utf-8' | 'utf-16' } {
  const label = body[0] === 0xff && body[1] === 0xfe ? 'utf-16le' : body[0] === 0xfe && body[1] === 0xff ? 'utf-16be' : 'utf-8';
  try {
    return { text: new TextDecoder(label, { fatal: true }).decode(body), encoding: label === 'utf-8' ? 'utf-8' : 'utf-16' };
  } catch {
    throw badXml(`XML body is not valid ${label.toUpperCase()}`);
  }
}
