import { z } from 'zod';
import { LockedError, NotFoundError, formatPath, parentOf } from '../../../core/index.js';
import type { LockConflict } from '../../../vfs/index.js';
import { defineRoute, type RouteContext, type RouteSpec } from '../../context.js';
import { ApiError, CODES } from '../../errors.js';
import { locate } from '../../space.js';

/**
 * Contract 14.2: OpenList's unlock flow. A change stopped by a lock answers 40073 "Lock
 * conflict" with the locks in the way as `data`; the client releases them by token with
 * DELETE /file/lock and tries once more. Locks are WebDAV locks (RFC 4918) held by the client
 * (WebDAV account) that took them; the user they belong to may release any of them here, as an
 * escape hatch for a stuck client, but never write with another client's token.
 */
export const unlockBody = z.object({ tokens: z.array(z.string().min(1)).min(1) });

const unlockRoute = defineRoute({
  method: 'DELETE',
  url: '/file/lock',
  summary: 'Release locks by token (only your own), all or none',
  tag: 'file',
  auth: 'required',
  body: unlockBody,
  handler: async ({ request, body, auth, deps, options }) => {
    if (body.tokens.length > options.maxBatchSize) {
      throw new ApiError(CODES.tooManyUris, `Too many tokens: at most ${options.maxBatchSize} in one request, ${body.tokens.length} given`);
    }
    const { unknown, released } = await deps.lookups.releaseLocks(auth!.principal, body.tokens);
    for (const lock of released) {
      if (lock.holder === auth!.principal.lockHolder) continue;
      // The escape hatch for a stuck client: worth a line in the log, never the token itself.
      request.log.info(
        { user: auth!.user.id, holder: lock.holder, entry: lock.entryId },
        "released a lock held by another of the user's clients",
      );
    }
    if (unknown.length > 0) {
      // Cloudreve's text (contract 14.2), with which tokens; another user's lock is not told apart from none.
      throw new ApiError(
        CODES.parameter,
        `failed to unlock file: you hold no lock with the token ${unknown.join(', ')}; nothing was unlocked`,
      );
    }
  },
});

export const lockRoutes = [unlockRoute];

/** One entry of the 40073 `data` list (contract 14.2). */
interface LockInfo {
  readonly path: string;
  readonly token: string;
  readonly owner: { readonly application: { readonly type: string } };
  /** 0 exclusive, 1 shared. */
  readonly type: 0 | 1;
}

/**
 * Wraps a route that changes the files its body names (`uri`, `uris`, `dst`) so that a lock in
 * the way answers 40073 with those locks listed, instead of the bare 40073 of errors.ts.
 */
export function reportingLockConflicts(route: RouteSpec): RouteSpec {
  return {
    ...route,
    async handler(context) {
      try {
        return await route.handler(context);
      } catch (error) {
        if (!(error instanceof LockedError)) throw error;
        throw new ApiError(CODES.lockConflict, 'Lock conflict', { data: await locksInTheWay(context) });
      }
    },
  };
}

async function locksInTheWay(context: RouteContext<unknown, unknown>): Promise<LockInfo[]> {
  const body = (context.body ?? {}) as { uri?: unknown; uris?: unknown; dst?: unknown };
  // What is named changes its name in its folder, with everything below it; a destination only gains members.
  const targets = [
    ...[body.uri, ...(Array.isArray(body.uris) ? body.uris : [])].map((uri) => ({ uri, rename: true, subtree: true })),
    { uri: body.dst, rename: false, subtree: false },
  ];
  const { lookups, users } = context.deps;
  const found = new Map<string, LockConflict>();
  for (const { uri, ...how } of targets) {
    if (typeof uri !== 'string') continue;
    try {
      const { space, path } = await locate(uri, context.auth, users);
      const conflicts = await lookups.locksOn(space.principal, path, how).catch((error: unknown) => {
        // Something being created: its folder gains a member.
        if (!(error instanceof NotFoundError) || path.length === 0) throw error;
        return lookups.locksOn(space.principal, parentOf(path), { rename: false, subtree: false });
      });
      for (const conflict of conflicts) found.set(conflict.lock.token, conflict);
    } catch {
      // A URI that does not resolve holds no lock in the way.
    }
  }
  return [...found.values()].map(({ lock, path }) => ({
    path: formatPath(path ?? []),
    token: lock.token,
    // Every lock here was taken over WebDAV; Cloudreve names the application that took it.
    owner: { application: { type: 'dav' } },
    type: lock.scope === 'exclusive' ? 0 : 1,
  }));
}
