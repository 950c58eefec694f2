import type { Entry, Principal } from '../../core/index.js';
import { holdsLock, type LockRecord } from '../../vfs/index.js';
import { parseFragment, type ActiveLock, type PropName, type PropStat, type PropValue, type PropfindRequest } from '../xml/index.js';
import { LIVE_PROPERTIES, liveProperty, type PropertyScope } from './live.js';

/** RFC 4918 9.1: the propstat groups for one entry under one PROPFIND request. */
export function propstatsFor(entry: Entry, request: PropfindRequest, scope: PropertyScope): PropStat[] {
  const found: PropValue[] = [];
  const missing: PropValue[] = [];
  const dead = scope.deadOf(entry);

  if (request.kind === 'propname') {
    for (const live of LIVE_PROPERTIES) if (live.value(entry, scope) !== undefined) found.push({ ns: live.ns, name: live.name });
    for (const property of dead) if (!liveProperty(property.ns, property.name)) found.push({ ns: property.ns, name: property.name });
    return [{ status: 200, props: found }];
  }

  const wanted: PropName[] =
    request.kind === 'prop'
      ? request.props
      : [
          ...LIVE_PROPERTIES.filter((live) => live.allprop),
          ...dead.filter((property) => !liveProperty(property.ns, property.name)),
          ...request.include,
        ];
  const seen = new Set<string>();
  for (const name of wanted) {
    const key = `${name.ns} ${name.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const live = liveProperty(name.ns, name.name);
    if (live) {
      const value = live.value(entry, scope);
      if (value === undefined) {
        if (request.kind === 'prop') missing.push({ ns: name.ns, name: name.name });
      } else found.push({ ns: name.ns, name: name.name, value });
      continue;
    }
    const stored = dead.find((property) => property.ns === name.ns && property.name === name.name);
    if (stored) found.push({ ns: name.ns, name: name.name, value: { element: parseFragment(stored.value) } });
    else missing.push({ ns: name.ns, name: name.name });
  }
  const propstats: PropStat[] = [];
  if (found.length > 0 || missing.length === 0) propstats.push({ status: 200, props: found });
  if (missing.length > 0) propstats.push({ status: 404, props: missing });
  return propstats;
}

/**
 * How a lock appears in lockdiscovery to `viewer`: remaining time, no lockroot (Office
 * 2000/2003 break on it), and the token only when the viewer holds the lock.
 */
export function activeLockOf(lock: LockRecord, now: number, viewer: Principal): ActiveLock {
  return {
    ...(holdsLock(viewer, lock) && { token: lock.token }),
    scope: lock.scope,
    depth: lock.depth,
    owner: lock.owner,
    timeoutSeconds: Math.max(0, Math.round((lock.expiresAt - now) / 1000)),
  };
}

/**
 * A lock as the LOCK that took or refreshed it answers: the whole timeout granted (RFC 4918
 * 9.10.1), as at the grant. Not from another clock reading: on a loaded machine the answer
 * would lose the seconds the request took after the grant.
 */
export function grantedLockOf(lock: LockRecord, viewer: Principal): ActiveLock {
  return activeLockOf(lock, lock.expiresAt - lock.timeoutSeconds * 1000, viewer);
}
