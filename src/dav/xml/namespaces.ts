/**
 * RFC 4918 section 21.1 (the "DAV:" namespace) and Namespaces in XML 1.0: the namespace
 * URIs the XML layer names, and the prefixes our responses use for well-known ones.
 * Elements are matched by namespace URI and local name, never by prefix.
 */
export const DAV_NS = 'DAV:';
/** Bound to the `xml` prefix by definition; never declared. */
export const XML_NS = 'http://www.w3.org/XML/1998/namespace';
/** The namespace of `xmlns` and `xmlns:*` declarations (not attributes in our model). */
export const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

/**
 * Prefixes declared once on every multistatus root. DAV: is always `D` (some Windows
 * Mini-Redirector versions ignore DAV: elements in a default namespace, and some clients
 * match `D:response` literally); the others are namespaces clients commonly ask for.
 */
export const WELL_KNOWN_PREFIXES: ReadonlyMap<string, string> = new Map([
  [DAV_NS, 'D'],
  ['urn:schemas-microsoft-com:', 'Z'],
  ['http://owncloud.org/ns', 'oc'],
  ['http://nextcloud.org/ns', 'nc'],
  ['http://apache.org/dav/props/', 'A'],
]);
