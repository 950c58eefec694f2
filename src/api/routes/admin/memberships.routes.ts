import { decodeId, encodeId } from '../../../auth/index.js';
import type { ApiDependencies } from '../../context.js';
import { ApiError, CODES } from '../../errors.js';
import { defineAdminRoute, idParam } from './admin.route.js';
import { joinGroupBody, membershipsResponse } from './memberships.schema.js';

const userNotFound = new ApiError(CODES.notFound, 'User not found');

function groupIdOf(text: string): number {
  const id = decodeId('group', text);
  if (id === null) throw new ApiError(CODES.groupNotFound, 'Group not found');
  return id;
}

async function present(deps: ApiDependencies, userId: number) {
  const groups = await deps.memberships.groupsOf(userId);
  return { groups: groups.map((group, i) => ({ id: encodeId('group', group.id), name: group.name, primary: i === 0 })) };
}

/**
 * The groups a user joined beside their primary one (issue 11 item 6: each shared folder has
 * its group). `PUT /admin/user/:id/group` joins, `DELETE /admin/user/:id/group/:group` leaves;
 * the primary group changes through PUT /admin/user/:id instead.
 */
export const adminMembershipRoutes = [
  defineAdminRoute({
    method: 'GET',
    url: '/admin/user/:id/group',
    summary: "A user's groups: the primary one first, then those joined (administrators only)",
    response: membershipsResponse,
    handler: async ({ request, deps }) => present(deps, idParam(request.params, 'user', userNotFound)),
  }),
  defineAdminRoute({
    method: 'PUT',
    url: '/admin/user/:id/group',
    summary: 'Add a user to a group beside their primary one, with the shared folder it gives (administrators only)',
    body: joinGroupBody,
    response: membershipsResponse,
    handler: async ({ request, body, deps }) => {
      const userId = idParam(request.params, 'user', userNotFound);
      await deps.memberships.join(userId, groupIdOf(body.group_id));
      return present(deps, userId);
    },
  }),
  defineAdminRoute({
    method: 'DELETE',
    url: '/admin/user/:id/group/:group',
    summary: 'Take a user out of a group they joined, and out of its shared folder (administrators only)',
    response: membershipsResponse,
    handler: async ({ request, deps }) => {
      const userId = idParam(request.params, 'user', userNotFound);
      await deps.memberships.leave(userId, groupIdOf((request.params as { group?: string }).group ?? ''));
      return present(deps, userId);
    },
  }),
];
