import { defineRoute } from '../../context.js';
import { capacityResponse } from './user.schema.js';

/** Contract section 16. */
export const userRoutes = [
  defineRoute({
    method: 'GET',
    url: '/user/capacity',
    summary: "The caller's storage: total (the quota, or used plus free space without one) and used bytes",
    tag: 'user',
    auth: 'required',
    response: capacityResponse,
    handler: async ({ auth, deps }) => {
      const { used, available } = await deps.vfs.capacity(auth!.principal);
      return { total: used + available, used };
    },
  }),
];
