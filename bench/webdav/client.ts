/**
 * The WebDAV client of bench/webdav.bench.ts: the same node:http code, with a keep-alive agent
 * per server, for every server measured. Every helper checks what it gets back, so a broken
 * server cannot look fast.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { KiB, MiB } from '../lib.js';

/** A running WebDAV server, as the workloads see it. */
export interface DavServer {
  /** Column label, e.g. 'Cumulus (--workers auto)'. */
  readonly label: string;
  readonly host: string;
  readonly port: number;
  /** Path prefix of the WebDAV root: '/dav/' or '/'. */
  readonly prefix: string;
  readonly authorization: string;
  /** The process the server was started as; its descendants are counted with it. */
  readonly pid: number;
  readonly agent: http.Agent;
  /** How it was started, for the report. */
  readonly startedAs: string;
  stop(): Promise<void>;
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** Sockets for the most concurrent clients any workload uses. */
export function newAgent(): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: 32, maxFreeSockets: 32 });
}

export interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  /** Body bytes received. */
  readonly bytes: number;
  /** The whole body when `collect`, else its first 4 KiB (for error messages). */
  readonly text: string;
  /** Milliseconds from sending the request to the first body byte (or the end, when empty). */
  readonly firstByteMs: number;
}

export interface CallOptions {
  readonly headers?: Record<string, string>;
  /** A whole body, or a stream (give Content-Length in headers). */
  readonly body?: Buffer | string | Readable;
  /** Keep the whole body as text. */
  readonly collect?: boolean;
  /** Sees every body chunk. */
  readonly onChunk?: (chunk: Buffer, offset: number) => void;
}

export function call(server: DavServer, method: string, relative: string, options: CallOptions = {}): Promise<Reply> {
  return new Promise<Reply>((resolve, reject) => {
    const started = performance.now();
    const headers: Record<string, string> = { Authorization: server.authorization, ...options.headers };
    const body = options.body;
    if ((typeof body === 'string' || Buffer.isBuffer(body)) && headers['Content-Length'] === undefined) {
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    const request = http.request(
      { agent: server.agent, host: server.host, port: server.port, method, path: server.prefix + relative, headers },
      (response) => {
        let bytes = 0;
        let firstByteMs = -1;
        const chunks: Buffer[] = [];
        let kept = 0;
        response.on('data', (chunk: Buffer) => {
          if (firstByteMs < 0) firstByteMs = performance.now() - started;
          options.onChunk?.(chunk, bytes);
          bytes += chunk.length;
          if (options.collect || kept < 4 * KiB) {
            chunks.push(chunk);
            kept += chunk.length;
          }
        });
        response.once('error', reject);
        response.once('end', () => {
          if (firstByteMs < 0) firstByteMs = performance.now() - started;
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: response.statusCode ?? 0, headers: response.headers, bytes, text, firstByteMs });
        });
      },
    );
    request.once('error', reject);
    if (body === undefined) request.end();
    else if (typeof body === 'string' || Buffer.isBuffer(body)) request.end(body);
    else pipeline(body, request).catch(reject);
  });
}

export function expectStatus(server: DavServer, reply: Reply, expected: readonly number[], what: string): void {
  if (!expected.includes(reply.status)) {
    throw new Error(`${server.label}: ${what} answered ${reply.status}, expected ${expected.join(' or ')}: ${reply.text.slice(0, 300)}`);
  }
}

/** Runs work(0..n-1) on `clients` concurrent workers. */
export async function inParallel(n: number, clients: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(clients, n) }, worker));
}

const RESPONSE = /<(?:[A-Za-z_][\w.-]*:)?response[\s>]/g;

/** The number of D:response elements of a multistatus. */
export function responsesIn(xml: string): number {
  return xml.match(RESPONSE)?.length ?? 0;
}

export const NAMED_PROPS =
  '<?xml version="1.0" encoding="utf-8"?>\n<D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/><D:getcontentlength/>' +
  '<D:getlastmodified/><D:getetag/><D:getcontenttype/></D:prop></D:propfind>';
const XML_HEADERS = { 'Content-Type': 'application/xml; charset=utf-8' };

export async function propfind(
  server: DavServer,
  relative: string,
  depth: '0' | '1',
  body?: string,
): Promise<Reply & { responses: number }> {
  const reply = await call(server, 'PROPFIND', relative, {
    headers: body === undefined ? { Depth: depth } : { Depth: depth, ...XML_HEADERS },
    body,
    collect: true,
  });
  expectStatus(server, reply, [207], `PROPFIND ${relative}`);
  return { ...reply, responses: responsesIn(reply.text) };
}

/** PROPFIND Depth 1 (five named properties) that must list exactly `entries` members. */
export async function expectListing(server: DavServer, folder: string, entries: number): Promise<Reply> {
  const listing = await propfind(server, folder, '1', NAMED_PROPS);
  if (listing.responses !== entries + 1) {
    throw new Error(`${server.label}: PROPFIND of ${folder} gave ${listing.responses - 1} members, expected ${entries}`);
  }
  return listing;
}

export async function mkcol(server: DavServer, relative: string): Promise<void> {
  expectStatus(server, await call(server, 'MKCOL', relative), [201], `MKCOL ${relative}`);
}

export async function putSmall(server: DavServer, relative: string, content: Buffer): Promise<void> {
  const reply = await call(server, 'PUT', relative, { body: content, headers: { 'Content-Type': 'application/octet-stream' } });
  expectStatus(server, reply, [201], `PUT ${relative}`);
}

/** The absolute URL of a path on the server, for Destination headers. */
export function destination(server: DavServer, relative: string): string {
  return `http://${server.host}:${server.port}${server.prefix}${relative}`;
}

/** Same bytes for every server: item i of a batch is a window of one random pool. */
const POOL = randomBytes(4 * MiB);
export function content(i: number, size: number): Buffer {
  const start = (i * 4099) % (POOL.length - size);
  return POOL.subarray(start, start + size);
}

/** A small seeded PRNG (mulberry32), so every server is asked the same. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
