import { defineRoute } from '../../context.js';
import { presentTokens } from '../session/session.routes.js';
import { settingBody, settingResponse } from './setting.schema.js';

/** Contract 19: the caller's own settings, of which this server keeps the password. */
export const settingRoutes = [
  defineRoute({
    method: 'PATCH',
    url: '/user/setting',
    summary:
      'Change your password, given the current one (40069 when wrong, throttled like sign-in): ends your other sessions and answers a new token pair for this one',
    tag: 'user',
    auth: 'required',
    body: settingBody,
    response: settingResponse,
    handler: async ({ body, auth, request, deps }) => {
      const client = { address: request.ip, userAgent: request.headers['user-agent'] };
      const tokens = await deps.sessions.changePassword(auth!, body.current_password, body.new_password, client);
      return { token: presentTokens(tokens) };
    },
  }),
];
