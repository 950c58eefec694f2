import { z } from 'zod';

/** Contract section 16, in bytes. */
export const capacityResponse = z.object({ total: z.number().int().nonnegative(), used: z.number().int().nonnegative() });

/**
 * Contract section 19, POST /user (Cloudreve's UserRegisterService). `invite_code`,
 * `language`, `captcha` and `ticket` are accepted and ignored: this server has no
 * invitations, languages or captchas. The password rules are the server's (8 characters or more).
 */
export const signUpBody = z.object({
  email: z
    .string()
    .min(1)
    .max(254)
    .regex(/^[^\s@]+@[^\s@]+$/, 'Email format error'),
  password: z.string().min(1).max(128),
  invite_code: z.string().optional(),
  language: z.string().optional(),
  captcha: z.string().optional(),
  ticket: z.string().optional(),
});
