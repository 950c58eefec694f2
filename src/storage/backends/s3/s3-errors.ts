import { redactText, UnavailableError, UpstreamError } from '../../../core/index.js';

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: 'client' | 'server';
}

/** Network failures: the store could not be reached or went away; the request may be retried. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_SOCKET',
  'TimeoutError',
  'RequestTimeout',
  'NetworkingError',
]);

export function httpStatusOf(error: unknown): number | undefined {
  return (error as SdkErrorShape | null)?.$metadata?.httpStatusCode;
}

/** S3's answer for a key that holds nothing (GET answers NoSuchKey, HEAD a bare 404). */
export function isMissing(error: unknown): boolean {
  const shape = error as SdkErrorShape | null;
  return shape?.name === 'NoSuchKey' || shape?.name === 'NotFound' || shape?.$metadata?.httpStatusCode === 404;
}

/**
 * An SDK failure as a typed domain error that names the store (`label`) and what was being
 * done (`key`, the object's, goes to the log only): unreachable or busy → UnavailableError (503), any other answer → UpstreamError (502).
 * Errors that are not the SDK's pass through unchanged.
 */
export function translateS3Error(error: unknown, label: string, doing: string, key?: string): unknown {
  const shape = error as SdkErrorShape | null;
  if (!shape || typeof shape !== 'object') return error;
  // The object's key is for the log: clients see which store failed and at what, not our key layout.
  const options = { cause: error, ...(key !== undefined && { logged: { key } }) };
  const status = shape.$metadata?.httpStatusCode;
  // The SDK aborts a request whose socket closed under it; callers rethrow their own aborts first.
  if (shape.name === 'AbortError' && status === undefined) {
    return new UnavailableError(`The connection to the ${label} was lost while ${doing}`, options);
  }
  const code = shape.code ?? shape.name ?? '';
  if (UNREACHABLE.has(code) || (status === undefined && /socket|connect|timed? ?out/i.test(shape.message ?? ''))) {
    return new UnavailableError(`The ${label} cannot be reached while ${doing} (${code || 'connection failed'})`, options);
  }
  if (status === 503 || shape.name === 'SlowDown') {
    return new UnavailableError(`The ${label} is busy while ${doing} (HTTP ${status ?? 503})`, options);
  }
  if (status !== undefined) {
    const why = redactText(shape.message && shape.message !== 'UnknownError' ? shape.message : (shape.name ?? 'an error'));
    return new UpstreamError(`The ${label} failed while ${doing}: ${why} (HTTP ${status})`, options);
  }
  return error;
}
