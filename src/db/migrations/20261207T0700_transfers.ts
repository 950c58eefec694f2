import type { Kysely } from 'kysely';
import type { SqlDialectName } from '../dialect.js';

/**
 * Downloads per policy and direct uploads (issue 11, items 4 and 5).
 *
 * - `dav_accounts.redirect_downloads`: the account's GETs of files on a redirect policy answer
 *   302 to a presigned URL (many WebDAV clients do not follow redirects, so it is opt-in).
 * - `upload_sessions.direct_*`: a session whose client uploads straight to the store (contract
 *   15.5): the store's multipart upload id, the pending blob the object becomes, and the secret
 *   of the callback that completes it.
 */
export function transfers(_dialect: SqlDialectName) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .alterTable('dav_accounts')
        .addColumn('redirect_downloads', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.alterTable('upload_sessions').addColumn('direct_upload_id', 'text').execute();
      await db.schema.alterTable('upload_sessions').addColumn('direct_blob_id', 'text').execute();
      await db.schema.alterTable('upload_sessions').addColumn('direct_policy_id', 'integer').execute();
      await db.schema.alterTable('upload_sessions').addColumn('callback_secret', 'text').execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      for (const column of ['callback_secret', 'direct_policy_id', 'direct_blob_id', 'direct_upload_id']) {
        await db.schema.alterTable('upload_sessions').dropColumn(column).execute();
      }
      await db.schema.alterTable('dav_accounts').dropColumn('redirect_downloads').execute();
    },
  };
}
