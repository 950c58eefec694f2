import { InsufficientStorageError, NotAFolderError, NotFoundError, QuotaExceededError, type Principal } from '../../core/index.js';
import type { Database, Tx, UploadSessionRecord, UploadSessionRepository } from '../../db/index.js';
import type { Vfs } from '../../vfs/index.js';
import { TooManyUploadsError } from './upload.errors.js';

export interface ReservationOptions {
  readonly clock: () => number;
  /** Most sessions one user may have open at once. */
  readonly maxOpenSessions: number;
}

/** What `check` found, for `confirm` to check again inside the transaction that opens the session. */
export interface Reservation {
  readonly principal: Principal;
  /** The user opening the session. */
  readonly userId: number;
  /** The new session's file, in bytes. */
  readonly size: number;
  /** The size of the file it replaces (a new version); 0 for a new file. */
  readonly replacing: number;
  /** Bytes the owner may still store (the quota left, or the storage's free space; 0 when unknown). */
  readonly available: number;
  /** What each open session seen by `check` will add to the quota's use when it completes, by session id. */
  readonly pending: ReadonlyMap<string, number>;
}

/**
 * Contract 15.1 (Cloudreve 4.18 reserves quota): an open upload session holds the bytes its
 * file will take, so a user cannot start more uploads than fit by opening them all before
 * any completes. A new file reserves its size; a new version the difference from the file it
 * replaces. The final write still enforces the quota: this only refuses early what cannot fit.
 */
export class UploadReservations {
  constructor(
    private readonly database: Database,
    private readonly sessions: UploadSessionRepository,
    private readonly vfs: Vfs,
    private readonly options: ReservationOptions,
  ) {}

  /** Refuses (40051 or TooManyUploads) a session that does not fit beside the owner's open ones; before anything is written. */
  async check(principal: Principal, userId: number, size: number, replacing: number): Promise<Reservation> {
    const now = this.options.clock();
    const [open, count, { available }] = await Promise.all([
      this.database.read((db) => this.sessions.openFor(db, principal.userId, now)),
      this.database.read((db) => this.sessions.countOpenBy(db, userId, now)),
      this.vfs.capacity(principal),
    ]);
    const pending = new Map<string, number>();
    if (principal.quota !== null) for (const session of open) pending.set(session.id, await this.adds(principal, session));
    const reservation = { principal, userId, size, replacing, available, pending };
    assertFits(reservation, count, open, this.options.maxOpenSessions);
    return reservation;
  }

  /**
   * The same checks inside the transaction that inserts the session, with the openings of
   * both users serialised: sessions opened since `check` count too (at their full size, as
   * what they replace was not looked up), so concurrent openings cannot overbook the quota.
   */
  async confirm(tx: Tx, reservation: Reservation): Promise<void> {
    const now = this.options.clock();
    const ownerId = reservation.principal.userId;
    await this.sessions.lockOpenings(tx, [ownerId, reservation.userId], this.database.dialect);
    const open = await this.sessions.openFor(tx, ownerId, now);
    const count = await this.sessions.countOpenBy(tx, reservation.userId, now);
    assertFits(reservation, count, open, this.options.maxOpenSessions);
  }

  /** What an open session adds when it completes: a new file its size, a new version the difference from the file now there. */
  private async adds(principal: Principal, session: UploadSessionRecord): Promise<number> {
    if (session.placeholderId !== null) return session.size;
    try {
      return Math.max(0, session.size - (await this.vfs.stat(principal, session.path)).size);
    } catch (error) {
      // The file it replaces is gone: the upload would create it anew.
      if (error instanceof NotFoundError || error instanceof NotAFolderError) return session.size;
      throw error;
    }
  }
}

function assertFits(reservation: Reservation, openCount: number, open: readonly UploadSessionRecord[], maxOpen: number): void {
  if (openCount >= maxOpen) throw new TooManyUploadsError(maxOpen);
  const { principal, size, replacing, available, pending } = reservation;
  if (principal.quota !== null) {
    const reserved = open.reduce((sum, session) => sum + (pending.get(session.id) ?? session.size), 0);
    const needed = Math.max(0, size - replacing);
    const left = Math.max(0, available - reserved);
    if (needed > left) {
      throw new QuotaExceededError(
        `This upload adds ${bytes(needed)}, more than the storage quota leaves (${bytes(left)}${inProgress(reserved)})`,
      );
    }
  } else if (available > 0) {
    // Without a quota, the free space of the storage when it is known. A new version's bytes
    // are stored beside the old ones before these go, so every upload needs its whole size.
    const reserved = open.reduce((sum, session) => sum + session.size, 0);
    const left = Math.max(0, available - reserved);
    if (size > left) {
      throw new InsufficientStorageError(
        `This ${size}-byte upload does not fit in the storage left (${bytes(left)}${inProgress(reserved)})`,
      );
    }
  }
}

function inProgress(reserved: number): string {
  return reserved > 0 ? `, counting the ${bytes(reserved)} that uploads in progress will take` : '';
}

function bytes(count: number): string {
  return `${count} byte${count === 1 ? '' : 's'}`;
}
