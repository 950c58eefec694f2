import { InsufficientStorageError, QuotaExceededError, type Principal } from '../../core/index.js';
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
  /** Bytes the owner may still store (the quota left, or the storage's free space; 0 when unknown). */
  readonly available: number;
}

/**
 * Contract 15.1 (Cloudreve 4.18 reserves quota): an open upload session holds the bytes its
 * file will take, so a user cannot start more uploads than fit by opening them all before
 * any completes. Every session reserves its file's full size, a new version of an existing
 * file too: its chunks are stored beside the content it replaces until it commits, which
 * frees the old bytes. The final write still enforces the quota.
 */
export class UploadReservations {
  constructor(
    private readonly database: Database,
    private readonly sessions: UploadSessionRepository,
    private readonly vfs: Vfs,
    private readonly options: ReservationOptions,
  ) {}

  /** Refuses (40051 or TooManyUploads) a session that does not fit beside the owner's open ones; before anything is written. */
  async check(principal: Principal, userId: number, size: number): Promise<Reservation> {
    const now = this.options.clock();
    const [open, count, { available }] = await Promise.all([
      this.database.read((db) => this.sessions.openFor(db, principal.userId, now)),
      this.database.read((db) => this.sessions.countOpenBy(db, userId, now)),
      this.vfs.capacity(principal),
    ]);
    const reservation = { principal, userId, size, available };
    assertFits(reservation, count, open, this.options.maxOpenSessions);
    return reservation;
  }

  /**
   * The same checks inside the transaction that inserts the session, with the openings of
   * both users serialised: sessions opened since `check` count too, so concurrent openings
   * cannot overbook the quota.
   */
  async confirm(tx: Tx, reservation: Reservation): Promise<void> {
    const now = this.options.clock();
    const ownerId = reservation.principal.userId;
    await this.sessions.lockOpenings(tx, [ownerId, reservation.userId], this.database.dialect);
    const open = await this.sessions.openFor(tx, ownerId, now);
    const count = await this.sessions.countOpenBy(tx, reservation.userId, now);
    assertFits(reservation, count, open, this.options.maxOpenSessions);
  }
}

function assertFits(reservation: Reservation, openCount: number, open: readonly UploadSessionRecord[], maxOpen: number): void {
  if (openCount >= maxOpen) throw new TooManyUploadsError(maxOpen);
  const { principal, size, available } = reservation;
  const reserved = open.reduce((sum, session) => sum + session.size, 0);
  const left = Math.max(0, available - reserved);
  if (principal.quota !== null) {
    if (size > left) {
      throw new QuotaExceededError(
        `This upload takes ${bytes(size)}, more than the storage quota leaves (${bytes(left)}${inProgress(reserved)})`,
      );
    }
  } else if (available > 0) {
    // Without a quota, the free space of the storage when it is known.
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
