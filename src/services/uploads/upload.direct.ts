import { createHash, timingSafeEqual } from 'node:crypto';
import { InvalidArgumentError, type Entry, type Principal } from '../../core/index.js';
import type {
  BlobRepository,
  Database,
  DirectUploadRecord,
  PolicyRepository,
  UploadSessionRecord,
  UploadSessionRepository,
} from '../../db/index.js';
import { generatePassword } from '../../auth/index.js';
import { storageKeyOf, type Vfs } from '../../vfs/index.js';
import { reachableBackend, type BackendLookup } from '../downloads/direct-links.service.js';
import { CallbackSecretError, UploadPolicyMismatchError, UploadSessionNotFoundError, UploadStillCompletingError } from './upload.errors.js';
import { checkPlaceholder, removePlaceholder } from './upload.placeholder.js';

export interface DirectUploadOptions {
  readonly clock: () => number;
  /** Ids of new blobs. */
  readonly newId: () => string;
  /** Files up to this size are kept in their database row, so their bytes come here. */
  readonly inlineMaxBytes: number;
  readonly leaseMs: number;
  readonly warn: (error: unknown, message: string) => void;
}

/** What the client needs to upload straight to the store (contract 15.1, s3 column). */
export interface DirectUploadOffer {
  readonly uploadId: string;
  readonly partSize: number;
  /** Part i+1 goes to partUrls[i]. */
  readonly partUrls: readonly string[];
  readonly completeUrl: string;
}

/** S3's default part size, when the policy names none. */
const DEFAULT_PART_SIZE = 16 * 1024 * 1024;
/** S3 allows at most 10,000 parts to an upload. */
const MAX_PARTS = 10_000;
/** A SigV4 presigned URL works for at most 7 days. */
const MAX_PRESIGN_SECONDS = 7 * 86400;

/**
 * Direct uploads to the store (Cloudreve V4 contract 15.5, issue 11 item 5): the session
 * presigns a multipart upload's parts and completion, the client sends the bytes straight to
 * the store and then calls back; this server never holds them. The object is written under a
 * pending blob row made with the session, whose heartbeat is set to the session's expiry, so
 * gc leaves both the row and the object alone until the session has expired (then the upload
 * sweeper abandons it). The callback checks the object's size before one transaction turns
 * the placeholder into the file (vfs.attach).
 */
export class DirectUploads {
  constructor(
    private readonly database: Database,
    private readonly sessions: UploadSessionRepository,
    private readonly blobs: BlobRepository,
    private readonly policies: PolicyRepository,
    private readonly vfs: Vfs,
    private readonly backendOf: BackendLookup,
    private readonly options: DirectUploadOptions,
  ) {}

  /**
   * A multipart upload in the policy's store for a file of `size` bytes, or null when the
   * bytes must come here: small files (kept in the database), empty ones, and backends that
   * cannot presign uploads.
   */
  async open(policyId: number, size: number, expiresAt: number): Promise<{ record: DirectUploadRecord; offer: DirectUploadOffer } | null> {
    if (size === 0 || size <= this.options.inlineMaxBytes) return null;
    const backend = await reachableBackend(this.backendOf, policyId);
    if (!backend?.createDirectUpload) return null;
    const policy = await this.database.read((db) => this.policies.byId(db, policyId));
    const configured = Number(policy?.settings.partSizeBytes ?? DEFAULT_PART_SIZE);
    const partSize = Math.max(configured, Math.ceil(size / MAX_PARTS));
    const now = this.options.clock();
    const expiresInSeconds = Math.min(MAX_PRESIGN_SECONDS, Math.max(1, Math.ceil((expiresAt - now) / 1000)));

    const blobId = this.options.newId();
    const key = storageKeyOf(blobId);
    await this.database.transaction(async (tx) => {
      await this.blobs.createPending(tx, { id: blobId, policyId, storageKey: key, now });
      // The client writes for as long as the session lasts: gc must not take the row before.
      await this.blobs.touch(tx, blobId, expiresAt);
    });
    try {
      const upload = await backend.createDirectUpload(key, { size, partSize, expiresInSeconds });
      return {
        record: { uploadId: upload.uploadId, blobId, policyId, callbackSecret: generatePassword(32) },
        offer: { uploadId: upload.uploadId, partSize, partUrls: upload.partUrls, completeUrl: upload.completeUrl },
      };
    } catch (error) {
      await this.database.transaction((tx) => this.blobs.delete(tx, blobId)).catch(() => undefined);
      throw error;
    }
  }

  /**
   * The session `id` if it is open (or completed) and `secret` is its callback's:
   * UploadSessionNotFound or CallbackSecret otherwise. A session of chunks sent here has no
   * secret to match and answers UploadPolicyMismatch (contract 15.5: 40006).
   */
  async authorise(id: string, secret: string): Promise<UploadSessionRecord & { direct: DirectUploadRecord }> {
    const session = await this.database.read((db) => this.sessions.byId(db, id));
    if (!session || (session.completedAt === null && session.expiresAt <= this.options.clock())) throw new UploadSessionNotFoundError();
    const { direct } = session;
    if (!direct) throw new UploadPolicyMismatchError('This upload sends its chunks to this server: it has no storage callback');
    if (!sameSecret(direct.callbackSecret, secret)) throw new CallbackSecretError();
    return { ...session, direct };
  }

  /**
   * Contract 15.5 callback: the object must be in the store with the session's size; then the
   * placeholder (or the file a version replaces) points at it. Idempotent: a completed session
   * answers null. An object of another size ends the upload (its parts cannot be sent again
   * under a completed upload id); a missing one leaves the session open for the client to
   * complete first.
   */
  async complete(principal: Principal, session: UploadSessionRecord & { direct: DirectUploadRecord }): Promise<Entry | null> {
    const { clock, leaseMs } = this.options;
    if (session.completedAt !== null) return null;
    const claimedAt = clock();
    if (!(await this.database.transaction((tx) => this.sessions.claim(tx, session.id, claimedAt, claimedAt - leaseMs)))) {
      const now = await this.database.read((db) => this.sessions.byId(db, session.id));
      if (now?.completedAt != null) return null;
      throw now ? new UploadStillCompletingError() : new UploadSessionNotFoundError();
    }
    const { direct } = session;
    let stored: { size: number } | null;
    try {
      const backend = await this.backendOf(direct.policyId);
      stored = await backend.stat(storageKeyOf(direct.blobId));
      if (stored === null) {
        throw new InvalidArgumentError(
          'The store holds no object for this upload yet: upload every part and complete it at completeURL first',
        );
      }
    } catch (error) {
      await this.database.transaction((tx) => this.sessions.release(tx, session.id));
      throw error;
    }
    if (stored.size !== session.size) {
      await this.end(principal, session);
      throw new InvalidArgumentError(
        `The store holds ${stored.size} bytes for this upload where ${session.size} were announced; start the upload again`,
      );
    }
    let entry: Entry;
    try {
      ({ entry } = await this.vfs.attach(
        principal,
        session.path,
        { id: direct.blobId, size: session.size, sha256: null, sha1: null },
        direct.policyId,
        { mtime: session.mtime ?? undefined, precondition: (current) => checkPlaceholder(session, current) },
      ));
    } catch (error) {
      // attach discarded the blob: this upload can never complete.
      await this.end(principal, session);
      throw error;
    }
    await this.database
      .transaction((tx) => this.sessions.complete(tx, session.id, clock()))
      .catch((error: unknown) => this.options.warn(error, `could not mark upload ${session.id} complete`));
    return entry;
  }

  /**
   * Gives a session's direct upload up: aborts the multipart upload where the store can
   * (s3rver cannot: its 405 is logged, and the parts are the store's to expire), then removes
   * the pending blob's row and whatever object it has. A blob that became a file stays.
   */
  async abandon(direct: DirectUploadRecord): Promise<void> {
    const key = storageKeyOf(direct.blobId);
    try {
      const backend = await this.backendOf(direct.policyId);
      await backend
        .abortDirectUpload?.(key, direct.uploadId)
        .catch((error: unknown) =>
          this.options.warn(
            error,
            `could not abort the direct upload of blob ${direct.blobId}; the store keeps its parts until it expires them`,
          ),
        );
      const removed = await this.database.transaction(async (tx) => {
        const blob = await this.blobs.byId(tx, direct.blobId);
        if (blob?.state !== 'pending') return false;
        await this.blobs.delete(tx, direct.blobId);
        return true;
      });
      if (removed) await backend.delete(key);
    } catch (error) {
      this.options.warn(error, `could not remove the direct upload of blob ${direct.blobId}; gc will`);
    }
  }

  /** Deletes the session (a failed commit's claim is ours) and its direct upload; the placeholder goes with the caller. */
  private async end(principal: Principal, session: UploadSessionRecord & { direct: DirectUploadRecord }): Promise<void> {
    await this.database.transaction((tx) => this.sessions.delete(tx, session.id, Number.MAX_SAFE_INTEGER));
    await this.abandon(session.direct);
    await removePlaceholder(this.vfs, principal, session, this.options.warn);
  }
}

/** Compares secrets in constant time (contract 15.5: 4.18 compares so). */
function sameSecret(expected: string, given: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(expected), digest(given));
}
