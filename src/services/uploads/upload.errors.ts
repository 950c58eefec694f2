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
