import type { WebDavPolicySettings } from '../../src/storage/index.js';
import { spawnServer } from './child-server.js';
import { cumulus, freePort, serveCumulus, type ServedCumulus } from './cli.js';
import { tempDir } from './databases.js';

/** A WebDAV server in a child process that a test can kill mid-request and start again at the same address. */
export interface RemoteDav {
  readonly settings: WebDavPolicySettings;
  /** SIGKILL: the server goes away with its connections. */
  kill(): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

const settingsFor = (url: string, username: string, password: string, root: string): WebDavPolicySettings => ({
  download: 'proxy',
  url,
  username,
  password,
  root,
});

/** `rclone serve webdav` over a temporary directory, with Basic credentials. */
export async function startRcloneDav(root = '/blobs'): Promise<RemoteDav> {
  const dir = tempDir();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const start = () =>
    spawnServer('rclone', ['serve', 'webdav', dir.path, '--addr', `127.0.0.1:${port}`, '--user', 'blobs', '--pass', 'rclone secret'], url, {
      method: 'OPTIONS',
    });
  let running = await start();
  return {
    settings: settingsFor(url, 'blobs', 'rclone secret', root),
    kill: () => running.stop('SIGKILL'),
    restart: async () => {
      running = await start();
    },
    close: async () => {
      await running.stop('SIGTERM');
      dir.remove();
    },
  };
}

/** A second Cumulus (`cumulus serve`, its own data directory) with a user and a WebDAV account. */
export async function startRemoteCumulus(root = '/blobs'): Promise<RemoteDav> {
  const data = tempDir();
  const email = 'blobs@example.org';
  const added = cumulus(['--data', data.path, 'user', 'add', '--email', email, '--password', 'remote password 1']);
  if (added.status !== 0) throw new Error(added.stderr);
  const created = cumulus(['--data', data.path, '--json', 'dav-account', 'create', '--user', email, '--name', 'blob store']);
  if (created.status !== 0) throw new Error(created.stderr);
  const password = created.json<{ password: string }>().password;
  const port = await freePort();
  let server: ServedCumulus = await serveCumulus(data.path, { port, env: { CUMULUS_LOG_LEVEL: 'warn' } });
  return {
    settings: settingsFor(`${server.url}/dav/`, email, password, root),
    kill: async () => {
      server.child.kill('SIGKILL');
      await server.exited;
    },
    restart: async () => {
      server = await serveCumulus(data.path, { port, env: { CUMULUS_LOG_LEVEL: 'warn' } });
    },
    close: async () => {
      await server.stop();
      data.remove();
    },
  };
}
