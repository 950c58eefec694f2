import type { Migration } from 'kysely';
import type { SqlDialectName } from '../dialect.js';
import { initial } from './20261123T0100_initial.js';
import { webdav } from './20261123T0200_webdav.js';
import { sessions } from './20261123T0300_sessions.js';
import { inlineBlobs } from './20261123T0400_inline_blobs.js';
import { uploads } from './20261123T0500_uploads.js';
import { shares } from './20261123T0600_shares.js';
import { refreshGrace } from './20261123T0700_refresh_grace.js';
import { jobs } from './20261207T0200_jobs.js';
import { sharedState } from './20261207T0400_shared_state.js';
import { lockPrincipals } from './20261207T0500_lock_principals.js';
import { policies } from './20261207T0600_policies.js';
import { transfers } from './20261207T0700_transfers.js';
import { mounts } from './20261207T0800_mounts.js';
import { propertyUsage } from './20261207T0900_property_usage.js';
import { media } from './20261207T1000_media.js';
import { history } from './20261207T1200_history.js';
import { photos } from './20261207T1300_photos.js';
import { sync } from './20261207T1400_sync.js';

/**
 * Every migration, by timestamped name. Names sort in the order they apply; a new
 * migration gets a new file and a new line here, never an edit to an applied one.
 */
export function migrationsFor(dialect: SqlDialectName): Record<string, Migration> {
  return {
    '20261123T0100_initial': initial(dialect),
    '20261123T0200_webdav': webdav(dialect),
    '20261123T0300_sessions': sessions(dialect),
    '20261123T0400_inline_blobs': inlineBlobs(dialect),
    '20261123T0500_uploads': uploads(dialect),
    '20261123T0600_shares': shares(dialect),
    '20261123T0700_refresh_grace': refreshGrace(dialect),
    '20261207T0200_jobs': jobs(dialect),
    '20261207T0400_shared_state': sharedState(dialect),
    '20261207T0500_lock_principals': lockPrincipals(dialect),
    '20261207T0600_policies': policies(dialect),
    '20261207T0700_transfers': transfers(dialect),
    '20261207T0800_mounts': mounts(dialect),
    '20261207T0900_property_usage': propertyUsage(dialect),
    '20261207T1000_media': media(dialect),
    '20261207T1200_history': history(dialect),
    '20261207T1300_photos': photos(dialect),
    '20261207T1400_sync': sync(dialect),
  };
}
