import { InvalidArgumentError, QuotaExceededError, ReadOnlyError, type Entry, type Principal, type VPath } from '../core/index.js';
import type { Database, DeadProperty, EntryRepository, PropertyRepository, Tx } from '../db/index.js';
import type { LockRules } from './locks.js';
import type { Resolver } from './resolver.js';
import { translateWriteError, type TreeRows } from './tree-rows.js';

export type PropertyChange =
  | { readonly op: 'set'; readonly ns: string; readonly name: string; readonly value: string }
  | { readonly op: 'remove'; readonly ns: string; readonly name: string };

/** A check that an entry may be changed by a principal, inside the change's transaction. */
export type EntryWriteGuard = (tx: Tx, principal: Principal, entry: Entry) => Promise<void>;

/** Largest dead property value accepted, in characters. */
export const MAX_PROPERTY_VALUE = 64 * 1024;

export interface PropertyLimits {
  /** Dead properties one file or folder may carry (webdav.maxPropertiesPerResource). */
  readonly maxPerResource: number;
  /** UTF-8 bytes of dead properties (namespaces, names, values) in one user's tree (webdav.maxPropertyBytesPerUser). */
  readonly maxBytesPerUser: number;
}

export const DEFAULT_PROPERTY_LIMITS: PropertyLimits = { maxPerResource: 200, maxBytesPerUser: 16 * 1024 * 1024 };

/**
 * WebDAV dead properties (RFC 4918 section 4 and 9.2), stored per entry. A PROPPATCH is one
 * transaction: every change applies, or none does, and none that would take a resource or a
 * user past the limits (507, quota). Their bytes (PropertyRepository's propertyBytes) count
 * towards the owner's storage used like file content: a PROPPATCH charges or gives back the
 * difference, a DELETE gives back a subtree's, a COPY charges the copies' (see TreeRows).
 */
export class Properties {
  constructor(
    private readonly database: Database,
    private readonly properties: PropertyRepository,
    private readonly entries: EntryRepository,
    private readonly rules: LockRules,
    private readonly resolver: Resolver,
    private readonly rows: TreeRows,
    private readonly limits: PropertyLimits = DEFAULT_PROPERTY_LIMITS,
    /** Refuses changes where the entry's space is read-only though the principal is not (a read-only mount). */
    private readonly writeGuard?: EntryWriteGuard,
  ) {}

  async list(entryIds: readonly number[]): Promise<Map<number, DeadProperty[]>> {
    if (entryIds.length === 0) return new Map();
    return this.database.read((db) => this.properties.listMany(db, entryIds));
  }

  /**
   * Applies changes in document order, and optionally a new modification time (from a
   * getlastmodified or Win32LastModifiedTime set in the same request).
   */
  async patch(
    principal: Principal,
    path: VPath,
    changes: readonly PropertyChange[],
    options: { mtime?: number; lockTokens?: readonly string[] } = {},
  ): Promise<Entry> {
    if (principal.readOnly) throw new ReadOnlyError();
    for (const change of changes) {
      if (change.op === 'set' && change.value.length > MAX_PROPERTY_VALUE) {
        throw new InvalidArgumentError(`The value of ${change.name} is larger than ${MAX_PROPERTY_VALUE} characters`);
      }
    }
    return this.database
      .transaction(async (tx) => {
        // Before the lookup: a DELETE or COPY of this entry that holds the lock has committed by
        // the time this looks, so it counts the properties as this leaves them (see serializeOwner).
        await this.properties.serializeOwner(tx, this.database.dialect, principal.userId);
        const entry = await this.resolver.entry(tx, principal, path);
        await this.writeGuard?.(tx, principal, entry);
        await this.rules.assertCanModify(tx, principal, { covering: [entry.id] }, options.lockTokens);
        const before = await this.properties.bytesOn(tx, entry.id);
        for (const change of changes) {
          if (change.op === 'set') await this.properties.set(tx, entry.id, { ns: change.ns, name: change.name, value: change.value });
          else await this.properties.remove(tx, entry.id, change.ns, change.name);
        }
        if (changes.some((change) => change.op === 'set')) await this.assertWithinLimits(tx, entry);
        // Mounted entries are charged to no one, their properties included (like their bytes).
        if (entry.mountId === undefined) await this.rows.chargeQuota(tx, principal, (await this.properties.bytesOn(tx, entry.id)) - before);
        if (options.mtime !== undefined) await this.entries.setMtime(tx, entry.id, Math.trunc(options.mtime));
        return (await this.entries.byId(tx, entry.id))!;
      })
      .catch((error: unknown) => {
        throw translateWriteError(error, path);
      });
  }

  /**
   * Checks that copies of `source`'s properties (its own with `depth` '0', else its whole
   * subtree's) fit the limits, and answers their bytes for the caller to charge. Inside the
   * COPY's transaction, before anything is copied; the owner's property lock is held from here
   * to the commit, so the rows copied are the rows counted.
   */
  async assertCopyFits(tx: Tx, principal: Principal, source: Entry, depth: '0' | 'infinity'): Promise<number> {
    await this.properties.serializeOwner(tx, this.database.dialect, principal.userId);
    const copied =
      depth === '0'
        ? { bytes: await this.properties.bytesOn(tx, source.id), mostOnOne: await this.properties.countOn(tx, source.id) }
        : await this.properties.subtreeUsage(tx, source.id);
    if (copied.bytes === 0) return 0;
    const { maxPerResource, maxBytesPerUser } = this.limits;
    if (copied.mostOnOne > maxPerResource) {
      throw new QuotaExceededError(
        `The copy would give a resource ${copied.mostOnOne} dead properties; at most ${maxPerResource} are allowed; nothing was copied`,
      );
    }
    const bytes = (await this.properties.bytesOfOwner(tx, principal.userId)) + copied.bytes;
    if (bytes > maxBytesPerUser) {
      throw new QuotaExceededError(
        `The copy's dead properties would take ${bytes} bytes of this user's ${maxBytesPerUser}-byte allowance; nothing was copied`,
      );
    }
    return copied.bytes;
  }

  /** Checked after the changes, inside their transaction: over a limit, the whole PROPPATCH rolls back. */
  private async assertWithinLimits(tx: Tx, entry: Entry): Promise<void> {
    const { maxPerResource, maxBytesPerUser } = this.limits;
    const count = await this.properties.countOn(tx, entry.id);
    if (count > maxPerResource) {
      throw new QuotaExceededError(
        `This would give ${entry.name || 'the folder'} ${count} dead properties; at most ${maxPerResource} are allowed`,
      );
    }
    const bytes = await this.properties.bytesOfOwner(tx, entry.ownerId);
    if (bytes > maxBytesPerUser) {
      throw new QuotaExceededError(
        `Dead properties would take ${bytes} bytes of this user's ${maxBytesPerUser}-byte allowance; nothing was changed`,
      );
    }
  }
}
