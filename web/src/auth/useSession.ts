import { useEffect, useState, useSyncExternalStore } from 'react';
import { getSettings } from '../api/admin';
import { hasBit } from '../api/dav';
import { getSession, subscribe, type StoredSession } from '../api/session';
import type { User } from '../api/types';

/** The signed-in session, re-rendering on sign-in, renewal and sign-out (in any tab). */
export function useSession(): StoredSession | null {
  return useSyncExternalStore(
    (notify) => subscribe(() => notify()),
    getSession,
    () => null,
  );
}

/** Group permission bit 0 (contract 3.3), or the built-in Admin group when the server sends no boolset. */
export function isAdmin(user: User | undefined): boolean {
  if (!user?.group) return false;
  return user.group.permission ? hasBit(user.group.permission, 0) : user.group.name === 'Admin';
}

/** Admin probes, one per user: the server's answer to an admin-only read settles it. */
const probes = new Map<string, Promise<boolean>>();

/**
 * Whether to offer the admin pages. The sign-in answer names the group but carries no
 * permission boolset here, so a custom group with the admin permission is found by asking.
 */
export function useIsAdmin(user: User | undefined): boolean {
  const known = isAdmin(user);
  const [probed, setProbed] = useState(false);
  useEffect(() => {
    if (!user || known || user.group?.permission) return;
    let probe = probes.get(user.id);
    if (!probe) {
      probe = getSettings().then(
        () => true,
        () => false,
      );
      probes.set(user.id, probe);
    }
    let live = true;
    void probe.then((answer) => live && setProbed(answer));
    return () => {
      live = false;
    };
  }, [user, known]);
  return known || probed;
}
