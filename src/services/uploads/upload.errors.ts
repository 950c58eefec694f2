import { DomainError } from '../../core/index.js';

/**
 * Upload failures the API tells apart (Cloudreve V4 contract, 15.3 and 3.4): an unknown,
 * expired or foreign session (40011), a chunk index outside the file (40012), and a chunk
 * body of the wrong length (40013).
 */
export class UploadSessionNotFoundError extends DomainError {
  constructor(message = 'This upload session does not exist, has expired or belongs to someone else; start the upload again') {
    super('NOT_FOUND', message);
  }
}

export class ChunkIndexError extends DomainError {
  constructor(index: number, count: number) {
    super(
      'INVALID_ARGUMENT',
      `Chunk index ${index} is out of range: this upload has ${count} chunk${count === 1 ? '' : 's'}, 0 to ${count - 1}`,
    );
  }
}

export class ChunkLengthError extends DomainError {
  constructor(readonly expected: number) {
    // The contract's wording (3.4), which clients may show as is.
    super('INVALID_ARGUMENT', `Invalid Content-Length (expected: ${expected})`);
  }
}

/**
 * Contract 15.7: a chunk of an upload whose file is still being assembled, after waiting for
 * as long as a client waits for an answer. Never answered as success: OpenList deletes the
 * original it renamed aside once the last chunk succeeds, so it must retry instead.
 */
export class UploadStillCompletingError extends DomainError {
  constructor() {
    super(
      'CONFLICT',
      'The file of this upload is still being assembled from its chunks; send the last chunk again in a moment to learn whether it completed',
    );
  }
}

/** A user who already has as many open upload sessions as the server allows (config uploads.maxOpenSessions). */
export class TooManyUploadsError extends DomainError {
  constructor(limit: number) {
    super(
      'RATE_LIMITED',
      `You already have ${limit} upload${limit === 1 ? '' : 's'} in progress, the most this server allows; finish or cancel one before starting another`,
    );
  }
}

/** Contract 15.3 and 15.5 (40006): a chunk sent here for an upload that goes straight to the store, or a callback of another policy type. */
export class UploadPolicyMismatchError extends DomainError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message);
  }
}

/** Contract 15.5: a callback whose secret is not its session's (Cloudreve 4.18: 40020 "Invalid callback secret"). */
export class CallbackSecretError extends DomainError {
  constructor() {
    super('UNAUTHENTICATED', 'Invalid callback secret');
  }
}
