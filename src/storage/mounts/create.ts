import { InvalidArgumentError } from '../../core/index.js';
import { s3PolicySettings, webdavPolicySettings } from '../policy-settings.js';
import type { MountSource } from './mount-source.js';
import { S3PrefixSource } from './s3-prefix.js';
import { WebDavTreeSource } from './webdav-tree.js';

/**
 * The source of a mount grafted from a storage policy: the policy's store (its settings, secrets
 * opened) with the mount's prefix below the policy's own prefix or root.
 */
export function createPolicySource(type: string, settings: unknown, prefix: string): MountSource {
  switch (type) {
    case 's3':
      return new S3PrefixSource(s3PolicySettings.parse(settings), prefix);
    case 'webdav':
      return new WebDavTreeSource(webdavPolicySettings.parse(settings), prefix);
    default:
      throw new InvalidArgumentError(`A shared folder comes from an S3 or WebDAV storage policy, not a ${type} one (use --dir)`);
  }
}
