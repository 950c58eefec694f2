import {
  AlreadyExistsError,
  ConflictError,
  ForbiddenError,
  baseName,
  formatPath,
  type Entry,
  type Principal,
  type VPath,
} from '../core/index.js';
import type { BlobRecord, Tx } from '../db/index.js';
import type { LockRules } from './locks.js';
import type { Properties } from './properties.js';
import type { Resolver } from './resolver.js';
import { continueDeparted } from './safe-save.js';
import { assertWritable, translateWriteError, type TreeRows } from './tree-rows.js';
import type { TransferOptions, VfsDependencies } from './vfs.js';

/** MOVE and COPY (RFC 4918 9.8, 9.9) over the tree: rows move or are copied, bytes never are. */
export class Transfers {
  constructor(
    private readonly deps: VfsDependencies,
    private readonly resolver: Resolver,
    private readonly lockRules: LockRules,
    private readonly rows: TreeRows,
    private readonly properties: Properties,
  ) {}

  /**
   * Moves or renames: one row changes, whatever lies below (DESIGN.md decision 1). A file
   * moved over an existing file takes its place without changing its identity: the
   * destination keeps its id, locks and properties and only its content changes, which is
   * what safe-save clients (write a temporary file, MOVE it over the original) need.
   */
  async move(principal: Principal, from: VPath, to: VPath, options: TransferOptions = {}): Promise<{ entry: Entry; replaced: boolean }> {
    assertWritable(principal);
    let freed: BlobRecord[] = [];
    let source!: Entry;
    const result = await this.deps.database
      .transaction(async (tx) => {
        await this.lockTreeOfFolder(tx, principal, from);
        const plan = await this.plan(tx, principal, from, to, options);
        source = plan.source;
        const sourceParentId = plan.source.parentId ?? plan.source.id;
        await this.lockRules.assertCanModify(
          tx,
          principal,
          { covering: [plan.parent.id, sourceParentId], subtrees: [plan.source.id, ...(plan.existing ? [plan.existing.id] : [])] },
          options.lockTokens,
        );
        if (plan.existing?.kind === 'file' && plan.source.kind === 'file') {
          // The target keeps its own properties; the source's go with its row.
          const sourceProperties = await this.rows.propertyBytesBelow(tx, plan.source);
          freed = await this.rows.history.dropVersionsBelow(tx, plan.source.id);
          freed.push(...(await this.rows.replaceContent(tx, plan.existing, plan.source, { sourceReference: 'moved', by: principal })));
          await this.deps.entries.deleteSubtree(tx, plan.source.id);
          await this.deps.users.addStorageUsed(tx, plan.source.ownerId, -sourceProperties, null);
          await this.rows.changedBelow(tx, [plan.parent.id, sourceParentId]);
          return { entry: (await this.deps.entries.byId(tx, plan.existing.id))!, replaced: true };
        }
        if (plan.existing) freed = await this.rows.removeSubtree(tx, plan.existing);
        // A safe save's last rename continues the file that left this name (issue 12).
        const departed =
          !plan.existing && plan.source.kind === 'file'
            ? await this.rows.history.departedFrom(tx, principal, plan.parent, baseName(to), plan.source.id)
            : null;
        if (departed) {
          const moves = { source: plan.source, departed, parentId: plan.parent.id, name: baseName(to) };
          freed = await continueDeparted(this.deps, this.rows, tx, principal, moves);
          return { entry: (await this.deps.entries.byId(tx, departed.id))!, replaced: false };
        }
        await this.rows.history.recordDeparture(tx, principal, plan.source);
        // RFC 4918 7.7: a lock does not move with its resource.
        await this.deps.locks.deleteSubtree(tx, plan.source.id, this.deps.clock());
        await this.deps.entries.relocate(tx, plan.source.id, plan.parent.id, baseName(to));
        await this.rows.changedBelow(tx, [plan.parent.id, sourceParentId]);
        return { entry: (await this.deps.entries.byId(tx, plan.source.id))!, replaced: plan.existing !== null };
      })
      .catch((error: unknown) => {
        throw translateWriteError(error, to);
      });
    await this.deps.blobStore.removeFreed(freed);
    this.deps.events.emit({ type: 'entry.moved', entry: result.entry, fromParentId: source.parentId ?? 0, fromName: source.name });
    return result;
  }

  /** Copies a file or a whole tree; blobs are shared, so the cost is in rows, not bytes. */
  async copy(
    principal: Principal,
    from: VPath,
    to: VPath,
    options: TransferOptions & { depth?: '0' | 'infinity' } = {},
  ): Promise<{ entry: Entry; replaced: boolean }> {
    assertWritable(principal);
    let freed: BlobRecord[] = [];
    let sourceId = 0;
    const result = await this.deps.database
      .transaction(async (tx) => {
        await this.lockTreeOfFolder(tx, principal, from);
        const plan = await this.plan(tx, principal, from, to, options);
        sourceId = plan.source.id;
        await this.lockRules.assertCanModify(
          tx,
          principal,
          { covering: [plan.parent.id], subtrees: plan.existing ? [plan.existing.id] : [] },
          options.lockTokens,
        );
        if (plan.existing?.kind === 'file' && plan.source.kind === 'file') {
          const kept = this.rows.history.keepsVersionOf(plan.existing) ? 0 : plan.existing.size;
          await this.rows.chargeQuota(tx, principal, plan.source.size - kept);
          freed = await this.rows.replaceContent(tx, plan.existing, plan.source, { sourceReference: 'copied', by: principal });
          await this.rows.changedBelow(tx, [plan.parent.id]);
          return { entry: (await this.deps.entries.byId(tx, plan.existing.id))!, replaced: true };
        }
        if (plan.existing) freed = await this.rows.removeSubtree(tx, plan.existing);
        const now = this.deps.clock();
        const target = {
          parentId: plan.parent.id,
          name: baseName(to),
          ownerId: plan.parent.ownerId,
          now,
          etagOf: (e: Entry) => (e.kind === 'file' ? e.etag : this.deps.newId()),
        };
        if (options.depth === '0' && plan.source.kind === 'folder') {
          // RFC 4918 9.8.3: Depth 0 copies the collection and its properties, not its members.
          await this.rows.chargeQuota(tx, principal, await this.properties.assertCopyFits(tx, principal, plan.source, '0'));
          const folder = await this.rows.insertFolder(tx, plan.parent, baseName(to), plan.source.mtime);
          await this.deps.properties.copy(tx, new Map([[plan.source.id, folder!.id]]));
          await this.rows.changedBelow(tx, [plan.parent.id]);
          return { entry: folder!, replaced: plan.existing !== null };
        }
        const { size } = await this.deps.entries.summarise(tx, plan.source.id);
        const propertyBytes = await this.properties.assertCopyFits(tx, principal, plan.source, 'infinity');
        await this.rows.chargeQuota(tx, principal, size + propertyBytes);
        await this.deps.blobs.addReferences(tx, await this.deps.entries.blobReferences(tx, plan.source.id));
        const { top, idMap } = await this.deps.entries.copySubtree(tx, plan.source.id, target);
        await this.deps.properties.copy(tx, idMap);
        await this.rows.changedBelow(tx, [plan.parent.id]);
        return { entry: top, replaced: plan.existing !== null };
      })
      .catch((error: unknown) => {
        throw translateWriteError(error, to);
      });
    await this.deps.blobStore.removeFreed(freed);
    this.deps.events.emit({ type: 'entry.copied', entry: result.entry, sourceId });
    return result;
  }

  /**
   * Moving or copying a folder depends on the shape of the tree (a folder may not go into
   * itself), so on PostgreSQL those transactions take the tree's lock before they look at it:
   * two crossing moves (/a into /b, /b into /a) would otherwise both pass the check and form a
   * cycle. A file changes no one's ancestry and only holds the lock shared, against deletes.
   * See EntryRepository.lockTree.
   */
  private async lockTreeOfFolder(tx: Tx, principal: Principal, from: VPath): Promise<void> {
    if (this.deps.database.dialect !== 'postgres' || from.length === 0) return;
    const source = await this.resolver.entry(tx, principal, from);
    await this.deps.entries.lockOwnerTree(tx, principal.userId, 'postgres', source.kind === 'folder' ? 'exclusive' : 'shared');
  }

  /** Checks shared by MOVE and COPY (RFC 4918 9.8, 9.9). */
  private async plan(tx: Tx, principal: Principal, from: VPath, to: VPath, options: TransferOptions) {
    if (from.length === 0) throw new ForbiddenError('The root folder cannot be moved or copied');
    if (to.length === 0) throw new ForbiddenError('Nothing can replace the root folder');
    const sourceChain = await this.resolver.chain(tx, principal, from);
    const source = sourceChain[sourceChain.length - 1]!;
    const { parent, chain: parentChain } = await this.resolver.parentFolder(tx, principal, to);
    if (parentChain.some((entry) => entry.id === source.id)) {
      throw new ConflictError(`${formatPath(from)} cannot be moved or copied into itself`);
    }
    await this.lockRules.serializeCheck(tx, principal);
    const existing = await this.deps.entries.lockChild(tx, parent.id, baseName(to), this.deps.database.dialect);
    if (existing?.id === source.id) throw new ForbiddenError('The source and the destination are the same');
    if (existing && sourceChain.some((entry) => entry.id === existing.id)) {
      throw new ConflictError(`${formatPath(to)} contains the source and cannot be replaced by it`);
    }
    if (existing && !options.overwrite) throw new AlreadyExistsError(`${formatPath(to)} already exists`);
    return { source, parent, existing };
  }
}
