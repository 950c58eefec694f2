import { call } from './session';
import type { Pagination } from './types';

// The admin API at Cloudreve's paths (contract 19, /admin/*) with this server's shapes
// (src/api/routes/admin/*.schema.ts): POST lists, PUT creates, PUT /:id changes.

export interface GroupPermissions {
  readonly webdav: boolean;
  readonly share: boolean;
  readonly versions: boolean;
  readonly admin: boolean;
}

export interface AdminGroup {
  readonly id: string;
  readonly name: string;
  readonly built_in: boolean;
  readonly permissions: GroupPermissions;
  /** Bytes each member may store; null for no limit. */
  readonly max_storage: number | null;
  /** Ids of the storage policies members may use, the default first. */
  readonly storage_policies: readonly string[];
  readonly created_at: string;
  readonly total_users?: number;
}

export interface AdminUser {
  readonly id: string;
  readonly email: string;
  readonly nickname: string;
  readonly status: 'active' | 'manual_banned';
  readonly created_at: string;
  readonly group: { id: string; name: string };
  /** Bytes. */
  readonly storage_used: number;
  /** The group's quota in bytes; null for no limit. */
  readonly max_storage: number | null;
}

export function listUsers(nextToken?: string, pageSize = 100): Promise<{ users: AdminUser[]; pagination: Pagination }> {
  return call('POST', '/admin/user', { json: { page_size: pageSize, ...(nextToken && { next_page_token: nextToken }) } });
}

/** Every user, page after page (the overview sums them). */
export async function allUsers(): Promise<AdminUser[]> {
  const users: AdminUser[] = [];
  let token: string | undefined;
  do {
    const page = await listUsers(token, 1000);
    users.push(...page.users);
    token = page.pagination.next_token;
  } while (token);
  return users;
}

export interface NewUser {
  readonly email: string;
  readonly password: string;
  readonly nickname?: string;
  readonly group_id?: string;
}

export function createUser(user: NewUser): Promise<AdminUser> {
  return call('PUT', '/admin/user', { json: user });
}

export interface UserChanges {
  readonly email?: string;
  readonly nickname?: string;
  readonly password?: string;
  readonly group_id?: string;
  /** manual_banned disables the account and ends its sessions. */
  readonly status?: AdminUser['status'];
}

export function updateUser(id: string, changes: UserChanges): Promise<AdminUser> {
  return call('PUT', `/admin/user/${encodeURIComponent(id)}`, { json: changes });
}

export function listGroups(): Promise<{ groups: AdminGroup[] }> {
  return call('POST', '/admin/group', { json: {} });
}

export interface GroupChanges {
  readonly name?: string;
  readonly permissions?: Partial<GroupPermissions>;
  readonly max_storage?: number | null;
  /** Ids, the default first; at least one. */
  readonly storage_policies?: readonly string[];
}

export function createGroup(group: GroupChanges & { name: string }): Promise<AdminGroup> {
  return call('PUT', '/admin/group', { json: group });
}

export function updateGroup(id: string, changes: GroupChanges): Promise<AdminGroup> {
  return call('PUT', `/admin/group/${encodeURIComponent(id)}`, { json: changes });
}

/** The server switches. */
export interface ServerSwitches {
  readonly webdav_enabled: boolean;
  readonly read_only: boolean;
  readonly register_enabled: boolean;
}

export function getSettings(): Promise<ServerSwitches> {
  return call('GET', '/admin/settings');
}

export function setSettings(changes: Partial<ServerSwitches>): Promise<ServerSwitches> {
  return call('PATCH', '/admin/settings', { json: changes });
}
