import type { GroupChanges } from '../../../services/index.js';
import type { ApiDependencies } from '../../context.js';
import { ApiError, CODES } from '../../errors.js';
import { presentGroup } from './admin.present.js';
import { defineAdminRoute, idParam } from './admin.route.js';
import { createGroupBody, groupSchema, listGroupsBody, listGroupsResponse, updateGroupBody } from './groups.schema.js';

const groupNotFound = new ApiError(CODES.groupNotFound, 'Group not found');

async function changesOf(
  body: { name?: string; permissions?: GroupChanges['permissions']; max_storage?: number | null; storage_policies?: string[] },
  deps: ApiDependencies,
): Promise<GroupChanges> {
  // Unknown policy ids are refused (404) before anything changes.
  const storagePolicyIds = body.storage_policies && [...new Set(await deps.policies.resolve(body.storage_policies.map(Number)))];
  return { name: body.name, permissions: body.permissions, maxStorage: body.max_storage, storagePolicyIds };
}

/**
 * Groups, at Cloudreve's paths (`/admin/group`: POST lists, PUT creates, GET/PUT/DELETE
 * `:id`). Built-in groups keep their names and are never deleted, and Admin keeps the admin
 * permission (40040); a group with members is not deleted (40041). `storage_policies` lists the
 * storage policies members may use, the default first.
 */
export const adminGroupRoutes = [
  defineAdminRoute({
    method: 'POST',
    url: '/admin/group',
    summary: 'List every group (administrators only)',
    body: listGroupsBody,
    response: listGroupsResponse,
    handler: async ({ deps }) => ({ groups: (await deps.groups.list()).map((group) => presentGroup(group)) }),
  }),
  defineAdminRoute({
    method: 'GET',
    url: '/admin/group/:id',
    summary: 'One group and how many users belong to it (administrators only)',
    response: groupSchema,
    handler: async ({ request, deps }) => {
      const group = await deps.groups.get(idParam(request.params, 'group', groupNotFound));
      return presentGroup(group, await deps.groups.memberCount(group.id));
    },
  }),
  defineAdminRoute({
    method: 'PUT',
    url: '/admin/group',
    summary: 'Create a group (administrators only)',
    body: createGroupBody,
    response: groupSchema,
    handler: async ({ body, deps }) => presentGroup(await deps.groups.create({ ...(await changesOf(body, deps)), name: body.name }), 0),
  }),
  defineAdminRoute({
    method: 'PUT',
    url: '/admin/group/:id',
    summary: "Change a group's name, permissions or quota (administrators only)",
    body: updateGroupBody,
    response: groupSchema,
    handler: async ({ request, body, auth, deps }) => {
      const id = idParam(request.params, 'group', groupNotFound);
      // Taking the admin permission from your own group would lock you out.
      if (body.permissions?.admin === false && id === (await deps.users.withGroup(auth!.user.id)).user.groupId) {
        throw new ApiError(CODES.ownAccount, 'You cannot take the admin permission away from your own group');
      }
      const group = await deps.groups.update(id, await changesOf(body, deps));
      return presentGroup(group, await deps.groups.memberCount(group.id));
    },
  }),
  defineAdminRoute({
    method: 'DELETE',
    url: '/admin/group/:id',
    summary: 'Delete a group no user belongs to (administrators only)',
    handler: async ({ request, deps }) => {
      await deps.groups.delete(idParam(request.params, 'group', groupNotFound));
    },
  }),
];
