import { Agent, request, type Dispatcher } from 'undici';
import type { Readable } from 'node:stream';
import { InsufficientStorageError, UnavailableError, UpstreamError } from '../../../core/index.js';

/** Limits on a remote server that stops answering: connecting, the status line, and a stalled body. */
export interface WebDavTimeouts {
  readonly connectMs: number;
  readonly headersMs: number;
  /** Longest pause between two pieces of a body, either way; longer and the transfer fails. */
  readonly idleMs: number;
}

export const DEFAULT_WEBDAV_TIMEOUTS: WebDavTimeouts = { connectMs: 10_000, headersMs: 60_000, idleMs: 60_000 };

export interface DavRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers?: Record<string, string>;
  readonly body?: Readable | string;
  readonly signal?: AbortSignal;
  /** What the request is for, in error messages. */
  readonly doing: Doing | string;
}

/**
 * What a request was for: `what` goes into the message clients see ("storing an object"),
 * `key` (the object's storage key) only into the log.
 */
export interface Doing {
  readonly what: string;
  readonly key?: string;
}

/** A plain string names something clients may see in full (a path in a mount, a sync pair's file). */
function described(doing: Doing | string): Doing {
  return typeof doing === 'string' ? { what: doing } : doing;
}

function loggedKey(doing: Doing): { logged?: { key: string } } {
  return doing.key === undefined ? {} : { logged: { key: doing.key } };
}

export type DavResponse = Dispatcher.ResponseData;

/** Network failures: the server could not be reached, went away, or stalled past a timeout. */
const UNREACHABLE =
  /^(UND_ERR_(CONNECT_TIMEOUT|HEADERS_TIMEOUT|BODY_TIMEOUT|SOCKET|CLOSED|DESTROYED)|E(CONNREFUSED|CONNRESET|TIMEDOUT|HOSTUNREACH|NETUNREACH|PIPE|AI_AGAIN)|ENOTFOUND)$/;

/**
 * HTTP to one remote WebDAV server: Basic credentials on every request, timeouts, and no
 * redirects followed at all (RFC 4918 servers have no reason to redirect a blob path, and a
 * redirect to another host would carry our credentials or bodies there): a 3xx is a failure.
 * Failures become typed domain errors naming the server (host and path, never credentials).
 */
export class DavTransport {
  private readonly agent: Agent;
  private readonly authorization: string | undefined;
  readonly label: string;

  constructor(
    base: URL,
    credentials: { username?: string; password?: string },
    timeouts: WebDavTimeouts = DEFAULT_WEBDAV_TIMEOUTS,
    /** Extra undici connect options (a `lookup` that checks addresses, for remotes users configure). */
    connect?: object,
  ) {
    this.agent = new Agent({
      connect: { timeout: timeouts.connectMs, ...connect },
      headersTimeout: timeouts.headersMs,
      bodyTimeout: timeouts.idleMs,
    });
    this.authorization =
      credentials.username === undefined
        ? undefined
        : `Basic ${Buffer.from(`${credentials.username}:${credentials.password ?? ''}`).toString('base64')}`;
    this.label = `WebDAV server ${base.host}${base.pathname}`;
  }

  /** Sends the request; answers any status below 300 and turns everything else into an error (unless `accept` takes it). */
  async send(req: DavRequest, accept: readonly number[] = []): Promise<DavResponse> {
    let response: DavResponse;
    try {
      response = await request(req.url, {
        method: req.method as Dispatcher.HttpMethod,
        headers: { ...req.headers, ...(this.authorization && { authorization: this.authorization }) },
        body: req.body,
        signal: req.signal,
        dispatcher: this.agent,
      });
    } catch (error) {
      throw this.translate(error, req.doing, req.signal);
    }
    if (response.statusCode < 300 || accept.includes(response.statusCode)) return response;
    response.body.resume();
    throw this.statusError(response.statusCode, req.doing);
  }

  /** A network failure as UnavailableError; the caller's own abort and other errors unchanged. */
  translate(error: unknown, doingAny: Doing | string, signal?: AbortSignal): unknown {
    const doing = described(doingAny);
    if (signal?.aborted) return signal.reason;
    const code = (error as { code?: string } | null)?.code ?? '';
    if (code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT') {
      return new UnavailableError(`The ${this.label} stalled while ${doing.what} (${code})`, { cause: error, ...loggedKey(doing) });
    }
    if (UNREACHABLE.test(code)) {
      return new UnavailableError(`The ${this.label} cannot be reached while ${doing.what} (${code})`, {
        cause: error,
        ...loggedKey(doing),
      });
    }
    return error;
  }

  statusError(status: number, doingAny: Doing | string): Error {
    const doing = described(doingAny);
    const logged = loggedKey(doing);
    if (status === 507) return new InsufficientStorageError(`The ${this.label} has no space left while ${doing.what}`);
    if (status === 503 || status === 502 || status === 504) {
      return new UnavailableError(`The ${this.label} is unavailable while ${doing.what} (HTTP ${status})`, logged);
    }
    if (status >= 300 && status < 400) {
      return new UpstreamError(
        `The ${this.label} redirected while ${doing.what} (HTTP ${status}); redirects from a storage server are not followed`,
        logged,
      );
    }
    if (status === 401 || status === 403) {
      return new UpstreamError(`The ${this.label} refused the configured credentials while ${doing.what} (HTTP ${status})`, logged);
    }
    return new UpstreamError(`The ${this.label} failed while ${doing.what} (HTTP ${status})`, logged);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
