import { DomainError, NotFoundError } from '../../core/index.js';

/**
 * Sign-in failures the API tells apart (Cloudreve V4 contract, section 3.4): a wrong email or
 * password (40080), a disabled account (40017), and a token that cannot be used (40020).
 * None of them means "not signed in" (401), which only the API's own check answers.
 */
export class InvalidCredentialsError extends DomainError {
  constructor(message = 'Incorrect password or email address') {
    super('UNAUTHENTICATED', message);
  }
}

export class AccountDisabledError extends DomainError {
  constructor(message = 'This account is disabled') {
    super('FORBIDDEN', message);
  }
}

export class TokenRejectedError extends DomainError {
  constructor(message: string) {
    super('UNAUTHENTICATED', message);
  }
}

/** No live session of the caller has this id (404 "Session not found", as Cloudreve words it). */
export class SessionNotFoundError extends NotFoundError {
  constructor(message = 'Session not found') {
    super(message);
  }
}
