/**
 * RFC 4918 section 15.8 (lockdiscovery), 15.10 (supportedlock), 14.1 (activelock) and
 * 9.10.1 (the LOCK response body): lock descriptions in responses.
 */
import { XML_DECLARATION } from './multistatus.js';
import { escapeText } from './serialize.js';

export type ActiveLock = {
  /** Omitted for anyone but the lock's holder: the token is its secret (RFC 4918 section 6.5 lets the server hide it). */
  token?: string;
  scope: 'exclusive' | 'shared';
  depth: '0' | 'infinity';
  /** The serialized DAV:owner element from parseLockinfo, re-emitted as-is (a self-contained fragment). */
  owner: string | null;
  timeoutSeconds: number;
  /** The lock root's href; lockroot is omitted when undefined, as Office 2000/2003 break on it. */
  root?: string;
};

/** One `D:activelock` in the order of section 14.1: lockscope, locktype, depth, owner, timeout, locktoken, lockroot. */
export function activeLockXml(lock: ActiveLock): string {
  const timeout = Number.isFinite(lock.timeoutSeconds) ? `Second-${Math.max(0, Math.floor(lock.timeoutSeconds))}` : 'Infinite';
  let out =
    `<D:activelock><D:lockscope><D:${lock.scope}/></D:lockscope><D:locktype><D:write/></D:locktype>` +
    `<D:depth>${lock.depth}</D:depth>${lock.owner ?? ''}<D:timeout>${timeout}</D:timeout>`;
  if (lock.token !== undefined) out += `<D:locktoken><D:href>${escapeText(lock.token)}</D:href></D:locktoken>`;
  if (lock.root !== undefined) out += `<D:lockroot><D:href>${escapeText(lock.root)}</D:href></D:lockroot>`;
  return `${out}</D:activelock>`;
}

/** The `D:lockdiscovery` element (the property with its value), for LOCK responses. */
export function lockDiscoveryXml(locks: ActiveLock[]): string {
  return locks.length === 0 ? '<D:lockdiscovery/>' : `<D:lockdiscovery>${locks.map(activeLockXml).join('')}</D:lockdiscovery>`;
}

/** Inner XML of the lockdiscovery property, for a PROPFIND `{ xml }` value. */
export function activeLocksXml(locks: ActiveLock[]): string {
  return locks.map(activeLockXml).join('');
}

/** The whole LOCK response body (section 9.10.1): `D:prop` holding `D:lockdiscovery`. */
export function lockResponseXml(locks: ActiveLock[]): string {
  return `${XML_DECLARATION}<D:prop xmlns:D="DAV:">${lockDiscoveryXml(locks)}</D:prop>`;
}

/** Inner XML of the supportedlock property: exclusive and shared write locks, for a PROPFIND `{ xml }` value. */
export function supportedLockXml(): string {
  const entry = (scope: string): string =>
    `<D:lockentry><D:lockscope><D:${scope}/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>`;
  return entry('exclusive') + entry('shared');
}
