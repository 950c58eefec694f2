import type { z } from 'zod';
import type { ActiveSession } from '../../../services/index.js';
import { defineRoute } from '../../context.js';
import { isoTime } from '../../present.js';
import { activeSessionSchema, activeSessionsResponse } from './sessions.schema.js';

/**
 * The caller's signed-in sessions, and signing them out one at a time or all but this one.
 * Not in the Cloudreve contract (section 19 has no session list): a Cumulus addition at
 * /user/sessions, in the contract's envelope. Another user's session id is 404, as an unknown one is.
 */
export const userSessionRoutes = [
  defineRoute({
    method: 'GET',
    url: '/user/sessions',
    summary: 'Your live sessions, most recently refreshed first, with the one asking marked current',
    tag: 'user',
    auth: 'required',
    response: activeSessionsResponse,
    handler: async ({ auth, deps }) => ({ sessions: (await deps.sessions.list(auth!)).map(presentSession) }),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/user/sessions',
    summary: 'Sign out every other session of yours (their refresh and access tokens stop working); this one stays',
    tag: 'user',
    auth: 'required',
    handler: async ({ auth, deps }) => {
      await deps.sessions.endOthers(auth!);
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/user/sessions/:id',
    summary: 'Sign out one session of yours by its id (404 "Session not found" for any other)',
    tag: 'user',
    auth: 'required',
    handler: async ({ request, auth, deps }) => {
      await deps.sessions.end(auth!, (request.params as { id: string }).id);
    },
  }),
];

function presentSession(session: ActiveSession): z.input<typeof activeSessionSchema> {
  return {
    id: session.id,
    created_at: isoTime(session.createdAt),
    last_used_at: isoTime(session.refreshedAt),
    expires_at: isoTime(session.expiresAt),
    ...(session.userAgent && { user_agent: session.userAgent }),
    ...(session.address && { address: session.address }),
    current: session.current,
  };
}
