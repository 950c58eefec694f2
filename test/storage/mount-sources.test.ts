// The remote mount sources (issue 11 item 6) against real stores: an S3 prefix on s3rver, and a
// WebDAV tree on `rclone serve webdav`, both in child processes a test can kill.
import { Readable } from 'node:stream';
import { S3Backend, S3PrefixSource, WebDavBackend, WebDavTreeSource } from '../../src/storage/index.js';
import { mountSourceContract } from '../contract/mount-source.contract.js';
import { startS3Server } from '../support/s3-server.js';
import { startRcloneDav } from '../support/webdav-remotes.js';

mountSourceContract('S3 prefix (s3rver)', async () => {
  const server = await startS3Server();
  const source = new S3PrefixSource(server.settings('policy-prefix/'), 'shared/photos');
  // The bucket seen from outside: a plain backend on the mount's own prefix.
  const outside = new S3Backend(server.settings('policy-prefix/shared/photos/'));
  return {
    source,
    putOutside: async (names, text) => {
      await outside.put(names.join('/'), Readable.from([Buffer.from(text)]));
    },
    outage: { stop: () => server.kill(), restart: () => server.restart() },
    close: async () => {
      source.close();
      outside.close();
      await server.close();
    },
  };
});

mountSourceContract('WebDAV tree (rclone serve webdav)', async () => {
  const server = await startRcloneDav('/');
  const source = new WebDavTreeSource(server.settings, '');
  const outside = new WebDavBackend(server.settings);
  return {
    source,
    putOutside: async (names, text) => {
      await outside.put(names.join('/'), Readable.from([Buffer.from(text)]));
    },
    outage: { stop: () => server.kill(), restart: () => server.restart() },
    close: async () => {
      await source.close();
      await outside.close();
      await server.close();
    },
  };
});
