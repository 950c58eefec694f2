import { adminGroupRoutes } from './groups.routes.js';
import { adminJobRoutes } from './jobs.routes.js';
import { adminPolicyRoutes } from './policies.routes.js';
import { adminMembershipRoutes } from './memberships.routes.js';
import { adminMountRoutes } from './mounts.routes.js';
import { adminSettingsRoutes } from './settings.routes.js';
import { adminUserRoutes } from './users.routes.js';

/** Contract section 19: administration under /admin, for members of a group with the admin permission. */
export const adminRoutes = [
  ...adminUserRoutes,
  ...adminGroupRoutes,
  ...adminSettingsRoutes,
  ...adminJobRoutes,
  ...adminPolicyRoutes,
  ...adminMembershipRoutes,
  ...adminMountRoutes,
];
