import { sql } from 'kysely';
import type { Entry, EntryKind } from '../../core/index.js';
import type { Tx } from '../database.js';
import { toEntry, type EntryRow } from './entry-row.js';
import { MAX_TREE_DEPTH } from './entry-walks.js';

/** A name search below a folder (Cloudreve V4 contract 4.1, search conditions). */
export interface NameSearch {
  readonly folderId: number;
  /** Substrings the name must contain: every one, or any one with `anyName`. */
  readonly names: readonly string[];
  readonly anyName: boolean;
  /** Case-insensitive matching (PostgreSQL folds all of Unicode, SQLite only ASCII). */
  readonly caseFolding: boolean;
  readonly kind?: EntryKind;
  /** Lower-case extensions with their dot (no LIKE wildcards): the name must end with one of them. */
  readonly extensions?: readonly string[];
  readonly size?: Bounds;
  readonly ctime?: Bounds;
  readonly mtime?: Bounds;
  /** Conditions on the indexed media metadata of the content (issue 12): only indexed files match. */
  readonly media?: MediaConditions;
  /** Folders first, then by id: the position after the previous page's last match. */
  readonly after?: { readonly rank: number; readonly id: number };
  readonly limit: number;
}

/** What the media indexer learnt must match (`media` table). */
export interface MediaConditions {
  readonly kind?: 'image' | 'video' | 'pdf';
  /** Epoch milliseconds. */
  readonly takenAt?: Bounds;
  /** A substring of the camera's make or model, any case. */
  readonly camera?: string;
}

/** Inclusive bounds; either may be absent. */
export interface Bounds {
  readonly min?: number;
  readonly max?: number;
}

/**
 * One page of the entries below a folder (at any depth) that match a search, folders first
 * and then by id, each with its names below the folder. One recursive query; the columns
 * travel inside the recursion, as in summarise(). Bounded like every walk (entry-walks.ts).
 */
export async function searchEntries(
  tx: Tx,
  query: NameSearch,
  dialect: 'sqlite' | 'postgres',
): Promise<Array<{ entry: Entry; names: string[] }>> {
  const contains = (name: string) =>
    query.caseFolding
      ? dialect === 'postgres'
        ? sql<boolean>`strpos(lower(sub.name), lower(${name})) > 0`
        : sql<boolean>`instr(lower(sub.name), lower(${name})) > 0`
      : dialect === 'postgres'
        ? sql<boolean>`strpos(sub.name, ${name}) > 0`
        : sql<boolean>`instr(sub.name, ${name}) > 0`;
  const rank = sql<number>`(case when sub.kind = 'folder' then 0 else 1 end)`;
  const conditions = [sql<boolean>`sub.depth > 0`];
  if (query.names.length > 0) {
    conditions.push(sql<boolean>`(${sql.join(query.names.map(contains), query.anyName ? sql` or ` : sql` and `)})`);
  }
  if (query.kind) conditions.push(sql<boolean>`sub.kind = ${query.kind}`);
  if (query.extensions) {
    const endings = query.extensions.map((extension) => sql<boolean>`lower(sub.name) like ${`%${extension}`}`);
    conditions.push(endings.length > 0 ? sql<boolean>`(${sql.join(endings, sql` or `)})` : sql<boolean>`1 = 0`);
  }
  for (const [column, bounds] of [
    ['size', query.size],
    ['ctime', query.ctime],
    ['mtime', query.mtime],
  ] as const) {
    if (bounds?.min !== undefined) conditions.push(sql<boolean>`${sql.ref(`sub.${column}`)} >= ${bounds.min}`);
    if (bounds?.max !== undefined) conditions.push(sql<boolean>`${sql.ref(`sub.${column}`)} <= ${bounds.max}`);
  }
  if (query.media) conditions.push(mediaCondition(query.media, dialect));
  if (query.after) {
    conditions.push(sql<boolean>`(${rank} > ${query.after.rank} or (${rank} = ${query.after.rank} and sub.id > ${query.after.id}))`);
  }
  const result = await sql<EntryRow & { path: string }>`
      with recursive sub(id, parent_id, owner_id, name, kind, size, blob_id, mtime, ctime, etag, path, depth) as (
        select id, parent_id, owner_id, name, kind, size, blob_id, mtime, ctime, etag, cast('' as text), 0
        from entries where id = ${query.folderId}
        union all
        select e.id, e.parent_id, e.owner_id, e.name, e.kind, e.size, e.blob_id, e.mtime, e.ctime, e.etag,
          cast(sub.path || '/' || e.name as text), sub.depth + 1
        from entries e join sub on e.parent_id = sub.id
        -- A walk that comes back to where it started went round a parent cycle: stop there.
        where sub.depth < ${MAX_TREE_DEPTH} and e.id <> ${query.folderId}
      )
      select sub.*, b.sha256, b.sha1 from sub left join blobs b on b.id = sub.blob_id
      where ${sql.join(conditions, sql` and `)}
      order by ${rank}, sub.id
      limit ${query.limit}`.execute(tx);
  return result.rows.map((row) => ({ entry: toEntry(row), names: row.path.split('/').slice(1) }));
}

/** An exists() over the content's media row; the camera substring is matched as `contains` matches names. */
function mediaCondition(media: MediaConditions, dialect: 'sqlite' | 'postgres') {
  const parts = [sql<boolean>`m.blob_id = sub.blob_id`];
  if (media.kind) parts.push(sql<boolean>`m.kind = ${media.kind}`);
  if (media.takenAt?.min !== undefined) parts.push(sql<boolean>`m.taken_at >= ${media.takenAt.min}`);
  if (media.takenAt?.max !== undefined) parts.push(sql<boolean>`m.taken_at <= ${media.takenAt.max}`);
  if (media.camera !== undefined) {
    const camera = sql`lower(coalesce(m.camera_make, '') || ' ' || coalesce(m.camera_model, ''))`;
    parts.push(
      dialect === 'postgres'
        ? sql<boolean>`strpos(${camera}, lower(${media.camera})) > 0`
        : sql<boolean>`instr(${camera}, lower(${media.camera})) > 0`,
    );
  }
  return sql<boolean>`exists (select 1 from media m where ${sql.join(parts, sql` and `)})`;
}
