import { z } from 'zod';
import { defineRoute } from '../../context.js';
import { isoTime, presentUser } from '../../present.js';
import { basicConfig, explorerConfig, loginConfig } from './site.schema.js';

/** Contract 5.1: server identity and the settings clients read before signing in. */
export const siteRoutes = [
  defineRoute({
    method: 'GET',
    url: '/site/ping',
    summary: "The server's version",
    tag: 'site',
    auth: 'none',
    response: z.string(),
    handler: async ({ deps }) => deps.version,
  }),
  defineRoute({
    method: 'GET',
    url: '/site/config/login',
    summary: 'Sign-in settings (no captcha here)',
    tag: 'site',
    auth: 'none',
    response: loginConfig,
    handler: async ({ deps }) => ((await deps.settings.switches()).registrationEnabled ? { register_enabled: true } : {}),
  }),
  defineRoute({
    method: 'GET',
    url: '/site/config/explorer',
    summary: 'File browser settings',
    tag: 'site',
    auth: 'none',
    response: explorerConfig,
    handler: async ({ options }) => ({ max_batch_size: options.maxBatchSize }),
  }),
  defineRoute({
    method: 'GET',
    url: '/site/config/:section',
    summary: 'Basic site settings and the caller (any other section name)',
    tag: 'site',
    auth: 'optional',
    response: basicConfig,
    handler: async ({ auth, deps }) => ({
      title: 'Cumulus',
      user: auth
        ? presentUser(auth.user, await deps.users.groupOf(auth.user))
        : { id: '', nickname: '', created_at: isoTime(0), anonymous: true },
    }),
  }),
];
