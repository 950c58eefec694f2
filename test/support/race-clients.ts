import http from 'node:http';
import type { Account, ServerProcess } from './two-servers.js';

/** One answer as a race records it: who answered what to which request. */
export interface Reply {
  readonly server: 'A' | 'B';
  readonly request: string;
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/**
 * How long a request may go unanswered before the round records it as hung. Far above any
 * normal answer on a loaded machine: it turns a deadlock into a failure naming the request
 * instead of a test timeout.
 */
const HUNG_MS = 60_000;

/** Runs a request, turning "no answer within HUNG_MS" into an error that names it. */
async function answered<T>(request: string, server: ServerProcess, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const signal = AbortSignal.timeout(HUNG_MS);
  try {
    return await work(signal);
  } catch (error) {
    if (signal.aborted) throw new Error(`${request} on ${server.name} got no answer in ${HUNG_MS / 1000} s`, { cause: error });
    throw error;
  }
}

/** Rejects when the signal aborts. */
function abortion(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));
}

export interface DavOptions {
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
}

function basic(account: Account): string {
  return `Basic ${Buffer.from(`${account.email}:${account.davPassword}`).toString('base64')}`;
}

/** A WebDAV request to one process; `path` is below /dav and already URL-safe. */
export async function dav(server: ServerProcess, account: Account, method: string, path: string, options: DavOptions = {}): Promise<Reply> {
  const request = `${method} ${path}`;
  return answered(request, server, async (signal) => {
    const response = await fetch(`${server.origin}/dav${path}`, {
      method,
      headers: { Authorization: basic(account), ...options.headers },
      body: options.body,
      signal,
    });
    return { server: server.name, request, status: response.status, headers: response.headers, text: await response.text() };
  });
}

/** The Cloudreve V4 envelope with the HTTP status. */
export interface ApiReply<T = unknown> extends Reply {
  readonly code: number;
  readonly msg: string;
  readonly data: T | undefined;
}

/** A REST API request to one process: `json` is sent as JSON, a Buffer as the raw body. */
export async function api<T = unknown>(
  server: ServerProcess,
  account: Account,
  method: string,
  route: string,
  body?: unknown,
): Promise<ApiReply<T>> {
  const raw = Buffer.isBuffer(body);
  const { response, text } = await answered(`${method} ${route}`, server, async (signal) => {
    const response = await fetch(`${server.origin}/api/v4${route}`, {
      method,
      headers: {
        Authorization: `Bearer ${account.token}`,
        ...(body !== undefined && { 'Content-Type': raw ? 'application/octet-stream' : 'application/json' }),
      },
      body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
      signal,
    });
    return { response, text: await response.text() };
  });
  let envelope: { code: number; msg: string; data?: T };
  try {
    envelope = JSON.parse(text) as typeof envelope;
  } catch {
    envelope = { code: -1, msg: `not JSON: ${text.slice(0, 200)}` };
  }
  return {
    server: server.name,
    request: `${method} ${route}`,
    status: response.status,
    headers: response.headers,
    text,
    code: envelope.code,
    msg: envelope.msg,
    data: envelope.data,
  };
}

export const EXCLUSIVE_LOCK_BODY =
  '<?xml version="1.0" encoding="utf-8"?><d:lockinfo xmlns:d="DAV:"><d:lockscope><d:exclusive/></d:lockscope>' +
  '<d:locktype><d:write/></d:locktype><d:owner>racer</d:owner></d:lockinfo>';

/** An exclusive write lock, depth 0. */
export function lock(server: ServerProcess, account: Account, path: string): Promise<Reply> {
  return dav(server, account, 'LOCK', path, {
    headers: { 'Content-Type': 'application/xml', Depth: '0', Timeout: 'Second-600' },
    body: EXCLUSIVE_LOCK_BODY,
  });
}

/** Files and folders under `path` (Depth 1), as the names PROPFIND lists, `path` itself excluded. */
export async function listNames(server: ServerProcess, account: Account, path: string): Promise<string[] | null> {
  const reply = await dav(server, account, 'PROPFIND', path, {
    headers: { Depth: '1', 'Content-Type': 'application/xml' },
    body: '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/></d:prop></d:propfind>',
  });
  if (reply.status === 404) return null;
  if (reply.status !== 207) throw new Error(`PROPFIND ${path}: ${reply.status} ${reply.text.slice(0, 200)}`);
  const self = new URL(`/dav${path}`, 'http://x').pathname.replace(/\/$/, '');
  return [...reply.text.matchAll(/<(?:\w+:)?href>([^<]*)<\/(?:\w+:)?href>/g)]
    .map((match) => decodeURIComponent(match[1]!).replace(/\/$/, ''))
    .filter((href) => href !== decodeURIComponent(self))
    .map((href) => href.slice(href.lastIndexOf('/') + 1))
    .sort();
}

/** A GET's status and body as text. */
export async function read(server: ServerProcess, account: Account, path: string): Promise<{ status: number; text: string }> {
  const reply = await dav(server, account, 'GET', path);
  return { status: reply.status, text: reply.text };
}

/**
 * A PUT whose body the test feeds piece by piece over a raw socket, so it can stop in the
 * middle: `send` writes bytes, `finish` ends the body and waits for the answer, `abort`
 * destroys the connection as a client that went away would.
 */
export function streamingPut(server: ServerProcess, account: Account, path: string, totalBytes: number) {
  const url = new URL(`${server.origin}/dav${path}`);
  const request = http.request({
    host: url.hostname,
    port: url.port,
    path: url.pathname,
    method: 'PUT',
    agent: false,
    headers: { Authorization: basic(account), 'Content-Length': String(totalBytes) },
  });
  const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
    request.on('response', (response) => {
      let text = '';
      response.on('data', (data: Buffer) => (text += data.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
  // An aborted request rejects; callers that abort do not wait for it.
  answer.catch(() => undefined);
  return {
    send: (bytes: Buffer) =>
      answered(`PUT ${path} (sending its body)`, server, (signal) =>
        Promise.race([
          new Promise<void>((resolve, reject) => request.write(bytes, (error) => (error ? reject(error) : resolve()))),
          // A server that answers (or drops the connection) before the whole body arrived ends the sending: `finish` tells how.
          answer.then(
            () => undefined,
            () => undefined,
          ),
          abortion(signal),
        ]),
      ),
    finish: () => {
      request.end();
      return answered(`PUT ${path} (streamed)`, server, (signal) => Promise.race([answer, abortion(signal)]));
    },
    abort: () => request.destroy(),
  };
}

/** A Destination header aimed at the process that gets the request. */
export function destination(server: ServerProcess, path: string): Record<string, string> {
  return { Destination: `${server.origin}/dav${path}` };
}

/** "MOVE /x on A: 201, MOVE /y on B: 412", for failure messages. */
export function statuses(...replies: Reply[]): string {
  return replies.map((r) => `${r.request} on ${r.server}: ${r.status}`).join(', ');
}

export function succeeded(reply: { readonly status: number }): boolean {
  return reply.status >= 200 && reply.status < 300;
}

/** Test setup, not under test: a request that must succeed. */
export async function must(reply: Promise<Reply>): Promise<Reply> {
  const done = await reply;
  if (!succeeded(done)) throw new Error(`setup: ${done.request} on ${done.server} answered ${done.status}: ${done.text.slice(0, 300)}`);
  return done;
}

/** Distinct, recognisable content of `size` bytes. */
export function contentOf(label: string, size: number): string {
  return `${label}:`.repeat(Math.ceil(size / (label.length + 1))).slice(0, size);
}
