import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Principal, VPath } from '../core/index.js';
import type { DavAccountService, DirectLinks, ServerSettings } from '../services/index.js';
import type { Vfs } from '../vfs/index.js';
import { DavHeaderError } from './headers/index.js';
import { encodeHref } from './paths.js';
import { DavError } from './status.js';
import { parseXml, type XmlElement, type XmlLimits } from './xml/index.js';

export type JunkPolicy = 'store' | 'refuse';

export interface DavOptions {
  /** Where WebDAV is mounted: '/dav'. */
  readonly mountPrefix: string;
  /** Hosts besides the request's own that a Destination may name (the public URL's host). */
  readonly acceptedHosts: readonly string[];
  readonly xmlLimits: Partial<XmlLimits>;
  /** RFC 4918 9.1: Depth: infinity PROPFIND is refused unless enabled. */
  readonly allowInfinityPropfind: boolean;
  readonly defaultLockSeconds: number;
  readonly maxLockSeconds: number;
  /** macOS Finder's AppleDouble (`._*`) and `.DS_Store` files: stored as ordinary files, or refused. */
  readonly finderJunk: JunkPolicy;
}

export interface DavDependencies {
  readonly vfs: Vfs;
  readonly accounts: DavAccountService;
  readonly settings: ServerSettings;
  /** Presigned URLs for accounts with redirect downloads; without it every GET is streamed. */
  readonly directLinks?: DirectLinks;
  readonly logger: Logger;
  readonly options: DavOptions;
}

/** One authenticated request on its way through a method handler. */
export interface DavContext {
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
  readonly principal: Principal;
  readonly path: VPath;
  readonly deps: DavDependencies;
  /** Where this request's mount is, as the URL spells it ('/dav', '/remote.php/dav/files/ann%40x.org'). */
  readonly prefix: string;
}

export type DavMethod = (ctx: DavContext) => Promise<void>;

/** One place the WebDAV code answers (see registerDavMount). */
export interface DavMount {
  readonly prefix: string;
  /** The first segment below the prefix names the signed-in user and belongs to the mount. */
  readonly userSegment?: boolean;
  /** Handlers that replace the standard ones for this mount (OPTIONS stays; other methods get 405). */
  readonly methods?: Record<string, DavMethod>;
  /** Runs before authentication; throws when the mount is switched off. */
  readonly gate?: () => Promise<void>;
}

/** The href of a path in this mount (upper-case percent-encoding, trailing slash on folders). */
export function hrefOf(ctx: DavContext, path: VPath, isFolder: boolean): string {
  return encodeHref(ctx.prefix, path, isFolder);
}

export function header(ctx: DavContext, name: string): string | undefined {
  const value = ctx.request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * A header that names one thing (Destination, Overwrite): sent twice it is ambiguous, and
 * Node would join the copies with ", " into a value that still parses, so it is refused (400).
 */
export function singleHeader(ctx: DavContext, name: string): string | undefined {
  const copies = ctx.request.raw.headersDistinct[name.toLowerCase()];
  if (copies && copies.length > 1) throw new DavHeaderError(400, `Send the ${name} header once`);
  return header(ctx, name);
}

/** Sends 100 Continue to a client waiting for it (Expect: 100-continue), once, before its body is read. */
export function acceptBody(ctx: Pick<DavContext, 'request' | 'reply'>): void {
  const raw = ctx.reply.raw as typeof ctx.reply.raw & { cumulusContinued?: boolean };
  if (raw.cumulusContinued || !/100-continue/i.test(String(ctx.request.headers.expect ?? ''))) return;
  raw.cumulusContinued = true;
  if (!raw.headersSent) raw.writeContinue();
}

/**
 * Reads a request body meant to be XML, up to the configured limit. An empty body gives
 * null. A body that is not XML-typed is refused with 415 where RFC 4918 asks for it.
 */
export async function readXmlBody(ctx: DavContext): Promise<XmlElement | null> {
  const limit = ctx.deps.options.xmlLimits.maxBytes ?? 1 << 20;
  const declared = Number(header(ctx, 'content-length') ?? NaN);
  if (declared > limit) throw new DavError(413, `The XML body is larger than ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  acceptBody(ctx);
  for await (const chunk of ctx.request.raw) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new DavError(413, `The XML body is larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return null;
  return parseXml(Buffer.concat(chunks), ctx.deps.options.xmlLimits);
}

/** Drains and discards a body the method does not use (so the connection stays usable). */
export async function discardBody(ctx: DavContext): Promise<number> {
  let size = 0;
  acceptBody(ctx);
  for await (const chunk of ctx.request.raw) size += (chunk as Buffer).length;
  return size;
}
