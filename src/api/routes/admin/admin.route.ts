import type { z } from 'zod';
import { decodeId, type IdKind } from '../../../auth/index.js';
import type { Authentication } from '../../../services/index.js';
import { defineRoute, type ApiDependencies, type RouteSpec } from '../../context.js';
import { ApiError, CODES } from '../../errors.js';

/**
 * An administration route (contract section 19, Cloudreve's `/admin/*`): signed-in users
 * only (401 otherwise), and of those only members of a group with the admin permission
 * (403 "Permission denied" otherwise, as Cloudreve's IsAdmin middleware answers). The group
 * is read afresh, so a demoted administrator loses access on their next request.
 */
export function defineAdminRoute<
  Q extends z.ZodType = z.ZodUndefined,
  B extends z.ZodType = z.ZodUndefined,
  R extends z.ZodType = z.ZodVoid,
>(spec: Omit<RouteSpec<Q, B, R>, 'auth' | 'tag'>): RouteSpec<Q, B, R> {
  return defineRoute({ ...spec, tag: 'admin', auth: 'required', guard: requireAdmin });
}

/** Before the request is read, so a non-administrator learns nothing from validation messages. */
async function requireAdmin(auth: Authentication | null, deps: ApiDependencies): Promise<void> {
  if (!auth) throw new ApiError(CODES.loginRequired, 'Login required');
  // Read afresh, not from the short cache of checked tokens: a demotion takes effect at once.
  const { group } = await deps.users.withGroup(auth.user.id);
  if (!group.permissions.admin) throw new ApiError(CODES.forbidden, 'Permission denied: only administrators may do this');
}

/** The database id behind an opaque id of the URL (contract 3.3); one that decodes to nothing is `notFound`. */
export function idParam(params: unknown, kind: IdKind, notFound: ApiError): number {
  const id = decodeId(kind, (params as { id?: string }).id ?? '');
  if (id === null) throw notFound;
  return id;
}
