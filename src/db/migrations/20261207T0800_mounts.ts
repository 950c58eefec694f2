import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { SqlDialectName } from '../dialect.js';

/**
 * Shared folders ("mounts", DESIGN.md decision 3) and the groups users join beside their
 * primary one (issue 11 item 6).
 *
 * - `user_groups`: extra memberships; the primary group stays `users.group_id`.
 * - `mounts`: one per share, with the group of the same name made for it. `root_id` is the
 *   entry at the top of the mounted tree (parent_id null, like a user's root).
 * - `entries.mount_id`: set on every row of a mounted tree, its root included, so a write can
 *   tell in one look that its bytes belong to a mount and not to a blob.
 * - `entries.link_to`: a folder row in a member's root that stands for the mount's root; path
 *   resolution continues below the mount root when it meets one.
 * - `entries.disk_ino`, `entries.disk_mtime_ns`: the on-disk identity last seen by the scanner
 *   (inode; modification time in nanoseconds, as text for exactness). A file's ETag derives from
 *   inode, size and mtime; a folder whose mtime on disk differs from disk_mtime_ns is rescanned.
 */
export function mounts(dialect: SqlDialectName) {
  const id = dialect === 'postgres' ? 'bigserial' : 'integer';
  const idOptions = (c: ColumnDefinitionBuilder) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement());
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('user_groups')
        .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('group_id', 'bigint', (c) => c.notNull().references('groups.id'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('user_groups_pk', ['user_id', 'group_id'])
        .execute();
      await db.schema.createIndex('user_groups_group').on('user_groups').columns(['group_id', 'user_id']).execute();

      await db.schema
        .createTable('mounts')
        .addColumn('id', id, idOptions)
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('group_id', 'bigint', (c) => c.notNull().unique().references('groups.id'))
        /** 'dir' (a local directory) for now; 'policy' (an S3 prefix or a WebDAV tree) comes with those backends. */
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('dir', 'text')
        .addColumn('policy_id', 'bigint', (c) => c.references('storage_policies.id'))
        .addColumn('prefix', 'text')
        .addColumn('read_only', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('owner_id', 'bigint', (c) => c.notNull().references('users.id'))
        .addColumn('root_id', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema.alterTable('entries').addColumn('mount_id', 'bigint').execute();
      await db.schema.alterTable('entries').addColumn('link_to', 'bigint').execute();
      await db.schema.alterTable('entries').addColumn('disk_ino', 'text').execute();
      await db.schema.alterTable('entries').addColumn('disk_mtime_ns', 'text').execute();
      await db.schema.createIndex('entries_link_to').on('entries').column('link_to').execute();
      await db.schema.createIndex('entries_mount').on('entries').column('mount_id').execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropIndex('entries_mount').execute();
      await db.schema.dropIndex('entries_link_to').execute();
      for (const column of ['disk_mtime_ns', 'disk_ino', 'link_to', 'mount_id']) {
        await db.schema.alterTable('entries').dropColumn(column).execute();
      }
      await db.schema.dropTable('mounts').execute();
      await db.schema.dropTable('user_groups').execute();
    },
  };
}
