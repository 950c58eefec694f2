import { WebDavBackend } from '../../src/storage/index.js';
import { blobBackendContract } from '../contract/blob-backend.contract.js';
import { startRcloneDav, startRemoteCumulus, type RemoteDav } from '../support/webdav-remotes.js';

// The 1 GiB body proves that the WebDAV backend streams in flat memory, whichever server
// answers: once, against rclone, is enough (the second Cumulus took another 11 s in CI).
for (const [name, start, skipHugeBody] of [
  ['webdav (rclone serve webdav)', startRcloneDav, undefined],
  ['webdav (a second Cumulus)', startRemoteCumulus, 'the same backend streams 1 GiB against rclone above'],
] as Array<[string, () => Promise<RemoteDav>, string | undefined]>) {
  blobBackendContract(
    name,
    async () => {
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
    },
    skipHugeBody === undefined ? {} : { skipHugeBody },
  );
}
