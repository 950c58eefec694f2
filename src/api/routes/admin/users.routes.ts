import { decodeId, encodeId } from '../../../auth/index.js';
import type { Group } from '../../../core/index.js';
import type { ApiDependencies } from '../../context.js';
import { ApiError, CODES } from '../../errors.js';
import { cursorPagination, pageTokenId } from '../../pagination.js';
import { presentAdminUser } from './admin.present.js';
import { defineAdminRoute, idParam } from './admin.route.js';
import { adminUserSchema, createUserBody, listUsersBody, listUsersResponse, updateUserBody } from './users.schema.js';

const DEFAULT_PAGE_SIZE = 50;
const userNotFound = new ApiError(CODES.notFound, 'User not found');

/** A group named by its opaque id in a request body (40039 when there is no such group). */
async function groupNamed(deps: ApiDependencies, text: string): Promise<Group> {
  const id = decodeId('group', text);
  if (id === null) throw new ApiError(CODES.groupNotFound, 'Group not found');
  return deps.groups.get(id);
}

/**
 * Users, at Cloudreve's paths (`/admin/user`: POST lists, PUT creates, GET/PUT `:id` reads
 * and changes). Deleting users is not offered: an account owns files and blobs that only a
 * tree-wide removal could free safely; disable it instead (status `manual_banned`).
 */
export const adminUserRoutes = [
  defineAdminRoute({
    method: 'POST',
    url: '/admin/user',
    summary: 'List users in id order, in pages linked by next_token (administrators only)',
    body: listUsersBody,
    response: listUsersResponse,
    handler: async ({ body, deps }) => {
      const pageSize = body?.page_size ?? DEFAULT_PAGE_SIZE;
      const afterId = pageTokenId('user', body?.next_page_token);
      const [rows, total, groups] = await Promise.all([
        deps.users.list({ afterId, limit: pageSize + 1 }),
        deps.users.count(),
        deps.groups.list(),
      ]);
      const byId = new Map(groups.map((group) => [group.id, group]));
      const page = rows.slice(0, pageSize);
      const last = page[page.length - 1];
      return {
        users: page.map((user) => presentAdminUser(user, byId.get(user.groupId)!)),
        pagination: {
          ...cursorPagination(pageSize, rows.length > pageSize && last ? encodeId('user', last.id) : null),
          total_items: total,
        },
      };
    },
  }),
  defineAdminRoute({
    method: 'GET',
    url: '/admin/user/:id',
    summary: 'One user (administrators only)',
    response: adminUserSchema,
    handler: async ({ request, deps }) => {
      const { user, group } = await deps.users.withGroup(idParam(request.params, 'user', userNotFound));
      return presentAdminUser(user, group);
    },
  }),
  defineAdminRoute({
    method: 'PUT',
    url: '/admin/user',
    summary: 'Create a user with an empty tree, in the User group unless group_id says otherwise (administrators only)',
    body: createUserBody,
    response: adminUserSchema,
    handler: async ({ body, deps }) => {
      const group = body.group_id === undefined ? undefined : await groupNamed(deps, body.group_id);
      const user = await deps.users.create({ email: body.email, password: body.password, displayName: body.nickname, group: group?.id });
      return presentAdminUser(user, group ?? (await deps.users.groupOf(user)));
    },
  }),
  defineAdminRoute({
    method: 'PUT',
    url: '/admin/user/:id',
    summary: "Change a user's email, nickname, password, group or status, all or nothing (administrators only)",
    body: updateUserBody,
    response: adminUserSchema,
    handler: async ({ request, body, auth, deps }) => {
      const id = idParam(request.params, 'user', userNotFound);
      const self = id === auth!.user.id;
      // An administrator cannot lock themself out; another administrator can.
      if (self && body.status === 'manual_banned') throw new ApiError(CODES.ownAccount, 'You cannot disable your own account');
      const group = body.group_id === undefined ? undefined : await groupNamed(deps, body.group_id);
      if (self && group && !group.permissions.admin) {
        throw new ApiError(CODES.ownGroup, `You cannot move yourself to "${group.name}", a group without the admin permission`);
      }
      // The CLI's path too: disabling or a password reset ends the user's sessions and cached
      // WebDAV credentials everywhere, in the change's transaction. Resetting your own
      // password here keeps the session you act from (its refresh token still carries the old
      // credentials' hash, so it ends at its next refresh); PATCH /user/setting keeps it going.
      const user = await deps.users.update(
        id,
        {
          email: body.email,
          displayName: body.nickname,
          password: body.password,
          group: group?.id,
          status: body.status === undefined ? undefined : body.status === 'manual_banned' ? 'disabled' : 'active',
        },
        { keepSessionId: self ? auth!.sessionId : undefined },
      );
      return presentAdminUser(user, group ?? (await deps.users.groupOf(user)));
    },
  }),
];
