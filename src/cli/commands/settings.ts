import type { Command } from 'commander';
import { ServerSettings } from '../../services/index.js';
import { output, table, withApp } from '../context.js';

export function registerSettings(program: Command): void {
  const settings = program.command('settings').description('server-wide switches: webdav.enabled, server.read_only, registration.enabled');

  settings
    .command('list')
    .description('show the switches')
    .action(async (_options: unknown, command: Command) => {
      await withApp(command, async (app, json) => {
        const switches = await app.settings.switches();
        output(json, switches, () => table(Object.entries(switches).map(([name, value]) => ({ name, value: String(value) }))));
      });
    });

  settings
    .command('set')
    .description('turn a switch on or off')
    .argument('<name>', 'webdav.enabled, server.read_only or registration.enabled')
    .argument('<value>', 'true or false')
    .action(async (name: string, value: string, _options: unknown, command: Command) => {
      await withApp(command, async (app, json) => {
        if (value !== 'true' && value !== 'false')
          throw Object.assign(new Error('The value must be true or false'), { name: 'ConfigError' });
        const switches = await app.settings.update({ [ServerSettings.fieldOf(name)]: value === 'true' });
        output(json, switches, () => `${name} = ${value}`);
      });
    });
}
