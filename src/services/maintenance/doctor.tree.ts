import type { CutOffEntry, Database, EntryRepository, Tx, UserRepository } from '../../db/index.js';

/** Damage to the shape of the tree, and the entry whose re-attachment mends it. */
export interface TreeDamage {
  readonly kind: 'tree-cycle' | 'orphan' | 'stray-root';
  /** The entry to move under the owner's lost+found folder: below it, the rest comes along. */
  readonly entryId: number;
  readonly userId: number;
  readonly name: string;
  readonly message: string;
}

/** The folder in each owner's root where doctor --repair puts what it finds cut off. */
export const LOST_AND_FOUND = 'lost+found';

/**
 * Finds entries cut off from their owner's tree (on a parent cycle, below a lost parent) and
 * top-level entries that are no user's root, and mends them by moving each cut-off part under
 * `lost+found` in its owner's root: nothing is deleted, the user finds it again and decides.
 * Bytes stay charged throughout (usage counts every file its owner holds), so the counters
 * doctor recomputes afterwards do not change because of the move.
 */
export class TreeMender {
  constructor(
    private readonly database: Database,
    private readonly entries: EntryRepository,
    private readonly users: UserRepository,
  ) {}

  async find(): Promise<TreeDamage[]> {
    const [cutOff, strays] = await this.database.read(
      async (db) => [await this.entries.cutOff(db), await this.entries.strayTops(db)] as const,
    );
    const damage = classify(cutOff);
    for (const stray of strays) {
      damage.push({
        kind: 'stray-root',
        entryId: stray.id,
        userId: stray.ownerId,
        name: stray.name,
        message: `Entry #${stray.id} "${stray.name}" is a top-level folder that is no user's root`,
      });
    }
    return damage;
  }

  /** Moves a damaged part under its owner's lost+found; false when the owner has no root to hold it. */
  async repair(damage: TreeDamage, now: number): Promise<boolean> {
    return this.database.transaction(async (tx) => {
      const owner = await this.users.byId(tx, damage.userId);
      if (!owner?.rootId || owner.rootId === damage.entryId) return false;
      await this.entries.lockTree(tx, owner.rootId, this.database.dialect);
      const folder = await this.lostAndFound(tx, owner.rootId, damage.userId, now);
      const wanted = damage.name || `recovered #${damage.entryId}`;
      const name = (await this.entries.child(tx, folder, wanted)) ? `${wanted} (#${damage.entryId})` : wanted;
      await this.entries.relocate(tx, damage.entryId, folder, name);
      return true;
    });
  }

  private async lostAndFound(tx: Tx, rootId: number, ownerId: number, now: number): Promise<number> {
    for (const name of [LOST_AND_FOUND, `${LOST_AND_FOUND} (doctor)`]) {
      const existing = await this.entries.child(tx, rootId, name);
      if (existing?.kind === 'folder') return existing.id;
      if (existing) continue;
      const created = await this.entries.insertIfAbsent(tx, {
        parentId: rootId,
        ownerId,
        name,
        kind: 'folder',
        size: 0,
        blobId: null,
        mtime: now,
        ctime: now,
        etag: `lost-found-${rootId}-${now}`,
      });
      if (created) return created.id;
    }
    throw new Error(`No folder for lost entries can be made in root #${rootId}`);
  }
}

/**
 * Sorts cut-off entries by what cut them off: each parent cycle once (re-attached at its
 * lowest id, which breaks it), and each entry whose parent is gone. Entries below those come
 * along with them and are not reported one by one.
 */
function classify(cutOff: readonly CutOffEntry[]): TreeDamage[] {
  const byId = new Map(cutOff.map((entry) => [entry.id, entry]));
  const state = new Map<number, 'walking' | 'done'>();
  const damage: TreeDamage[] = [];
  for (const start of cutOff) {
    const path: CutOffEntry[] = [];
    let node: CutOffEntry | undefined = start;
    while (node && !state.has(node.id)) {
      state.set(node.id, 'walking');
      path.push(node);
      node = node.parentId === null ? undefined : byId.get(node.parentId);
    }
    if (node && state.get(node.id) === 'walking') {
      const members = path.slice(path.indexOf(node));
      const top = members.reduce((low, member) => (member.id < low.id ? member : low));
      const list = members.map((member) => `#${member.id} "${member.name}"`).join(', ');
      damage.push({
        kind: 'tree-cycle',
        entryId: top.id,
        userId: top.ownerId,
        name: top.name,
        message: `Entries ${list} form a parent cycle, cut off from user #${top.ownerId}'s tree`,
      });
    } else if (!node && path.length > 0) {
      const top = path[path.length - 1]!;
      damage.push({
        kind: 'orphan',
        entryId: top.id,
        userId: top.ownerId,
        name: top.name,
        message: top.parentExists
          ? `Entry #${top.id} "${top.name}" lies deeper than the server follows, cut off from user #${top.ownerId}'s tree`
          : `Entry #${top.id} "${top.name}" has lost its parent #${top.parentId}, cut off from user #${top.ownerId}'s tree`,
      });
    }
    for (const walked of path) state.set(walked.id, 'done');
  }
  return damage;
}
