import { z } from 'zod';
import { MAX_PASSWORD_LENGTH } from '../../../services/index.js';

const email = z
  .string()
  .min(1)
  .max(254)
  .regex(/^[^\s@]+@[^\s@]+$/, 'Email format error');

export const prepareQuery = z.object({ email });

export const prepareResponse = z.object({ webauthn_enabled: z.boolean(), password_enabled: z.boolean() });

/** Contract 5.3. `ticket` and `captcha` are accepted and ignored: this server asks for no captcha. */
export const loginBody = z.object({
  email,
  password: z.string().min(4).max(MAX_PASSWORD_LENGTH),
  ticket: z.string().optional(),
  captcha: z.string().optional(),
});

export const tokenSchema = z.object({
  access_token: z.string(),
  refresh_token: z.string(),
  access_expires: z.string().describe('RFC 3339'),
  refresh_expires: z.string().describe('RFC 3339'),
});

export const userSchema = z.object({
  id: z.string(),
  email: z.string().optional(),
  nickname: z.string(),
  status: z.enum(['active', 'inactive', 'manual_banned', 'sys_banned']).optional(),
  created_at: z.string(),
  anonymous: z.boolean().optional(),
  group: z.object({ id: z.string(), name: z.string() }).optional(),
});

export const loginResponse = z.object({ user: userSchema, token: tokenSchema });

export const refreshBody = z.object({ refresh_token: z.string().min(1) });
