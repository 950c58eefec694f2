import { WebDavBackend } from '../../src/storage/index.js';
import { blobBackendContract } from '../contract/blob-backend.contract.js';
import { startRcloneDav, startRemoteCumulus, type RemoteDav } from '../support/webdav-remotes.js';

for (const [name, start] of [
  ['webdav (rclone serve webdav)', startRcloneDav],
  ['webdav (a second Cumulus)', startRemoteCumulus],
] as Array<[string, () => Promise<RemoteDav>]>) {
  blobBackendContract(name, async () => {
    const remote = await start();
    const backend = new WebDavBackend(remote.settings);
    return {
      backend,
      close: async () => {
        await backend.close();
        await remote.close();
      },
      outage: { stop: () => remote.kill(), restart: () => remote.restart() },
    };
  });
}
