/**
 * RFC 4918 section 4.3 and 4.4 (property values are XML fragments) and section 15
 * (dead properties keep their XML, including namespaces, as it was set): write an element
 * tree back as a self-contained fragment, and read one back. The XML we store for a dead
 * property and the owner of a lock (section 14.17) comes from here.
 */
import { parseXml, type XmlElement } from './parse.js';
import { DAV_NS, XML_NS } from './namespaces.js';

/** Characters XML 1.0 cannot carry even as references: C0 controls but tab, LF, CR; U+FFFE/F; lone surrogates. */
const NOT_XML_CHAR =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Escapes character data. `>` is escaped so `]]>` never appears; CR becomes a reference so
 * it survives line-end normalisation; characters XML cannot carry become U+FFFD, so the
 * output is always well-formed whatever a file name contains.
 */
export function escapeText(text: string): string {
  return text.replace(NOT_XML_CHAR, '\uFFFD').replace(/[&<>\r]/g, (c) => TEXT_REFS[c] ?? c);
}

/** Escapes an attribute value for double quotes; tab, LF and CR as references survive attribute normalisation. */
export function escapeAttribute(value: string): string {
  return value.replace(NOT_XML_CHAR, '\uFFFD').replace(/[&<>"'\t\n\r]/g, (c) => ATTR_REFS[c] ?? c);
}

const TEXT_REFS: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#xD;' };
const ATTR_REFS: Record<string, string> = { ...TEXT_REFS, '"': '&quot;', "'": '&apos;', '\t': '&#x9;', '\n': '&#xA;' };

/**
 * Writes `el` as one element whose root declares every namespace the tree uses: DAV: as
 * `D`, others as `ns0`, `ns1`, ... in order of first use, and `xmlns=""` when the tree has
 * elements in no namespace (so the fragment keeps its meaning under any default namespace).
 * Namespaces in `inScope` (URI to prefix) are already declared by the enclosing document
 * and are used without being declared again.
 */
export function serializeElement(el: XmlElement, inScope: ReadonlyMap<string, string> = new Map()): string {
  const prefixes = new Map(inScope);
  prefixes.set(XML_NS, 'xml');
  const declarations: string[] = [];
  let usesEmpty = false;
  let generated = 0;
  const visit = (node: XmlElement): void => {
    if (node.ns === '') usesEmpty = true;
    for (const ns of [node.ns, ...node.attributes.map((a) => a.ns)]) {
      if (ns === '' || prefixes.has(ns)) continue;
      const used = new Set(prefixes.values());
      let prefix = 'D';
      if (ns !== DAV_NS || used.has(prefix)) {
        do prefix = `ns${generated++}`;
        while (used.has(prefix));
      }
      prefixes.set(ns, prefix);
      declarations.push(` xmlns:${prefix}="${escapeAttribute(ns)}"`);
    }
    for (const child of node.children) if (typeof child !== 'string') visit(child);
  };
  visit(el);
  if (usesEmpty) declarations.unshift(' xmlns=""');
  return write(el, prefixes, declarations.join(''));
}

function write(el: XmlElement, prefixes: ReadonlyMap<string, string>, declarations: string): string {
  const tag = qualify(el.ns, el.name, prefixes);
  let out = `<${tag}${declarations}`;
  for (const a of el.attributes) out += ` ${qualify(a.ns, a.name, prefixes)}="${escapeAttribute(a.value)}"`;
  if (el.children.length === 0) return `${out}/>`;
  out += '>';
  for (const child of el.children) out += typeof child === 'string' ? escapeText(child) : write(child, prefixes, '');
  return `${out}</${tag}>`;
}

function qualify(ns: string, name: string, prefixes: ReadonlyMap<string, string>): string {
  return ns === '' ? name : `${prefixes.get(ns)}:${name}`;
}

/** Reads back a fragment written by serializeElement (with the same safety rules as request bodies). */
export function parseFragment(xml: string): XmlElement {
  return parseXml(xml);
}
