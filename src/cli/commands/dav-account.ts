import type { Command } from 'commander';
import type { DavAccount } from '../../services/index.js';
import { output, table, withApp } from '../context.js';

function accountRow(account: DavAccount) {
  return {
    id: account.id,
    name: account.name,
    root: account.root ?? '(deleted)',
    access: account.readOnly ? 'read-only' : 'read-write',
    downloads: account.redirectDownloads ? 'redirect' : 'proxy',
    expires: account.expiresAt ? new Date(account.expiresAt).toISOString() : 'never',
    'last used': account.lastUsedAt ? new Date(account.lastUsedAt).toISOString() : 'never',
  };
}

/** "2027-01-31", "2027-01-31T12:00:00Z" or "30d" -> epoch ms. */
function parseExpiry(text: string): number {
  const relative = /^(\d+)([dhm])$/.exec(text.trim());
  if (relative) return Date.now() + Number(relative[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[relative[2] as 'd' | 'h' | 'm'];
  const ms = Date.parse(text);
  if (Number.isNaN(ms))
    throw Object.assign(new Error(`"${text}" is not a date (examples: 2027-01-31, 2027-01-31T12:00:00Z, 30d)`), { name: 'ConfigError' });
  return ms;
}

const REDIRECT_HELP =
  'GETs of files on a storage policy with redirect downloads answer 302 to the store (only for clients that follow redirects)';

interface CreateOptions {
  user: string;
  name: string;
  root: string;
  readOnly?: boolean;
  expires?: string;
  redirectDownloads?: boolean;
}

export function registerDavAccount(program: Command): void {
  const dav = program.command('dav-account').description('manage per-device WebDAV accounts');

  dav
    .command('create')
    .description('create a WebDAV account; prints its generated password once')
    .requiredOption('--user <email>', 'the user who owns it')
    .requiredOption('--name <name>', 'a name for the device, e.g. "laptop"')
    .option('--root <path>', "folder of the user's tree the account is jailed to (created if missing)", '/')
    .option('--read-only', 'the account may read but not change anything')
    .option('--expires <date>', 'when the account stops working: 2027-01-31, ISO time, or 30d')
    .option('--redirect-downloads', REDIRECT_HELP)
    .action(async (options: CreateOptions, command: Command) => {
      await withApp(command, async (app, json) => {
        const user = await app.users.get(options.user);
        const { account, password } = await app.davAccounts.create({
          userId: user.id,
          name: options.name,
          root: options.root,
          readOnly: options.readOnly ?? false,
          redirectDownloads: options.redirectDownloads ?? false,
          expiresAt: options.expires ? parseExpiry(options.expires) : null,
        });
        output(json, { account, password }, () =>
          [
            `Created WebDAV account #${account.id} "${account.name}" for ${user.email}, rooted at ${account.root}${account.readOnly ? ', read-only' : ''}`,
            `Username: ${user.email}`,
            `Password (shown once): ${password}`,
          ].join('\n'),
        );
      });
    });

  dav
    .command('list')
    .description("list a user's WebDAV accounts")
    .requiredOption('--user <email>', 'the user')
    .action(async (options: { user: string }, command: Command) => {
      await withApp(command, async (app, json) => {
        const user = await app.users.get(options.user);
        const accounts = await app.davAccounts.list(user.id);
        output(json, accounts, () => table(accounts.map(accountRow)));
      });
    });

  dav
    .command('set')
    .description("change a WebDAV account's options")
    .argument('<id>', 'account id (see list)')
    .option('--redirect-downloads', REDIRECT_HELP)
    .option('--no-redirect-downloads', 'stream every download through this server (the default)')
    .action(async (id: string, options: { redirectDownloads?: boolean }, command: Command) => {
      await withApp(command, async (app, json) => {
        const account = await app.davAccounts.update(Number(id), undefined, { redirectDownloads: options.redirectDownloads });
        output(json, account, () => table([accountRow(account)]));
      });
    });

  dav
    .command('revoke')
    .description('delete a WebDAV account; its password stops working at once')
    .argument('<id>', 'account id (see list)')
    .action(async (id: string, _options: unknown, command: Command) => {
      await withApp(command, async (app, json) => {
        await app.davAccounts.revoke(Number(id));
        output(json, { revoked: Number(id) }, () => `Revoked WebDAV account #${id}`);
      });
    });
}
