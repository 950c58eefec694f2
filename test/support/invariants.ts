import { expect } from 'vitest';
import { Database } from '../../src/db/index.js';

/**
 * The invariants every stored tree keeps whatever ran against it, concurrently or not. Race
 * suites call `expectInvariants(url)` after each round; `treeViolations` gives the list for a
 * readable failure. Everything is read in a few plain queries and checked in memory, so the
 * checker works on a damaged tree (cycles, orphans) where a recursive query might not.
 *
 * The accounting it checks (DESIGN.md decision 2):
 * - the entries form a forest: one root per user (parent_id null, the user's root_id), every
 *   other entry reachable from a root by parent links, no cycle, children owned like their parent;
 * - folders have no blob and size 0; a file points at a ready blob of its size (inline or not);
 * - a ready blob's ref_count is the number of entries pointing at it; a pending blob (a write
 *   in progress) is pointed at by no entry, so nothing partial is visible;
 * - a user's storage_used is the sum of the sizes of the files they own, each file counted
 *   once even when it shares its blob with others (COPY charges the bytes again), plus the
 *   UTF-8 bytes (namespace, name and value) of the dead properties on entries they own;
 * - WebDAV accounts are rooted at reachable folders of their user; locks, dead properties and
 *   shares name existing entries.
 * Mounted trees (issue 11) are roots of their own (a mount's top row), their files keep their
 * bytes on the mount's disk (no blob), and they are charged to no one, properties included.
 */
export interface InvariantOptions {
  /** Also require no pending blob at all (after every write has finished). */
  readonly quiescent?: boolean;
}

export async function treeViolations(target: string | Database, options: InvariantOptions = {}): Promise<string[]> {
  const database = typeof target === 'string' ? Database.open({ url: target, poolSize: 2 }) : target;
  try {
    return await collect(database, options);
  } finally {
    if (typeof target === 'string') await database.close();
  }
}

/** Fails the test with every violated invariant listed. */
export async function expectInvariants(target: string | Database, options: InvariantOptions = {}): Promise<void> {
  expect(await treeViolations(target, options)).toEqual([]);
}

interface Row {
  id: number;
  parent: number | null;
  owner: number;
  name: string;
  kind: string;
  size: number;
  blob: string | null;
  mounted: boolean;
}

async function collect(database: Database, options: InvariantOptions): Promise<string[]> {
  const db = database.db;
  const entries: Row[] = (
    await db
      .selectFrom('entries')
      .select(['id', 'parent_id', 'owner_id', 'name', 'kind', 'size', 'blob_id', 'mount_id'])
      .orderBy('id')
      .execute()
  ).map((r) => ({
    id: Number(r.id),
    parent: r.parent_id === null ? null : Number(r.parent_id),
    owner: Number(r.owner_id),
    name: r.name,
    kind: r.kind,
    size: Number(r.size),
    blob: r.blob_id,
    mounted: r.mount_id !== null,
  }));
  const users = (await db.selectFrom('users').select(['id', 'root_id', 'storage_used']).execute()).map((u) => ({
    id: Number(u.id),
    root: u.root_id === null ? null : Number(u.root_id),
    used: Number(u.storage_used),
  }));
  const blobs = (
    await db
      .selectFrom('blobs')
      .select(['id', 'state', 'ref_count', 'size', (eb) => eb('content', 'is not', null).as('inline')])
      .execute()
  ).map((b) => ({ id: b.id, state: b.state, refs: Number(b.ref_count), size: Number(b.size) }));

  const problems: string[] = [];
  const byId = new Map(entries.map((e) => [e.id, e]));
  const children = new Map<number, Row[]>();
  for (const e of entries) {
    if (e.parent === null) continue;
    if (!byId.has(e.parent)) problems.push(`entry #${e.id} "${e.name}" has a missing parent #${e.parent}`);
    const list = children.get(e.parent) ?? [];
    list.push(e);
    children.set(e.parent, list);
  }

  // Roots: exactly the users' root folders.
  const userRoots = new Set(users.flatMap((u) => (u.root === null ? [] : [u.root])));
  for (const mount of await db.selectFrom('mounts').select('root_id').execute())
    if (mount.root_id !== null) userRoots.add(Number(mount.root_id));
  for (const u of users) {
    const root = u.root === null ? undefined : byId.get(u.root);
    if (!root) problems.push(`user #${u.id} has no root entry`);
    else if (root.parent !== null || root.kind !== 'folder' || root.owner !== u.id) {
      problems.push(`user #${u.id}'s root #${root.id} is not a top-level folder they own`);
    }
  }
  // A trashed subtree's top (issue 12) is parent-less too, owned by a user and named by a trash row.
  const trashRows = await db.selectFrom('trash').select(['entry_id', 'owner_id']).execute();
  for (const row of trashRows) {
    const top = byId.get(Number(row.entry_id));
    if (!top || top.parent !== null || top.owner !== Number(row.owner_id))
      problems.push(`trash row #${row.entry_id} names no top entry of its owner`);
    userRoots.add(Number(row.entry_id));
  }
  for (const e of entries) if (e.parent === null && !userRoots.has(e.id)) problems.push(`entry #${e.id} "${e.name}" is a root no user has`);

  // Reachability from the roots; whatever is left over is an orphan or on a cycle.
  const reached = new Set<number>();
  const stack = entries.filter((e) => e.parent === null);
  for (const root of stack) reached.add(root.id);
  while (stack.length > 0) {
    const node = stack.pop()!;
    for (const child of children.get(node.id) ?? []) {
      if (reached.has(child.id)) continue;
      reached.add(child.id);
      if (node.kind !== 'folder') problems.push(`entry #${child.id} "${child.name}" lies below file #${node.id}`);
      if (child.owner !== node.owner)
        problems.push(`entry #${child.id} is owned by #${child.owner}, its folder #${node.id} by #${node.owner}`);
      stack.push(child);
    }
  }
  for (const e of entries) {
    if (reached.has(e.id)) continue;
    problems.push(`entry #${e.id} "${e.name}" is unreachable from every root${onCycle(e, byId) ? ' (on a parent cycle)' : ''}`);
  }

  // Content and reference counts.
  const blobById = new Map(blobs.map((b) => [b.id, b]));
  const pointing = new Map<string, number>();
  for (const e of entries) {
    if (e.kind === 'folder') {
      if (e.blob !== null || e.size !== 0) problems.push(`folder #${e.id} "${e.name}" has content (size ${e.size}, blob ${e.blob})`);
      continue;
    }
    if (e.mounted) continue; // its bytes are on the mount's disk
    if (e.blob === null) {
      problems.push(`file #${e.id} "${e.name}" has no blob`);
      continue;
    }
    pointing.set(e.blob, (pointing.get(e.blob) ?? 0) + 1);
    const blob = blobById.get(e.blob);
    if (!blob) problems.push(`file #${e.id} "${e.name}" points at missing blob ${e.blob}`);
    else if (blob.state !== 'ready') problems.push(`file #${e.id} "${e.name}" shows ${blob.state} blob ${e.blob}`);
    else if (blob.size !== e.size) problems.push(`file #${e.id} "${e.name}" is ${e.size} bytes, its blob ${blob.size}`);
  }
  // Versions (issue 12): each holds a reference to a ready blob of its size, charged to its owner.
  const versions = await db.selectFrom('file_versions').select(['id', 'entry_id', 'owner_id', 'blob_id', 'size']).execute();
  for (const v of versions) {
    const entry = byId.get(Number(v.entry_id));
    if (!entry || entry.kind !== 'file' || entry.mounted || entry.owner !== Number(v.owner_id))
      problems.push(`version #${v.id} belongs to no managed file of its owner (entry #${v.entry_id})`);
    pointing.set(v.blob_id, (pointing.get(v.blob_id) ?? 0) + 1);
    const blob = blobById.get(v.blob_id);
    if (blob?.state !== 'ready' || blob.size !== Number(v.size))
      problems.push(`version #${v.id} points at blob ${v.blob_id}, missing or not its size`);
  }
  for (const b of blobs) {
    const actual = pointing.get(b.id) ?? 0;
    if (b.state === 'ready' && b.refs !== actual) problems.push(`blob ${b.id} counts ${b.refs} references, ${actual} entries point at it`);
    if (b.state === 'pending' && options.quiescent) problems.push(`blob ${b.id} is still pending`);
  }
  // A content's media row (issue 12) points at a ready thumbnail blob, never at a file's content.
  for (const row of await db.selectFrom('media').select(['blob_id', 'thumb_blob_id']).where('thumb_blob_id', 'is not', null).execute()) {
    const thumb = blobById.get(row.thumb_blob_id!);
    if (thumb?.state !== 'ready') problems.push(`the thumbnail ${row.thumb_blob_id} of blob ${row.blob_id} is missing or not ready`);
    if (pointing.has(row.thumb_blob_id!))
      problems.push(`the thumbnail ${row.thumb_blob_id} of blob ${row.blob_id} is also a file's content`);
  }

  // What else names entries names live ones: views (WebDAV account roots) name reachable
  // folders of their user; locks, dead properties and shares name existing entries.
  for (const account of await db.selectFrom('dav_accounts').select(['id', 'user_id', 'root_id']).execute()) {
    const root = byId.get(Number(account.root_id));
    if (!root || root.kind !== 'folder' || !reached.has(root.id) || (!root.mounted && root.owner !== Number(account.user_id))) {
      problems.push(`WebDAV account #${account.id} is rooted at #${account.root_id}, not a reachable folder of its user`);
    }
  }
  for (const table of ['locks', 'dead_properties', 'shares'] as const) {
    const rows = await db.selectFrom(table).select('entry_id').distinct().execute();
    for (const row of rows) if (!byId.has(Number(row.entry_id))) problems.push(`${table} name missing entry #${row.entry_id}`);
  }

  // Usage: every file its owner holds, counted once per entry, and every dead property's bytes,
  // counted here in JavaScript, independently of the SQL the server counts them with.
  const usage = new Map<number, number>();
  for (const e of entries) if (e.kind === 'file' && !e.mounted) usage.set(e.owner, (usage.get(e.owner) ?? 0) + e.size);
  for (const v of versions) usage.set(Number(v.owner_id), (usage.get(Number(v.owner_id)) ?? 0) + Number(v.size));
  for (const p of await db.selectFrom('dead_properties').select(['entry_id', 'namespace', 'name', 'value']).execute()) {
    const entry = byId.get(Number(p.entry_id));
    const owner = entry?.mounted ? undefined : entry?.owner;
    const bytes = Buffer.byteLength(p.namespace) + Buffer.byteLength(p.name) + Buffer.byteLength(p.value);
    if (owner !== undefined) usage.set(owner, (usage.get(owner) ?? 0) + bytes);
  }
  for (const u of users) {
    const actual = usage.get(u.id) ?? 0;
    if (u.used !== actual) problems.push(`user #${u.id} is charged ${u.used} bytes but owns ${actual}`);
  }
  return problems;
}

/** Whether following parent links from `start` comes back to `start`. */
function onCycle(start: Row, byId: ReadonlyMap<number, Row>): boolean {
  const seen = new Set<number>();
  let node: Row | undefined = start;
  while (node && node.parent !== null && !seen.has(node.id)) {
    seen.add(node.id);
    node = byId.get(node.parent);
    if (node?.id === start.id) return true;
  }
  return false;
}
