import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AlreadyExistsError,
  ConflictError,
  InvalidArgumentError,
  IsAFolderError,
  LockedError,
  NotAFolderError,
  NotFoundError,
  ReadOnlyError,
  parentOf,
  type Entry,
  type Principal,
  type VPath,
} from '../../core/index.js';
import {
  isForeignKeyViolation,
  type Database,
  type PolicyRepository,
  type UploadSessionRecord,
  type UploadSessionRepository,
} from '../../db/index.js';
import { ChunkSizeMismatchError, type ChunkStore } from '../../storage/index.js';
import type { Vfs } from '../../vfs/index.js';
import type { UserService } from '../users/user.service.js';
import { UploadCommitter } from './upload.commit.js';
import {
  ChunkIndexError,
  ChunkLengthError,
  UploadPolicyMismatchError,
  UploadSessionNotFoundError,
  UploadStillCompletingError,
} from './upload.errors.js';
import { removePlaceholder } from './upload.placeholder.js';
import { UploadReservations } from './upload.reservations.js';
import { UploadSweeper } from './upload.sweeper.js';
import type { DirectUploadOffer, DirectUploads } from './upload.direct.js';

export interface UploadServiceOptions {
  readonly clock: () => number;
  readonly newId?: () => string;
  /** Bytes per chunk (the last chunk holds the rest). */
  readonly chunkSize: number;
  /** How long a session stays open. */
  readonly sessionMs: number;
  /** How long the node assembling a file may go without renewing its claim before another may take over. */
  readonly leaseMs?: number;
  /** Most sessions one user may have open at once (config uploads.maxOpenSessions); 100 by default. */
  readonly maxOpenSessions?: number;
  /**
   * How long a chunk of a session whose file is being assembled waits for the outcome: under
   * OpenList's 30-second timeout per chunk (contract 15.3), so it hears the answer. 25 s by default.
   */
  readonly commitWaitMs?: number;
  readonly warn: (error: unknown, message: string) => void;
  /** Direct uploads to stores that can take them (contract 15.5); without it every upload sends its chunks here. */
  readonly direct?: DirectUploads;
}

/** An open (or just completed) upload, with its number of chunks. */
export interface UploadSession extends UploadSessionRecord {
  readonly chunkCount: number;
}

export interface NewUpload {
  /** The user opening the session; only they may send its chunks. */
  readonly userId: number;
  readonly path: VPath;
  /** The target's cloudreve:// URI, echoed back to the client. */
  readonly uri: string;
  readonly size: number;
  /** The file's modification time once complete (the client's last_modified); completion time otherwise. */
  readonly mtime?: number;
  /** Replace an existing file (contract 15.1, entity_type "version"); otherwise an existing file is refused. */
  readonly replace: boolean;
  /** The chunks come here even where the store could take them directly (contract 15.5). */
  readonly relay?: boolean;
}

/** The storage policy a session's file goes to (contract 7.3, storage_policy). */
export interface UploadPolicy {
  readonly id: number;
  readonly name: string;
  readonly type: string;
}

const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Chunked uploads (Cloudreve V4 contract, section 15). Opening a session checks everything a
 * doomed upload would fail on (permission, name, existing file, quota, locks) before any
 * byte; a new file gets an empty placeholder at once (15.1). Chunks are stored as they come,
 * in any order and as often as a client re-sends them; when the last one is in, the chunks
 * stream through one vfs write, so readers see the old content (or the placeholder) until
 * the new one is whole.
 */
export class UploadService {
  private readonly newId: () => string;
  private readonly leaseMs: number;
  private readonly committer: UploadCommitter;
  private readonly sweeper: UploadSweeper;
  private readonly reservations: UploadReservations;

  constructor(
    private readonly database: Database,
    private readonly sessions: UploadSessionRepository,
    private readonly policies: PolicyRepository,
    private readonly vfs: Vfs,
    private readonly users: UserService,
    private readonly chunks: ChunkStore,
    private readonly options: UploadServiceOptions,
  ) {
    this.newId = options.newId ?? randomUUID;
    this.leaseMs = options.leaseMs ?? 5 * 60_000;
    const shared = { clock: options.clock, leaseMs: this.leaseMs, warn: options.warn };
    const waiting = { waitMs: options.commitWaitMs ?? 25_000, pollMs: 250 };
    this.committer = new UploadCommitter(database, sessions, vfs, chunks, { ...shared, ...waiting });
    this.sweeper = new UploadSweeper(database, sessions, vfs, users, chunks, { ...shared, direct: options.direct });
    const maxOpenSessions = options.maxOpenSessions ?? 100;
    this.reservations = new UploadReservations(database, sessions, vfs, { clock: options.clock, maxOpenSessions });
  }

  /** Opens a session for `upload.path` in the principal's space; see the class comment for what is checked. */
  async create(
    principal: Principal,
    upload: NewUpload,
  ): Promise<{ session: UploadSession; policy: UploadPolicy; direct: DirectUploadOffer | null }> {
    const { path, size } = upload;
    if (principal.readOnly) throw new ReadOnlyError();
    if (!Number.isSafeInteger(size) || size < 0) throw new InvalidArgumentError('The size must be a whole number of bytes, 0 or more');
    if (path.length === 0) throw new IsAFolderError('The root is a folder');
    const current = await this.statOrNull(principal, path);
    if (current?.kind === 'folder') throw new IsAFolderError('The target is a folder');
    if (current && !upload.replace) {
      throw new AlreadyExistsError('The file already exists; upload with entity_type "version" to replace its content');
    }
    if (current && (await this.vfs.locks.discover(current.id)).length > 0) throw new LockedError('The file is locked');
    const reservation = await this.reservations.check(principal, upload.userId, size);
    if (!current && path.length > 1) await this.vfs.mkdir(principal, parentOf(path), { parents: true });

    // Contract 15.1: a new file appears at once, empty, until the upload completes.
    const placeholder = current
      ? null
      : (
          await this.vfs.write(principal, path, Readable.from([]), {
            expectedSize: 0,
            precondition: (now) => {
              if (now) throw new AlreadyExistsError('The file already exists');
            },
          })
        ).entry;
    const now = this.options.clock();
    const base: UploadSessionRecord = {
      id: this.newId(),
      userId: upload.userId,
      ownerId: principal.userId,
      path,
      uri: upload.uri,
      size,
      chunkSize: this.options.chunkSize,
      mtime: upload.mtime ?? null,
      placeholderId: placeholder?.id ?? null,
      placeholderEtag: placeholder?.etag ?? null,
      createdAt: now,
      expiresAt: now + this.options.sessionMs,
      committingAt: null,
      completedAt: null,
      direct: null,
    };
    let opened: Awaited<ReturnType<DirectUploads['open']>> = null;
    try {
      const policy = await this.policyOf(principal);
      // Contract 15.5: where the store takes the bytes itself, the client sends them there.
      opened = upload.relay ? null : ((await this.options.direct?.open(policy.id, size, base.expiresAt)) ?? null);
      const record = opened ? { ...base, chunkSize: opened.offer.partSize, direct: opened.record } : base;
      await this.database.transaction(async (tx) => {
        // Sessions opened meanwhile count too: concurrent openings cannot overbook the quota.
        await this.reservations.confirm(tx, reservation);
        await this.sessions.insert(tx, record);
      });
      return { session: withCount(record), policy, direct: opened?.offer ?? null };
    } catch (error) {
      if (opened) await this.options.direct?.abandon(opened.record);
      await removePlaceholder(this.vfs, principal, base, this.options.warn);
      throw error;
    }
  }

  /**
   * Contract 15.5: the client says its direct upload is complete in the store. `secret` must be
   * the session's callback secret (CallbackSecret; UploadSessionNotFound for an unknown or
   * expired session); the file is written as its owner, whoever calls. Null when it was
   * complete already.
   */
  async completeDirect(sessionId: string, secret: string): Promise<Entry | null> {
    if (!this.options.direct || !SESSION_ID.test(sessionId)) throw new UploadSessionNotFoundError();
    const session = await this.options.direct.authorise(sessionId, secret);
    const owner = await this.users.principalFor(await this.users.get(session.ownerId));
    return this.options.direct.complete(owner, session);
  }

  /** The user's session with this id; null when there is none, it is another user's, or it expired. */
  async find(userId: number, id: string): Promise<UploadSession | null> {
    if (!SESSION_ID.test(id)) return null;
    const record = await this.database.read((db) => this.sessions.byId(db, id));
    if (!record || record.userId !== userId) return null;
    if (record.expiresAt <= this.options.clock()) return null;
    return withCount(record);
  }

  /** Indexes of the chunks stored so far (none once the upload completed). */
  async received(session: UploadSession): Promise<number[]> {
    return this.database.read((db) => this.sessions.receivedChunks(db, session.id));
  }

  /**
   * Stores chunk `index` from `body` (contract 15.3): ChunkIndex outside the file, ChunkLength
   * when the announced or actual length is not the chunk's; nothing is kept then. When this
   * was the last chunk missing, assembles the file and returns its entry. A chunk of an upload
   * that is complete is answered as done without being read; one of an upload being completed
   * waits for the outcome (contract 15.7: see `outcome`).
   */
  async putChunk(
    principal: Principal,
    session: UploadSession,
    index: number,
    body: Readable,
    announcedLength?: number,
  ): Promise<{ stored: boolean; entry: Entry | null }> {
    if (session.direct) {
      throw new UploadPolicyMismatchError('This upload goes straight to the store: PUT its parts to upload_urls, then call the callback');
    }
    if (!Number.isSafeInteger(index) || index < 0 || index >= session.chunkCount) throw new ChunkIndexError(index, session.chunkCount);
    const expected = index === session.chunkCount - 1 ? session.size - index * session.chunkSize : session.chunkSize;
    if (announcedLength !== undefined && announcedLength !== expected) throw new ChunkLengthError(expected);
    if (session.completedAt !== null) return { stored: false, entry: null };
    // Contract 15.7: OpenList gives up on the last chunk after 30 s and sends it again; answering
    // that retry as done while the file is still being assembled would make OpenList delete the
    // original it renamed aside, before it is known whether the upload completes. So it waits.
    if (this.committer.leased(session) && (await this.committer.outcome(session.id)) === 'completed') {
      return { stored: false, entry: null };
    }
    if (principal.readOnly) throw new ReadOnlyError();

    try {
      await this.chunks.put(session.id, index, body, expected);
    } catch (error) {
      if (error instanceof ChunkSizeMismatchError) throw new ChunkLengthError(expected);
      throw error;
    }
    const state = await this.database
      .transaction(async (tx) => {
        const current = await this.sessions.lock(tx, session.id, this.database.dialect);
        if (!current || current.completedAt !== null) return current ? 'completed' : 'gone';
        await this.sessions.recordChunk(tx, { sessionId: session.id, index, size: expected, now: this.options.clock() });
        return (await this.sessions.countChunks(tx, session.id)) === session.chunkCount ? 'all' : 'some';
      })
      .catch((error: unknown) => {
        if (isForeignKeyViolation(error)) return 'gone' as const;
        throw error;
      });
    if (state === 'gone' || state === 'completed') {
      // Cancelled, expired or completed while this chunk came in: it is not needed.
      await this.chunks.remove(session.id).catch((error: unknown) => this.options.warn(error, 'could not remove upload chunks'));
      if (state === 'gone') throw new UploadSessionNotFoundError();
      return { stored: false, entry: null };
    }
    return { stored: true, entry: state === 'all' ? await this.complete(principal, session) : null };
  }

  /** Contract 15.6: ends the session, removes its chunks, and its placeholder if nobody wrote to it. */
  async cancel(principal: Principal, session: UploadSession): Promise<void> {
    if (session.completedAt !== null) throw new UploadSessionNotFoundError('This upload is already complete; there is nothing to cancel');
    const removed = await this.database.transaction((tx) => this.sessions.delete(tx, session.id, this.options.clock() - this.leaseMs));
    if (!removed) {
      if (await this.database.read((db) => this.sessions.byId(db, session.id))) {
        throw new ConflictError('This upload is being completed right now and can no longer be cancelled');
      }
      throw new UploadSessionNotFoundError();
    }
    await this.chunks.remove(session.id);
    if (session.direct) await this.options.direct?.abandon(session.direct);
    await removePlaceholder(this.vfs, principal, session, this.options.warn);
  }

  /** The storage policy an upload into the principal's space goes to (contract 7.3, the listing's storage_policy). */
  async policyOf(principal: Principal): Promise<UploadPolicy> {
    const policy = await this.database.read((db) => this.policies.byId(db, principal.storagePolicyId));
    return { id: principal.storagePolicyId, name: policy?.name ?? 'Default', type: policy?.type ?? 'local' };
  }

  /** Which of these entries are placeholders of uploads in progress, with their session ids (contract 6: sys:upload_session_id). */
  async uploading(entries: readonly Entry[]): Promise<Map<number, string>> {
    const candidates = entries.filter((entry) => entry.kind === 'file' && entry.size === 0);
    const out = new Map<number, string>();
    if (candidates.length === 0) return out;
    const now = this.options.clock();
    const found = await this.database.read((db) =>
      this.sessions.byPlaceholders(
        db,
        candidates.map((entry) => entry.id),
        now,
      ),
    );
    for (const entry of candidates) {
      const session = found.get(entry.id);
      if (session && session.placeholderEtag === entry.etag) out.set(entry.id, session.id);
    }
    return out;
  }

  /** For gc and the hourly sweep job (maintenance.jobs.ts): expired sessions, their chunks and placeholders; chunk folders of no session older than `cutoff`. */
  sweep(cutoff: number): Promise<{ removed: number; freedBytes: number }> {
    return this.sweeper.sweep(cutoff);
  }

  /**
   * Assembles the file now that every chunk is in. When another request holds the claim (the
   * last chunks arrived at once, or this is a retry), its outcome is this chunk's answer too;
   * if it failed and gave the session back, this request tries once itself.
   */
  private async complete(principal: Principal, session: UploadSession): Promise<Entry | null> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const entry = await this.committer.commit(principal, session);
      if (entry) return entry;
      if ((await this.committer.outcome(session.id)) === 'completed') return null;
    }
    throw new UploadStillCompletingError();
  }

  private async statOrNull(principal: Principal, path: VPath): Promise<Entry | null> {
    try {
      return await this.vfs.stat(principal, path);
    } catch (error) {
      if (error instanceof NotFoundError || error instanceof NotAFolderError) return null;
      throw error;
    }
  }
}

/** Contract 15.3: ceil(size / chunk size) chunks, and at least one (an empty file is one empty chunk). */
function withCount(record: UploadSessionRecord): UploadSession {
  return { ...record, chunkCount: Math.max(1, Math.ceil(record.size / record.chunkSize)) };
}
