import { encodeId } from '../../../auth/index.js';
import type { MountView } from '../../../services/index.js';
import { defineAdminRoute } from './admin.route.js';
import { adminMountSchema, createMountBody, listMountsResponse, mountMembersResponse, updateMountBody } from './mounts.schema.js';

function present(mount: MountView & { policyName?: string | null }) {
  return {
    name: mount.name,
    group_id: encodeId('group', mount.groupId),
    dir: mount.dir,
    policy: mount.policyName ?? null,
    prefix: mount.prefix,
    read_only: mount.readOnly,
    members: mount.members,
    created_at: new Date(mount.createdAt).toISOString(),
  };
}

const nameOf = (params: unknown) => (params as { name?: string }).name ?? '';

/**
 * Shared folders (issue 11 item 6), the CLI's `cumulus mount` for the admin UI: each comes with
 * its group of the same name; members join through /admin/user/:id/group.
 */
export const adminMountRoutes = [
  defineAdminRoute({
    method: 'GET',
    url: '/admin/mount',
    summary: 'Every shared folder with its member count (administrators only)',
    response: listMountsResponse,
    handler: async ({ deps }) => ({ mounts: (await deps.mounts.list()).map(present) }),
  }),
  defineAdminRoute({
    method: 'PUT',
    url: '/admin/mount',
    summary:
      'Graft a local directory, an S3 prefix or a remote WebDAV tree at /NAME for the members of the new group NAME (administrators only)',
    body: createMountBody,
    response: adminMountSchema,
    handler: async ({ body, deps }) =>
      present(
        await deps.mounts.add({ name: body.name, dir: body.dir, policy: body.policy, prefix: body.prefix, readOnly: body.read_only }),
      ),
  }),
  defineAdminRoute({
    method: 'GET',
    url: '/admin/mount/:name/member',
    summary: 'The members of a shared folder (its group, primary or joined), by email (administrators only)',
    response: mountMembersResponse,
    handler: async ({ request, deps }) => ({
      members: (await deps.mounts.members(nameOf(request.params))).map((member) => ({
        id: encodeId('user', member.id),
        email: member.email,
        nickname: member.displayName,
        primary: member.primary,
      })),
    }),
  }),
  defineAdminRoute({
    method: 'PATCH',
    url: '/admin/mount/:name',
    summary: 'Make a shared folder read-only or read-write (administrators only)',
    body: updateMountBody,
    response: adminMountSchema,
    handler: async ({ request, body, deps }) => present(await deps.mounts.setReadOnly(nameOf(request.params), body.read_only)),
  }),
  defineAdminRoute({
    method: 'DELETE',
    url: '/admin/mount/:name',
    summary: "Take a shared folder out of its members' trees and remove its group; the directory stays (administrators only)",
    handler: async ({ request, deps }) => {
      await deps.mounts.remove(nameOf(request.params));
    },
  }),
];
