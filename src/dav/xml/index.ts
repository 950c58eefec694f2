/**
 * RFC 4918 XML (sections 8.2, 13, 14, 16): request body parsing and response writing for
 * the WebDAV layer. Elements are matched by namespace URI and local name, never by prefix.
 */
export { DavXmlError } from './errors.js';
export { DAV_NS, WELL_KNOWN_PREFIXES, XML_NS } from './namespaces.js';
export { DEFAULT_XML_LIMITS, parseXml, type XmlAttribute, type XmlElement, type XmlLimits } from './parse.js';
export { escapeAttribute, escapeText, parseFragment, serializeElement } from './serialize.js';
export {
  childElements,
  parseLockinfo,
  parsePropfind,
  parseProppatch,
  type LockInfo,
  type PropName,
  type PropfindRequest,
  type ProppatchOperation,
} from './requests.js';
export {
  errorXml,
  multistatusClose,
  multistatusOpen,
  responseStatusXml,
  responseXml,
  statusLine,
  XML_DECLARATION,
  type PropContent,
  type PropStat,
  type PropValue,
} from './multistatus.js';
export { activeLocksXml, activeLockXml, lockDiscoveryXml, lockResponseXml, supportedLockXml, type ActiveLock } from './locks.js';
