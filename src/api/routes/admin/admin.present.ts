import { encodeId } from '../../../auth/index.js';
import type { Group, User } from '../../../core/index.js';
import { isoTime, presentUser } from '../../present.js';

/** A user as administrators see it: the contract's user object (5.3) plus storage and dates. */
export function presentAdminUser(user: User, group: Group) {
  return {
    ...presentUser(user, group),
    updated_at: isoTime(user.updatedAt),
    storage_used: user.storageUsed,
    // Cumulus quotas belong to groups: this is the group's.
    max_storage: group.maxStorage,
  };
}

export function presentGroup(group: Group, totalUsers?: number) {
  return {
    id: encodeId('group', group.id),
    name: group.name,
    built_in: group.builtIn,
    permissions: { ...group.permissions },
    max_storage: group.maxStorage,
    storage_policies: group.storagePolicyIds.map(String),
    created_at: isoTime(group.createdAt),
    ...(totalUsers !== undefined && { total_users: totalUsers }),
  };
}
