import { defineRoute } from '../../context.js';
import { ApiError, CODES } from '../../errors.js';
import { presentUser } from '../../present.js';
import { userSchema } from '../session/session.schema.js';
import { userSessionRoutes } from './sessions.routes.js';
import { settingRoutes } from './setting.routes.js';
import { capacityResponse, signUpBody } from './user.schema.js';

/** Contract sections 16 and 19. */
export const userRoutes = [
  defineRoute({
    method: 'POST',
    url: '/user',
    summary:
      'Sign up, when the administrator allows it: a new user in the User group, who then signs in (10 attempts an hour per client address, then 429)',
    tag: 'user',
    auth: 'none',
    // Cloudreve's IsFunctionEnabled answer while registration is off, before the body is read.
    guard: async (_auth, deps) => {
      if (!(await deps.settings.switches()).registrationEnabled) {
        throw new ApiError(CODES.featureDisabled, 'This feature is not enabled: sign-up is turned off on this server');
      }
    },
    body: signUpBody,
    response: userSchema,
    // Throttled per client address, as sign-ins are: each attempt costs a password hash, and
    // 40032 for a taken email tells that an account exists (/session/prepare hides that).
    handler: async ({ body, request, deps }) => {
      const user = await deps.users.signUp({ email: body.email, password: body.password }, request.ip);
      return presentUser(user, await deps.users.groupOf(user));
    },
  }),
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
  ...settingRoutes,
  ...userSessionRoutes,
];
