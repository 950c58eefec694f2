/**
 * Nextcloud's chunked uploads under /remote.php/dav/uploads/<user>/ (nextcloud/documentation
 * developer_manual/client_apis/WebDAV/chunking.rst, versions 1 and 2): MKCOL opens a transfer
 * folder, PUT stores chunks named by number (v1: the byte offset, zero-padded, as the 3.x
 * desktop client and rclone send them; v2: 1 to 10,000 with a Destination on every request),
 * PROPFIND lists what arrived so a client can resume, MOVE of `.file` assembles the chunks
 * onto the Destination in the order of their names, DELETE abandons the transfer. These
 * handlers replace the WebDAV methods on this mount only; authentication, jail, throttling
 * and the error table are the WebDAV plugin's.
 */
import { PreconditionFailedError, type Entry, type VPath } from '../core/index.js';
import {
  DavError,
  acceptBody,
  acceptMtime,
  encodeHref,
  header,
  httpDate,
  multistatusClose,
  multistatusOpen,
  ocFileId,
  parseDestinationHeader,
  requestedMtime,
  responseXml,
  singleHeader,
  type DavContext,
  type DavMethod,
} from '../dav/index.js';
import type { ChunkedTransfers, TransferChunk } from '../services/index.js';

const DAV = 'DAV:';
/** The name whose MOVE assembles a transfer. */
const ASSEMBLE = '.file';

export function uploadMethods(transfers: ChunkedTransfers): Record<string, DavMethod> {
  return {
    MKCOL: async (ctx) => {
      const transfer = transferOf(ctx, 1);
      await transfers.open(ctx.principal, transfer, lengthHeader(ctx, 'oc-total-length'));
      ctx.reply.code(201).send();
    },
    PUT: async (ctx) => {
      const transfer = transferOf(ctx, 2);
      const name = ctx.path[1]!;
      if (!/^\d{1,16}$/.test(name)) throw new DavError(400, 'A chunk is named by a number (its byte offset, or 1 to 10000)');
      const length = lengthHeader(ctx, 'content-length');
      if (length === undefined) throw new DavError(411, 'A chunk needs a Content-Length');
      acceptBody(ctx);
      await transfers.putChunk(ctx.principal, transfer, Number(name), ctx.request.raw, length);
      ctx.reply.code(201).send();
    },
    PROPFIND: async (ctx) => {
      if (ctx.path.length !== 1) throw new DavError(404, 'Only an upload folder can be listed here');
      const chunks = await transfers.list(ctx.principal, ctx.path[0]!);
      if (chunks === null) throw new DavError(404, 'This upload folder does not exist (it expired or was completed)');
      const depth = header(ctx, 'depth') ?? '1';
      let body = multistatusOpen() + responseXml(encodeHref(ctx.prefix, ctx.path, true), [{ status: 200, props: folderProps() }]);
      if (depth !== '0') {
        for (const chunk of chunks) {
          body += responseXml(encodeHref(ctx.prefix, [...ctx.path, chunkName(chunk)], false), [{ status: 200, props: chunkProps(chunk) }]);
        }
      }
      ctx.reply
        .code(207)
        .type('application/xml; charset=utf-8')
        .send(body + multistatusClose());
    },
    MOVE: async (ctx) => {
      const transfer = transferOf(ctx, 2);
      if (ctx.path[1] !== ASSEMBLE) throw new DavError(403, `Only ${ASSEMBLE} of an upload folder can be moved (to assemble the file)`);
      const target = destinationOf(ctx);
      const mtime = requestedMtime(ctx);
      const etags = ifEtags(ctx);
      const { entry, created } = await transfers.assemble(ctx.principal, transfer, target, {
        totalLength: lengthHeader(ctx, 'oc-total-length'),
        mtime,
        sha1: sha1Of(ctx),
        precondition: etags ? (current) => checkEtag(current, etags) : undefined,
      });
      if (mtime !== undefined) acceptMtime(ctx);
      ctx.reply
        .code(created ? 201 : 204)
        .header('ETag', `"${entry.etag}"`)
        .header('OC-ETag', `"${entry.etag}"`)
        .header('OC-FileID', ocFileId(entry))
        .header('Last-Modified', httpDate(entry.mtime))
        .send();
    },
    DELETE: async (ctx) => {
      await transfers.abort(ctx.principal, transferOf(ctx, 1));
      ctx.reply.code(204).send();
    },
  };
}

/** The transfer folder of a request that must name `depth` levels (1: the folder, 2: a member). */
function transferOf(ctx: DavContext, depth: 1 | 2): string {
  if (ctx.path.length !== depth) {
    throw new DavError(depth === 1 ? 405 : 409, depth === 1 ? 'Upload folders hold no subfolders' : 'Name an upload folder and a chunk');
  }
  return ctx.path[0]!;
}

/** Where `.file` goes: a path in the same user's /remote.php/dav/files/<user>/ space. */
function destinationOf(ctx: DavContext): VPath {
  const filesPrefix = ctx.prefix.replace(/\/uploads\/([^/]*)$/, '/files/$1');
  return parseDestinationHeader(
    singleHeader(ctx, 'Destination'),
    { host: header(ctx, 'host'), acceptedHosts: ctx.deps.options.acceptedHosts },
    filesPrefix,
  );
}

function lengthHeader(ctx: DavContext, name: string): number | undefined {
  const value = header(ctx, name);
  if (value === undefined) return undefined;
  if (!/^\s*\d{1,15}\s*$/.test(value)) throw new DavError(400, `${name} must be a number of bytes`);
  return Number(value);
}

/** OC-Checksum's SHA-1 (the only type we advertise); other types are not checked. */
function sha1Of(ctx: DavContext): string | undefined {
  return /^\s*SHA1:([0-9a-fA-F]{40})\s*$/i.exec(header(ctx, 'oc-checksum') ?? '')?.[1];
}

/**
 * The ETags of `If: <url> (["etag"])`, which the desktop client sends when it replaces a file
 * it knows, or of If-Match: the file must still have one of them.
 */
function ifEtags(ctx: DavContext): string[] | null {
  const tagged = [...(header(ctx, 'if') ?? '').matchAll(/\[\s*"?([^"\]\s]+)"?\s*\]/g)].map((m) => m[1]!);
  const matched = [...(header(ctx, 'if-match') ?? '').matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
  const all = [...tagged, ...matched];
  return all.length > 0 ? all : null;
}

function checkEtag(current: Entry | null, etags: readonly string[]): void {
  if (!current || !etags.includes(current.etag)) {
    throw new PreconditionFailedError('The file changed on the server since the client last saw it');
  }
}

/** v1 clients name chunks by zero-padded offsets and find them again by that name. */
function chunkName(chunk: TransferChunk): string {
  return String(chunk.name).padStart(16, '0');
}

function folderProps() {
  return [{ ns: DAV, name: 'resourcetype', value: { xml: '<D:collection/>' } }];
}

function chunkProps(chunk: TransferChunk) {
  return [
    { ns: DAV, name: 'resourcetype', value: { text: '' } },
    { ns: DAV, name: 'getcontentlength', value: { text: String(chunk.size) } },
    { ns: DAV, name: 'getlastmodified', value: { text: httpDate(chunk.mtime) } },
    { ns: DAV, name: 'getetag', value: { text: `"${chunk.name}-${chunk.size}"` } },
  ];
}
