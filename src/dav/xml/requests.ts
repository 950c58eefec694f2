/**
 * RFC 4918 sections 9.1 (PROPFIND), 9.2 (PROPPATCH) and 9.10 (LOCK) with the elements of
 * section 14 (allprop, include, prop, propname, propertyupdate, set, remove, lockinfo,
 * lockscope, locktype, owner): turn a parsed request body into a typed request.
 * Unknown elements are ignored where section 17 (extensibility) allows it.
 */
import { badXml } from './errors.js';
import { DAV_NS } from './namespaces.js';
import type { XmlElement } from './parse.js';
import { serializeElement } from './serialize.js';

export type PropName = { ns: string; name: string };

export type PropfindRequest = { kind: 'allprop'; include: PropName[] } | { kind: 'propname' } | { kind: 'prop'; props: PropName[] };

export type ProppatchOperation = { op: 'set'; prop: PropName; value: XmlElement } | { op: 'remove'; prop: PropName };

export type LockInfo = {
  scope: 'exclusive' | 'shared';
  /** serializeElement of the DAV:owner element, re-emitted as-is in lockdiscovery; null when absent. */
  owner: string | null;
};

/** Element children only; text between them is not part of these request grammars. */
export function childElements(el: XmlElement): XmlElement[] {
  return el.children.filter((c): c is XmlElement => typeof c !== 'string');
}

function isDav(el: XmlElement, name: string): boolean {
  return el.ns === DAV_NS && el.name === name;
}

function davChildren(el: XmlElement, name: string): XmlElement[] {
  return childElements(el).filter((c) => isDav(c, name));
}

function expectRoot(root: XmlElement, name: string): void {
  if (!isDav(root, name)) throw badXml(`Expected a DAV: ${name} element as the body, got {${root.ns}}${root.name}`);
}

/** Property names in document order, each once. */
function propNames(prop: XmlElement): PropName[] {
  const seen = new Set<string>();
  const names: PropName[] = [];
  for (const { ns, name } of childElements(prop)) {
    const key = `{${ns}}${name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    names.push({ ns, name });
  }
  return names;
}

/**
 * Section 9.1: an empty body means allprop. An empty `<prop/>` is read as allprop too
 * (NetDrive sends it; sabre does the same). Unknown elements beside allprop are ignored
 * (litmus `propextended`); `include` is only meaningful with allprop (section 14.8).
 */
export function parsePropfind(root: XmlElement | null): PropfindRequest {
  if (root === null) return { kind: 'allprop', include: [] };
  expectRoot(root, 'propfind');
  const found = childElements(root).filter((c) => isDav(c, 'allprop') || isDav(c, 'propname') || isDav(c, 'prop'));
  const [first, second] = found;
  if (!first) throw badXml('propfind must contain allprop, propname or prop');
  if (second) throw badXml('propfind must contain exactly one of allprop, propname or prop');
  const includes = davChildren(root, 'include');
  if (includes.length > 0 && first.name !== 'allprop') throw badXml('include is only allowed with allprop');
  if (first.name === 'propname') return { kind: 'propname' };
  if (first.name === 'allprop') return { kind: 'allprop', include: includes.flatMap(propNames) };
  const props = propNames(first);
  return props.length === 0 ? { kind: 'allprop', include: [] } : { kind: 'prop', props };
}

/**
 * Section 9.2: set and remove instructions in document order, one operation per property
 * (litmus `propremoveset`/`propsetremove` check that order). A set carries the property
 * element whole, to be stored as a dead property.
 */
export function parseProppatch(root: XmlElement): ProppatchOperation[] {
  expectRoot(root, 'propertyupdate');
  const operations: ProppatchOperation[] = [];
  for (const instruction of childElements(root)) {
    if (!isDav(instruction, 'set') && !isDav(instruction, 'remove')) continue;
    const props = davChildren(instruction, 'prop');
    if (props.length === 0) throw badXml(`${instruction.name} must contain a DAV: prop element`);
    for (const property of props.flatMap(childElements)) {
      const prop = { ns: property.ns, name: property.name };
      operations.push(instruction.name === 'set' ? { op: 'set', prop, value: property } : { op: 'remove', prop });
    }
  }
  if (operations.length === 0) throw badXml('propertyupdate must set or remove at least one property');
  return operations;
}

/**
 * Section 9.10: a body with lockscope and locktype creates a lock; no body refreshes one
 * (section 9.10.2), which is the null result. Write is the only lock type (section 7).
 */
export function parseLockinfo(root: XmlElement | null): LockInfo | null {
  if (root === null) return null;
  expectRoot(root, 'lockinfo');
  const [scopeEl] = davChildren(root, 'lockscope');
  if (!scopeEl) throw badXml('lockinfo must contain lockscope');
  const scope = childElements(scopeEl).find((c) => isDav(c, 'exclusive') || isDav(c, 'shared'));
  if (!scope) throw badXml('lockscope must contain exclusive or shared');
  const [typeEl] = davChildren(root, 'locktype');
  if (!typeEl) throw badXml('lockinfo must contain locktype');
  if (!childElements(typeEl).some((c) => isDav(c, 'write'))) throw badXml('locktype must be write, the only lock type');
  const [ownerEl] = davChildren(root, 'owner');
  return { scope: scope.name === 'exclusive' ? 'exclusive' : 'shared', owner: ownerEl ? serializeElement(ownerEl) : null };
}
