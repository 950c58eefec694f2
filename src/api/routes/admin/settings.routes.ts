import type { ServerSwitches } from '../../../services/index.js';
import { defineAdminRoute } from './admin.route.js';
import { settingsPatch, settingsSchema } from './settings.schema.js';

function present(switches: ServerSwitches) {
  return {
    webdav_enabled: switches.webdavEnabled,
    read_only: switches.readOnly,
    register_enabled: switches.registrationEnabled,
    nextcloud_enabled: switches.nextcloudEnabled,
  };
}

/**
 * Server switches. Cloudreve reads settings with POST /admin/settings {keys} and writes them
 * with PATCH {settings}; Cumulus has three switches, so reading is a plain GET and PATCH
 * takes them by name. Other nodes see a change within the settings cache (two seconds).
 */
export const adminSettingsRoutes = [
  defineAdminRoute({
    method: 'GET',
    url: '/admin/settings',
    summary: 'The server switches (administrators only)',
    response: settingsSchema,
    handler: async ({ deps }) => present(await deps.settings.switches()),
  }),
  defineAdminRoute({
    method: 'PATCH',
    url: '/admin/settings',
    summary: 'Turn server switches on or off (administrators only)',
    body: settingsPatch,
    response: settingsSchema,
    handler: async ({ body, deps }) =>
      present(
        await deps.settings.update({
          ...(body.webdav_enabled !== undefined && { webdavEnabled: body.webdav_enabled }),
          ...(body.read_only !== undefined && { readOnly: body.read_only }),
          ...(body.register_enabled !== undefined && { registrationEnabled: body.register_enabled }),
          ...(body.nextcloud_enabled !== undefined && { nextcloudEnabled: body.nextcloud_enabled }),
        }),
      ),
  }),
];
