import type { Envelope } from './types';

/** The REST API's prefix (contract 3.1). */
export const API_BASE = '/api/v4';

/** Not an API code: the request never got an envelope back (offline, proxy error page, timeout). */
export const NETWORK_FAILURE = -100;

/** Contract 3.4 codes the UI reacts to. */
export const CODES = {
  loginRequired: 401,
  forbidden: 403,
  notFound: 404,
  parameter: 40001,
  exists: 40004,
  uploadSessionExpired: 40011,
  notExist: 40016,
  credentialInvalid: 40020,
  shareWrongPassword: 40069,
  lockConflict: 40073,
  entityNotExist: 40077,
  batchFailed: 40081,
} as const;

/** A refusal from the server, carrying its code and its own message (shown to the user as is). */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly details?: Envelope<unknown>['aggregated_error'],
    /** The envelope's `data` on a failure: the locks in the way for 40073 (contract 14.2). */
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The code behind a batch failure (contract 3.4, 40081) when exactly one URI failed, else the code itself. */
  get rootCode(): number {
    const entries = Object.values(this.details ?? {});
    return this.code === CODES.batchFailed && entries.length === 1 ? entries[0]!.code : this.code;
  }
}

export interface RawOptions {
  readonly query?: Record<string, string | number | boolean | undefined>;
  readonly json?: unknown;
  readonly token?: string | null;
  readonly signal?: AbortSignal;
}

/** The message of any failure, for display. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

export function urlOf(path: string, query: RawOptions['query'] = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) search.set(key, String(value));
  const qs = search.toString();
  return `${API_BASE}${path}${qs ? `?${qs}` : ''}`;
}

/** One call, without any token handling: the envelope, or an ApiError for transport failures. */
export async function rawCall<T>(method: string, path: string, options: RawOptions = {}): Promise<Envelope<T>> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  let response: Response;
  try {
    response = await fetch(urlOf(path, options.query), { method, headers, body, signal: options.signal, credentials: 'same-origin' });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new ApiError(NETWORK_FAILURE, 'Could not reach the server. Check your connection and try again.');
  }
  const text = await response.text().catch(() => '');
  try {
    const envelope = JSON.parse(text) as Envelope<T>;
    if (typeof envelope === 'object' && envelope !== null && typeof envelope.code === 'number') return envelope;
  } catch {
    // not JSON: reported below
  }
  throw new ApiError(
    NETWORK_FAILURE,
    `The server answered HTTP ${response.status} without an API response${response.ok ? '' : `: ${response.statusText}`}.`,
  );
}

/** The envelope's data, or its failure as an ApiError with the server's message. */
export function unwrap<T>(envelope: Envelope<T>): T {
  if (envelope.code !== 0) {
    const message = envelope.msg || `The server refused the request (code ${envelope.code}).`;
    throw new ApiError(envelope.code, message, envelope.aggregated_error, envelope.data);
  }
  return envelope.data as T;
}
