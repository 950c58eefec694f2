import { UnavailableError, contentTypeOf, type Entry } from '../../core/index.js';
import type { BlobRepository, Database, PolicyRepository } from '../../db/index.js';
import type { BlobBackend } from '../../storage/index.js';

/** The backend of a policy; may be async once policies are managed objects (branch policies). */
export type BackendLookup = (policyId: number) => BlobBackend | Promise<BlobBackend>;

export interface DirectLinkRequest {
  /** `attachment` (a download) or `inline` (a preview). */
  readonly disposition: 'attachment' | 'inline';
  /** At most this long: the caller's own links expire then too (contract 9.1, entity_url_default_ttl). */
  readonly expiresInSeconds: number;
}

/**
 * Downloads per storage policy (issue 11, item 4): a policy with `download: redirect` whose
 * backend can presign (S3) hands clients a URL of the store itself, so the bytes never pass
 * through this server. Everything else (proxy policies, backends without the capability,
 * small blobs kept in their database row) is served by Cumulus, and `forEntry` says so by
 * answering null.
 */
export class DirectLinks {
  constructor(
    private readonly database: Database,
    private readonly blobs: BlobRepository,
    private readonly policies: PolicyRepository,
    private readonly backendOf: BackendLookup,
  ) {}

  /** A presigned URL of this version of the file, or null when this server serves it. */
  async forEntry(entry: Entry, request: DirectLinkRequest): Promise<string | null> {
    if (entry.kind !== 'file' || entry.blobId === null || entry.size === 0) return null;
    const blobId = entry.blobId;
    const found = await this.database.read(async (db) => {
      const blob = await this.blobs.byId(db, blobId);
      return blob && !blob.inline ? { blob, policy: await this.policies.byId(db, blob.policyId) } : null;
    });
    if (!found?.policy || found.policy.settings.download !== 'redirect') return null;
    const backend = await reachableBackend(this.backendOf, found.blob.policyId);
    if (!backend?.presignGet) return null;
    return backend.presignGet(found.blob.storageKey, {
      expiresInSeconds: request.expiresInSeconds,
      fileName: entry.name,
      disposition: request.disposition,
      contentType: contentTypeOf(entry.name),
    });
  }
}

/** The policy's backend; null for one this server cannot reach (its callers then fall back to the proxied path). */
export async function reachableBackend(backendOf: BackendLookup, policyId: number): Promise<BlobBackend | null> {
  try {
    return await backendOf(policyId);
  } catch (error) {
    if (error instanceof UnavailableError) return null;
    throw error;
  }
}
