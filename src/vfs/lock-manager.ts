import type { EntryWriteGuard } from './properties.js';
import {
  ConflictError,
  ForbiddenError,
  LockedError,
  PreconditionFailedError,
  QuotaExceededError,
  ReadOnlyError,
  type Entry,
  type Principal,
  type VPath,
} from '../core/index.js';
import type { Database, LockRecord, LockRepository } from '../db/index.js';
import { holdsLock, type LockRules } from './locks.js';
import type { Resolver } from './resolver.js';

export interface LockRequest {
  readonly scope: 'exclusive' | 'shared';
  readonly depth: '0' | 'infinity';
  /** The client's owner element, kept as given and echoed in lockdiscovery. */
  readonly owner: string | null;
  readonly timeoutSeconds: number;
}

export interface LockLimits {
  /** The longest lock granted or refreshed, in seconds (webdav.maxLockSeconds). */
  readonly maxSeconds: number;
  /** Active locks one user may hold across all their principals (webdav.maxLocksPerUser). */
  readonly maxPerUser: number;
}

export const DEFAULT_LOCK_LIMITS: LockLimits = { maxSeconds: 3600, maxPerUser: 1000 };

/**
 * RFC 4918 sections 9.10 and 9.11: taking, refreshing and releasing write locks. Locks are
 * rows keyed by entry id and belong to the principal that took them (Principal.lockHolder):
 * only it may write with, refresh or release them; another principal naming the token is
 * refused as locked (423). Read-only principals change no lock (403).
 */
export class LockManager {
  constructor(
    private readonly database: Database,
    private readonly locks: LockRepository,
    private readonly rules: LockRules,
    private readonly resolver: Resolver,
    private readonly clock: () => number,
    private readonly newToken: () => string,
    private readonly limits: LockLimits = DEFAULT_LOCK_LIMITS,
    /** Refuses locks where the entry's space is read-only though the principal is not (a read-only mount). */
    private readonly writeGuard?: EntryWriteGuard,
  ) {}

  /** Takes a new lock on an existing entry; 423 when it conflicts with a lock in place. */
  async lock(principal: Principal, path: VPath, request: LockRequest): Promise<{ lock: LockRecord; entry: Entry }> {
    assertMayChangeLocks(principal);
    const timeoutSeconds = Math.min(request.timeoutSeconds, this.limits.maxSeconds);
    return this.database.transaction(async (tx) => {
      await this.rules.serializeTaking(tx, principal);
      const entry = await this.resolver.entry(tx, principal, path);
      await this.writeGuard?.(tx, principal, entry);
      const depth = entry.kind === 'folder' ? request.depth : '0';
      const existing = await this.rules.inScope(tx, { covering: [entry.id], subtrees: depth === 'infinity' ? [entry.id] : [] });
      if (existing.some((lock) => lock.scope === 'exclusive') || (request.scope === 'exclusive' && existing.length > 0)) {
        throw new LockedError('The resource is already locked');
      }
      const now = this.clock();
      const held = await this.locks.countOfUser(tx, principal.userId, now);
      if (held >= this.limits.maxPerUser) {
        throw new QuotaExceededError(
          `You hold ${held} locks, the most allowed (${this.limits.maxPerUser}); release some with UNLOCK or let them expire`,
        );
      }
      const lock: LockRecord = {
        token: `opaquelocktoken:${this.newToken()}`,
        entryId: entry.id,
        userId: principal.userId,
        holder: principal.lockHolder,
        scope: request.scope,
        depth,
        owner: request.owner,
        timeoutSeconds,
        expiresAt: now + timeoutSeconds * 1000,
      };
      await this.locks.insert(tx, { ...lock, now });
      return { lock, entry };
    });
  }

  /** Extends a lock the request names (RFC 4918 9.10.2); 412 when none of the tokens applies. */
  async refresh(principal: Principal, path: VPath, tokens: readonly string[], requestedSeconds: number): Promise<LockRecord> {
    assertMayChangeLocks(principal);
    const timeoutSeconds = Math.min(requestedSeconds, this.limits.maxSeconds);
    return this.database.transaction(async (tx) => {
      const entry = await this.resolver.entry(tx, principal, path);
      const now = this.clock();
      const named = (await this.locks.covering(tx, entry.id, now)).filter((candidate) => tokens.includes(candidate.token));
      const lock = named.find((candidate) => holdsLock(principal, candidate));
      if (!lock && named.length > 0) throw new LockedError('This lock belongs to another client; only the one that took it may refresh it');
      if (!lock) throw new PreconditionFailedError('No lock on this resource matches the token given');
      await this.locks.refresh(tx, lock.token, timeoutSeconds, now);
      return { ...lock, timeoutSeconds, expiresAt: now + timeoutSeconds * 1000 };
    });
  }

  /** RFC 4918 9.11: the token must name a lock that covers the resource and belong to the caller. */
  async unlock(principal: Principal, path: VPath, token: string): Promise<void> {
    assertMayChangeLocks(principal);
    await this.database.transaction(async (tx) => {
      const entry = await this.resolver.entry(tx, principal, path);
      const covering = await this.locks.covering(tx, entry.id, this.clock());
      const lock = covering.find((candidate) => candidate.token === token);
      if (!lock) throw new ConflictError('The lock token does not match a lock on this resource');
      if (!holdsLock(principal, lock))
        throw new LockedError('This lock belongs to another client; only the one that took it may release it');
      await this.locks.delete(tx, token);
    });
  }

  /** Active locks that cover an entry, for lockdiscovery. */
  async discover(entryId: number): Promise<LockRecord[]> {
    return this.database.read((db) => this.locks.covering(db, entryId, this.clock()));
  }

  /**
   * Locks covering each of a folder's listed children, in two queries whatever their number:
   * the folder's inherited depth-infinity locks, and locks on the children themselves.
   */
  async discoverChildren(folder: Entry, children: readonly Entry[]): Promise<Map<number, LockRecord[]>> {
    const now = this.clock();
    return this.database.read(async (db) => {
      const out = new Map<number, LockRecord[]>();
      if (!(await this.locks.anyActive(db, now))) return out;
      const inherited = (await this.locks.covering(db, folder.id, now)).filter((lock) => lock.depth === 'infinity');
      const own = await this.locks.onEntries(
        db,
        children.map((child) => child.id),
        now,
      );
      for (const child of children) out.set(child.id, [...inherited, ...own.filter((lock) => lock.entryId === child.id)]);
      return out;
    });
  }

  /** Tokens of every lock covering an entry, for evaluating If headers. */
  async tokensCovering(entryId: number): Promise<string[]> {
    return (await this.discover(entryId)).map((lock) => lock.token);
  }

  async sweep(): Promise<number> {
    return this.database.transaction((tx) => this.locks.sweepExpired(tx, this.clock()));
  }
}

/** Read-only principals change no lock (not even their own: they cannot have taken one); share links cannot lock. */
function assertMayChangeLocks(principal: Principal): void {
  if (principal.readOnly) throw new ReadOnlyError('This space is read-only: it cannot lock or unlock');
  if (principal.lockHolder === null) throw new ForbiddenError('Locks can only be taken by a WebDAV account or a signed-in user');
}
