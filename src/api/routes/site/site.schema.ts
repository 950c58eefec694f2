import { z } from 'zod';
import { userSchema } from '../session/session.schema.js';

/** Contract 5.1, section `login`: false fields are left out, as Cloudreve does. */
export const loginConfig = z.object({
  login_captcha: z.boolean().optional(),
  reg_captcha: z.boolean().optional(),
  forget_captcha: z.boolean().optional(),
  authn: z.boolean().optional(),
  register_enabled: z.boolean().optional(),
});

export const explorerConfig = z.object({ max_batch_size: z.number().int() });

export const basicConfig = z.object({ title: z.string(), user: userSchema });
