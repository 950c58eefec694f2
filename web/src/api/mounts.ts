import { call } from './session';

// Shared folders (src/api/routes/admin/mounts.schema.ts) and a user's joined groups
// (memberships.schema.ts): each shared folder has a group of the same name, and its members
// are the users who joined that group.

export interface AdminMount {
  /** Members find it at /NAME; its group has the same name. */
  readonly name: string;
  readonly group_id: string;
  readonly dir: string | null;
  /** The S3 or WebDAV storage policy whose store holds it (instead of dir). */
  readonly policy?: string | null;
  readonly prefix?: string | null;
  readonly read_only: boolean;
  readonly members: number;
  readonly created_at: string;
}

export interface UserGroup {
  readonly id: string;
  readonly name: string;
  /** The group that decides the user's rights and quota; the others were joined. */
  readonly primary: boolean;
}

export async function listMounts(): Promise<AdminMount[]> {
  return (await call<{ mounts: AdminMount[] }>('GET', '/admin/mount')).mounts;
}

export interface MountMember {
  readonly id: string;
  readonly email: string;
  readonly nickname: string;
  readonly primary: boolean;
}

export async function mountMembers(name: string): Promise<MountMember[]> {
  return (await call<{ members: MountMember[] }>('GET', `/admin/mount/${encodeURIComponent(name)}/member`)).members;
}

export function addMount(mount: { name: string; dir?: string; policy?: string; prefix?: string; read_only: boolean }): Promise<AdminMount> {
  return call('PUT', '/admin/mount', { json: mount });
}

export function setMountReadOnly(name: string, readOnly: boolean): Promise<AdminMount> {
  return call('PATCH', `/admin/mount/${encodeURIComponent(name)}`, { json: { read_only: readOnly } });
}

export function removeMount(name: string): Promise<void> {
  return call('DELETE', `/admin/mount/${encodeURIComponent(name)}`);
}

export async function groupsOfUser(userId: string): Promise<UserGroup[]> {
  return (await call<{ groups: UserGroup[] }>('GET', `/admin/user/${encodeURIComponent(userId)}/group`)).groups;
}

export async function joinGroup(userId: string, groupId: string): Promise<UserGroup[]> {
  return (await call<{ groups: UserGroup[] }>('PUT', `/admin/user/${encodeURIComponent(userId)}/group`, { json: { group_id: groupId } }))
    .groups;
}

export async function leaveGroup(userId: string, groupId: string): Promise<UserGroup[]> {
  const path = `/admin/user/${encodeURIComponent(userId)}/group/${encodeURIComponent(groupId)}`;
  return (await call<{ groups: UserGroup[] }>('DELETE', path)).groups;
}
