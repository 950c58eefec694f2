import { z } from 'zod';

/** The server-wide switches (`cumulus settings`), by the names Cloudreve clients know where there is one. */
export const settingsSchema = z.object({
  webdav_enabled: z.boolean().describe('WebDAV answers at all (webdav.enabled)'),
  read_only: z.boolean().describe('Every write through any protocol is refused (server.read_only)'),
  register_enabled: z.boolean().describe('Anyone may sign up with POST /user (registration.enabled)'),
  nextcloud_enabled: z.boolean().describe("Nextcloud's desktop and phone clients get their surface (nextcloud.enabled)"),
});

/** Switches left out stay as they are; unknown names are refused rather than ignored. */
export const settingsPatch = settingsSchema.partial().strict();
