import type { Readable } from 'node:stream';
import { IsAFolderError, QuotaExceededError, baseName, formatPath, type Entry, type Principal, type VPath } from '../core/index.js';
import { PolicyRepository, type BlobRecord, type Tx } from '../db/index.js';
import type { DirectBlob, StoredBlob } from './blob-store.js';
import type { LockRules } from './locks.js';
import type { Resolver } from './resolver.js';
import { assertValidTime, assertWritable, translateWriteError, type TreeRows } from './tree-rows.js';
import type { VfsDependencies, WriteOptions } from './vfs.js';

/**
 * Writing a file from a stream (DESIGN.md decision 2): the bytes become a blob first (inline
 * in its row when small), then one transaction points the entry at it.
 */
export class Writes {
  constructor(
    private readonly deps: VfsDependencies,
    private readonly resolver: Resolver,
    private readonly lockRules: LockRules,
    private readonly rows: TreeRows,
    private readonly policies: PolicyRepository = deps.policies ?? new PolicyRepository(),
  ) {}

  async write(
    principal: Principal,
    path: VPath,
    source: Readable,
    options: WriteOptions = {},
  ): Promise<{ entry: Entry; created: boolean }> {
    assertWritable(principal);
    if (path.length === 0) throw new IsAFolderError('The root is a folder');
    if (options.mtime !== undefined) assertValidTime(options.mtime);

    // Fail before reading the body when the request cannot succeed. The target's folder decides
    // the storage policy (issue 11: the nearest bound folder above it). Without a quota, a body
    // announced small enough to be kept inline costs nothing to read first: the commit checks
    // the rest (precondition, locks) anyway, so that lookup is skipped.
    const { parent, current, policyId } = await this.deps.database.read(async (db) => {
      const found = await this.resolver.target(db, principal, path);
      const bound = options.policyId === undefined ? await this.policies.nearestBinding(db, found.parent.id) : null;
      return { ...found, policyId: options.policyId ?? bound?.policyId ?? principal.storagePolicyId };
    });
    if (current?.kind === 'folder') throw new IsAFolderError(`${formatPath(path)} is a folder`);
    const small = options.expectedSize !== undefined && options.expectedSize <= (await this.deps.blobStore.inlineMaxBytesOf(policyId));
    const allowance =
      small && principal.quota === null
        ? null
        : await this.deps.database.read(async (db) => {
            options.precondition?.(current);
            await this.lockRules.assertCanModify(db, principal, { covering: [current?.id ?? parent.id] }, options.lockTokens);
            // A replaced content that becomes a version stays charged (issue 12).
            return this.rows.quotaAllowance(db, principal, current && !this.rows.history.keepsVersionOf(current) ? current.size : 0);
          });
    if (allowance !== null && options.expectedSize !== undefined && options.expectedSize > allowance) {
      throw new QuotaExceededError(`This ${options.expectedSize}-byte file does not fit in the storage quota (${allowance} bytes left)`);
    }

    const blob = await this.deps.blobStore.store(policyId, source, {
      maxBytes: allowance,
      expectedSize: options.expectedSize,
      expectedSha1: options.expectedSha1,
      signal: options.signal,
    });
    return this.commit(principal, path, blob, policyId, options);
  }

  /**
   * Points the file at `blob`, stored already, in one transaction: written by `write`, or put
   * straight into the store by a client (a direct upload). On failure the blob is discarded.
   */
  async commit(
    principal: Principal,
    path: VPath,
    blob: StoredBlob | DirectBlob,
    policyId: number,
    options: Pick<WriteOptions, 'mtime' | 'precondition' | 'lockTokens'> = {},
  ): Promise<{ entry: Entry; created: boolean }> {
    assertWritable(principal);
    if (path.length === 0) throw new IsAFolderError('The root is a folder');
    if (options.mtime !== undefined) assertValidTime(options.mtime);
    const name = baseName(path);
    const now = this.deps.clock();
    let freed: BlobRecord[] = [];
    let result: { entry: Entry; created: boolean };
    try {
      result = await this.deps.database.transaction(async (tx) => {
        // Shared: writes never wait for each other, only for a delete, folder move or copy.
        await this.deps.entries.lockOwnerTree(tx, principal.userId, this.deps.database.dialect, 'shared');
        const found = await this.resolver.target(tx, principal, path);
        const parent = found.parent;
        const mtime = options.mtime ?? now;
        const content = { size: blob.size, now };
        // Once per attempt, before an entry points at the blob (an inline blob's row is new).
        let ready = false;
        const makeReady = async () => {
          if (!ready) await this.rows.markReady(tx, blob, policyId, content);
          ready = true;
        };
        // SQLite's transaction holds the write lock, so the lookup above is current; PostgreSQL
        // takes the row lock, and every later round looks again after a lost insert race.
        let round = 0;
        await this.lockRules.serializeCheck(tx, principal);
        for (;;) {
          const current =
            round++ === 0 && this.deps.database.dialect === 'sqlite'
              ? found.current
              : await this.deps.entries.lockChild(tx, parent.id, name, this.deps.database.dialect);
          if (current?.kind === 'folder') throw new IsAFolderError(`${formatPath(path)} is a folder`);
          options.precondition?.(current);
          await this.lockRules.assertCanModify(tx, principal, { covering: [current?.id ?? parent.id] }, options.lockTokens);
          if (current) {
            // The previous content becomes a version, holding the entry's reference (issue 12).
            const keep = this.rows.history.keepsVersionOf(current);
            await this.rows.chargeQuota(tx, principal, keep ? blob.size : blob.size - current.size);
            await makeReady();
            freed = keep ? await this.rows.history.keepVersion(tx, current, principal) : [];
            await this.deps.entries.setContent(tx, current.id, { size: blob.size, blobId: blob.id, mtime, etag: blob.id });
            if (current.blobId && !keep) freed = await this.deps.blobs.releaseReferences(tx, new Map([[current.blobId, 1]]));
            await this.rows.changedBelow(tx, [parent.id]);
            const entry: Entry = {
              ...current,
              size: blob.size,
              blobId: blob.id,
              mtime,
              etag: blob.id,
              sha256: blob.sha256,
              sha1: blob.sha1,
            };
            return { entry, created: false };
          }
          await makeReady();
          const inserted = await this.deps.entries.insertIfAbsent(tx, {
            parentId: parent.id,
            ownerId: parent.ownerId,
            name,
            kind: 'file',
            size: blob.size,
            blobId: blob.id,
            mtime,
            ctime: now,
            etag: blob.id,
          });
          // Null: another writer created the name since we looked (PostgreSQL only; SQLite
          // holds the write lock): go round again and replace it.
          if (inserted) {
            await this.rows.chargeQuota(tx, principal, blob.size);
            await this.rows.changedBelow(tx, [parent.id]);
            return { entry: { ...inserted, sha256: blob.sha256, sha1: blob.sha1 }, created: true };
          }
        }
      });
    } catch (error) {
      // An inline blob was only ever in the rolled-back transaction.
      if (!blob.content) await this.deps.blobStore.discard(blob.id, policyId);
      throw translateWriteError(error, path);
    }
    await this.deps.blobStore.removeFreed(freed);
    this.deps.events.emit({ type: 'file.written', entry: result.entry, created: result.created });
    return result;
  }

  /**
   * The storage policy a new file in `folder` goes to: the nearest bound folder at or above it,
   * else the principal's default. Of a folder that does not exist yet, the nearest existing
   * ancestor answers (a write there fails at its commit; an upload creates the folders).
   */
  async policyIn(db: Tx, principal: Principal, folder: VPath): Promise<number> {
    const chain = await this.deps.entries.resolveChain(db, principal.rootId, folder);
    const parent = chain[chain.length - 1];
    if (!parent) return principal.storagePolicyId;
    const binding = await this.policies.nearestBinding(db, parent.id);
    return binding?.policyId ?? principal.storagePolicyId;
  }
}
