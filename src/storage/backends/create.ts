import path from 'node:path';
import { InvalidArgumentError } from '../../core/index.js';
import type { BlobBackend } from '../backend.js';
import { localPolicySettings, s3PolicySettings, webdavPolicySettings, type PolicyType } from '../policy-settings.js';
import { LocalBackend } from './local/local.backend.js';
import { S3Backend } from './s3/s3.backend.js';
import { WebDavBackend } from './webdav/webdav.backend.js';

export interface BackendContext {
  /** Relative local paths resolve against it. */
  readonly dataDir: string;
}

/**
 * The backend for a policy's type and (unsealed) settings. Throws InvalidArgumentError when
 * the settings do not fit the type.
 */
export function createBackend(type: PolicyType | string, settings: unknown, context: BackendContext): BlobBackend {
  switch (type) {
    case 'local': {
      const local = localPolicySettings.parse(settings);
      return new LocalBackend(path.resolve(context.dataDir, local.path));
    }
    case 's3':
      return new S3Backend(s3PolicySettings.parse(settings));
    case 'webdav':
      return new WebDavBackend(webdavPolicySettings.parse(settings));
    default:
      throw new InvalidArgumentError(`Storage policy type ${type} is not supported by this version`);
  }
}
