import { z } from 'zod';
import { tokenSchema } from '../session/session.schema.js';

/** Cloudreve's other PatchUserSetting fields, which this server does not keep: named in the refusal. */
const NOT_KEPT = 'this server changes only the password here (current_password and new_password)';

/**
 * Contract 19, PATCH /user/setting with Cloudreve's field names (its PatchUserSetting). Both
 * passwords at once; the new one needs 8 characters or more (the server's rule, checked by
 * the user service), 128 at most as at sign-in. Other settings of Cloudreve's (nick,
 * language, theme, 2FA...) are refused by name rather than ignored.
 */
export const settingBody = z.strictObject(
  {
    current_password: z.string().min(1).max(128),
    new_password: z.string().min(1).max(128),
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? `${issue.keys.join(', ')}: ${NOT_KEPT}` : undefined) },
);

/**
 * Cloudreve answers no data. Changing the password ends every other session at once, and
 * moves the caller's own to a new token pair (its refresh token carries a digest of the
 * credentials, so the old one stops refreshing): the pair to use from now on.
 */
export const settingResponse = z.object({
  token: tokenSchema.describe("The caller's session's new token pair; its previous refresh token no longer works"),
});
