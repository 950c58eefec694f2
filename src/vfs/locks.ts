import { LockedError, type Principal } from '../core/index.js';
import type { LockRecord, LockRepository, SqlDialectName, Tx } from '../db/index.js';

/** What a write touches, for the lock check: entries whose covering locks apply, and subtrees whose every lock applies. */
export interface LockScope {
  /** Entries changed or whose membership changes: their own locks and their ancestors' depth-infinity locks apply. */
  readonly covering: readonly number[];
  /** Entries removed or replaced with everything below: locks anywhere below them apply too. */
  readonly subtrees?: readonly number[];
}

/**
 * Whether a lock belongs to the principal (DESIGN.md: a lock token belongs to the principal
 * that took it). Another WebDAV account of the same user is another principal. Rows from
 * before holders were kept name none and belong to every principal of their user.
 */
export function holdsLock(principal: Principal, lock: LockRecord): boolean {
  if (lock.userId !== principal.userId || principal.lockHolder === null) return false;
  return lock.holder === null || lock.holder === principal.lockHolder;
}

/**
 * RFC 4918 sections 6 and 7: who may write under which locks. A lock is honoured when the
 * request submits its token and acts as the principal that took it; every exclusive lock in scope
 * must be honoured, and where shared locks are in scope, at least one of them.
 */
export class LockRules {
  constructor(
    private readonly locks: LockRepository,
    private readonly clock: () => number,
    private readonly dialect: SqlDialectName,
  ) {}

  /**
   * Holds the principal's tree so that no lock is granted between a write's check and its
   * commit (see LockRepository.serialize). A write that locks rows calls this before it does.
   */
  async serializeCheck(tx: Tx, principal: Principal): Promise<void> {
    await this.locks.serialize(tx, this.dialect, principal.userId, 'check');
  }

  /** Holds the principal's tree exclusively while a lock is decided and taken. */
  async serializeTaking(tx: Tx, principal: Principal): Promise<void> {
    await this.locks.serialize(tx, this.dialect, principal.userId, 'take');
  }

  async inScope(tx: Tx, scope: LockScope): Promise<LockRecord[]> {
    const now = this.clock();
    if (!(await this.locks.anyActive(tx, now))) return [];
    const found = new Map<string, LockRecord>();
    for (const id of scope.covering) for (const lock of await this.locks.covering(tx, id, now)) found.set(lock.token, lock);
    for (const id of scope.subtrees ?? []) {
      for (const lock of await this.locks.covering(tx, id, now)) found.set(lock.token, lock);
      for (const lock of await this.locks.below(tx, id, now)) found.set(lock.token, lock);
    }
    return [...found.values()];
  }

  async assertCanModify(tx: Tx, principal: Principal, scope: LockScope, tokens: readonly string[] = []): Promise<void> {
    await this.serializeCheck(tx, principal);
    const locks = await this.inScope(tx, scope);
    if (locks.length === 0) return;
    const honoured = (lock: LockRecord) => holdsLock(principal, lock) && tokens.includes(lock.token);
    const exclusive = locks.filter((lock) => lock.scope === 'exclusive');
    const shared = locks.filter((lock) => lock.scope === 'shared');
    if (exclusive.some((lock) => !honoured(lock)) || (shared.length > 0 && !shared.some(honoured))) {
      throw new LockedError(
        tokens.length > 0 ? 'The resource is locked and the lock token given does not match' : 'The resource is locked',
      );
    }
  }
}
