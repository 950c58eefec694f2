import { z } from 'zod';
import type { TokenPair } from '../../../services/index.js';
import { defineRoute } from '../../context.js';
import { isoTime, presentUser } from '../../present.js';
import { loginBody, loginResponse, prepareQuery, prepareResponse, refreshBody, tokenSchema } from './session.schema.js';

/** Contract section 5: signing in, refreshing and signing out. */
export const sessionRoutes = [
  defineRoute({
    method: 'GET',
    url: '/session/prepare',
    summary: 'Which sign-in methods an account has',
    tag: 'session',
    auth: 'none',
    query: prepareQuery,
    response: prepareResponse,
    // The same answer for every address, so this cannot tell which accounts exist (a
    // deliberate difference from Cloudreve's 404 "User not found"; the login says it all).
    handler: async () => ({ webauthn_enabled: false, password_enabled: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/session/token',
    summary: 'Sign in with email and password',
    tag: 'session',
    auth: 'none',
    body: loginBody,
    response: loginResponse,
    handler: async ({ body, request, deps }) => {
      const { user, tokens } = await deps.sessions.login(body.email, body.password, {
        address: request.ip,
        userAgent: request.headers['user-agent'],
      });
      return { user: presentUser(user, await deps.users.groupOf(user)), token: presentTokens(tokens) };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/session/token/refresh',
    summary: 'Exchange the refresh token for a new token pair (the old refresh token stops working)',
    tag: 'session',
    auth: 'none',
    body: refreshBody,
    response: tokenSchema,
    handler: async ({ body, deps }) => presentTokens(await deps.sessions.refresh(body.refresh_token)),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/session/token',
    summary: 'Sign out: end the session of this refresh token and its access tokens',
    tag: 'session',
    auth: 'none',
    body: refreshBody,
    response: z.literal(''),
    handler: async ({ body, deps }) => {
      await deps.sessions.signOut(body.refresh_token);
      return '' as const;
    },
  }),
];

export function presentTokens(tokens: TokenPair): z.input<typeof tokenSchema> {
  return {
    access_token: tokens.accessToken,
    refresh_token: tokens.refreshToken,
    access_expires: isoTime(tokens.accessExpires),
    refresh_expires: isoTime(tokens.refreshExpires),
  };
}
