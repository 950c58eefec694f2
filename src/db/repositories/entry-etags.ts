import { sql } from 'kysely';
import type { Tx } from '../database.js';
import type { SqlDialectName } from '../dialect.js';
import { MAX_TREE_DEPTH } from './entry-walks.js';

/**
 * Gives `folderIds` and every folder above them one new ETag, in the caller's transaction:
 * sync clients (Nextcloud's) poll the root's ETag and descend only into folders whose ETag
 * changed, so a change anywhere must show on every ancestor. Up through parents and through
 * members' links to a shared folder (`link_to`), bounded like every walk. A fixed number of
 * statements whatever the depth. On PostgreSQL the rows are locked in id order first, so two
 * transactions bumping overlapping chains never wait on each other in opposite orders; callers
 * bump last in their transaction, after every other row lock they take. NO KEY UPDATE, as the
 * update itself takes: an insert under a folder holds KEY SHARE on it (the foreign key), which
 * FOR UPDATE would wait for, deadlocking two writers into one folder.
 */
export async function touchAncestorRows(tx: Tx, folderIds: readonly number[], etag: string, dialect: SqlDialectName): Promise<void> {
  const starts = [...new Set(folderIds)];
  if (starts.length === 0) return;
  const chain = sql`
    with recursive up(id, depth) as (
      select id, 0 from entries where id in (${sql.join(starts)})
      union
      select p.id, up.depth + 1
      from up
      join entries c on c.id = up.id
      join entries p on p.id = c.parent_id or p.link_to = c.id
      where up.depth < ${MAX_TREE_DEPTH}
    )
    select distinct id from up`;
  if (dialect === 'postgres') {
    await sql`select id from entries where id in (${chain}) order by id for no key update`.execute(tx);
  }
  await sql`update entries set etag = ${etag} where id in (${chain})`.execute(tx);
}
