/**
 * Helpers for replaying recorded WebDAV client sequences (shared/webdav-clients.md, "Replay
 * format") over real HTTP: a raw node:http request for what fetch cannot send (chunked
 * bodies, Expect: 100-continue, a Host header), a namespace-aware multistatus reader
 * independent of src/dav/xml, and the checks every multistatus must pass.
 */
import http from 'node:http';
import { SaxesParser } from 'saxes';
import { NotFoundError, parsePath, type Entry, type Principal } from '../../src/core/index.js';
import type { DavServer } from './dav-server.js';

export const DAV_NS = 'DAV:';

export interface Credentials {
  readonly email: string;
  readonly password: string;
}

export function basicAuth(credentials: Credentials): string {
  return `Basic ${Buffer.from(`${credentials.email}:${credentials.password}`).toString('base64')}`;
}

export interface RawRequest {
  readonly method: string;
  /** The path exactly as sent, still percent-encoded. */
  readonly path: string;
  readonly headers?: Record<string, string>;
  /** Sent as the body; several buffers are sent as separate writes (chunks when chunked). */
  readonly body?: Buffer | string | readonly Buffer[];
  /** Undefined = the server's own credentials; null = no Authorization header. */
  readonly auth?: Credentials | null;
  /** Send `Expect: 100-continue` and hold the body until the server answers 100. */
  readonly expectContinue?: boolean;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** Whether the server sent `100 Continue` before its final answer. */
  readonly continued: boolean;
}

/**
 * One request over node:http, for what fetch cannot express. A body given as an array is
 * written piece by piece; set `Transfer-Encoding: chunked` yourself for a chunked request
 * (also needed to send an empty chunked body).
 */
export function rawRequest(dav: DavServer, request: RawRequest): Promise<RawResponse> {
  const url = new URL(dav.origin);
  const headers: Record<string, string> = { ...request.headers };
  const credentials = request.auth === undefined ? { email: dav.email, password: dav.password } : request.auth;
  if (credentials) headers.Authorization = basicAuth(credentials);
  if (request.expectContinue) headers.Expect = '100-continue';
  const pieces =
    request.body === undefined
      ? []
      : Array.isArray(request.body)
        ? (request.body as Buffer[])
        : [Buffer.from(request.body as Buffer | string)];
  const chunked = Object.entries(headers).some(([k, v]) => k.toLowerCase() === 'transfer-encoding' && /chunked/i.test(v));
  if (!chunked && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-length')) {
    headers['Content-Length'] = String(pieces.reduce((sum, piece) => sum + piece.length, 0));
  }
  return new Promise((resolve, reject) => {
    let continued = false;
    let bodySent = false;
    const req = http.request({ host: url.hostname, port: url.port, method: request.method, path: request.path, headers, agent: false });
    const sendBody = () => {
      if (bodySent) return;
      bodySent = true;
      for (const piece of pieces) req.write(piece);
      req.end();
    };
    req.on('error', reject);
    req.on('continue', () => {
      continued = true;
      sendBody();
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), continued }),
      );
      // A final answer before 100: the body is never sent (RFC 9110 10.1.1).
      if (!bodySent) {
        bodySent = true;
        req.destroy();
      }
    });
    if (request.expectContinue) req.flushHeaders();
    else sendBody();
  });
}

/** An XML element as read namespace-aware: `prefix` is what the document wrote. */
export interface XmlNode {
  readonly ns: string;
  readonly local: string;
  readonly prefix: string;
  readonly children: XmlNode[];
  /** The concatenated text directly inside this element. */
  text: string;
}

/** Parses a whole document; throws on anything not well-formed, including unbound prefixes. */
export function parseXmlDocument(xml: string): XmlNode {
  const parser = new SaxesParser({ xmlns: true });
  const stack: XmlNode[] = [];
  let root: XmlNode | undefined;
  let failure: Error | undefined;
  parser.on('error', (error) => {
    failure ??= error;
  });
  parser.on('opentag', (tag) => {
    const node: XmlNode = { ns: tag.uri ?? '', local: tag.local ?? tag.name, prefix: tag.prefix ?? '', children: [], text: '' };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(node);
    else root = node;
    stack.push(node);
  });
  parser.on('text', (text) => {
    const current = stack[stack.length - 1];
    if (current) current.text += text;
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  parser.write(xml).close();
  if (failure) throw failure;
  if (!root) throw new Error('No root element');
  return root;
}

export function child(node: XmlNode, ns: string, local: string): XmlNode | undefined {
  return node.children.find((c) => c.ns === ns && c.local === local);
}

export function childrenOf(node: XmlNode, ns: string, local: string): XmlNode[] {
  return node.children.filter((c) => c.ns === ns && c.local === local);
}

export function descendants(node: XmlNode): XmlNode[] {
  return [node, ...node.children.flatMap(descendants)];
}

/** Every text below a node, concatenated. */
export function textOf(node: XmlNode): string {
  return node.text + node.children.map(textOf).join('');
}

export interface PropStat {
  readonly status: number;
  readonly props: XmlNode[];
}

export interface MultiResponse {
  /** As written in the document. */
  readonly href: string;
  /** Percent-decoded href. */
  readonly path: string;
  readonly status: number | null;
  readonly propstats: PropStat[];
}

export interface Multistatus {
  readonly root: XmlNode;
  readonly responses: MultiResponse[];
  /** The response whose decoded path equals `path` (trailing slash ignored). */
  response(path: string): MultiResponse | undefined;
}

function statusCode(line: string): number {
  const match = /^HTTP\/\d\.\d (\d{3})/.exec(line.trim());
  if (!match) throw new Error(`Not a status line: ${JSON.stringify(line)}`);
  return Number(match[1]);
}

/** Reads a D:multistatus body (RFC 4918 14.16). */
export function parseMultistatus(xml: string): Multistatus {
  const root = parseXmlDocument(xml);
  if (root.ns !== DAV_NS || root.local !== 'multistatus') throw new Error(`Root is {${root.ns}}${root.local}, not DAV:multistatus`);
  const responses = childrenOf(root, DAV_NS, 'response').map((response): MultiResponse => {
    const href = textOf(child(response, DAV_NS, 'href')!).trim();
    const status = child(response, DAV_NS, 'status');
    return {
      href,
      path: decodeURIComponent(href),
      status: status ? statusCode(textOf(status)) : null,
      propstats: childrenOf(response, DAV_NS, 'propstat').map((propstat) => ({
        status: statusCode(textOf(child(propstat, DAV_NS, 'status')!)),
        props: child(propstat, DAV_NS, 'prop')?.children ?? [],
      })),
    };
  });
  const strip = (p: string) => (p.length > 1 ? p.replace(/\/$/, '') : p);
  return { root, responses, response: (path) => responses.find((r) => strip(r.path) === strip(path)) };
}

/** A property of a response and the status of the propstat that holds it, or undefined. */
export function propOf(response: MultiResponse, ns: string, local: string): { status: number; node: XmlNode } | undefined {
  for (const propstat of response.propstats) {
    const node = propstat.props.find((p) => p.ns === ns && p.local === local);
    if (node) return { status: propstat.status, node };
  }
  return undefined;
}

/** The text of a property found with 200, or undefined. */
export function propText(response: MultiResponse, ns: string, local: string): string | undefined {
  const found = propOf(response, ns, local);
  return found && found.status === 200 ? textOf(found.node) : undefined;
}

/**
 * The conventions of shared/webdav-clients.md section 0 that every multistatus must keep:
 * every DAV: element written with the `D:` prefix, hrefs under /dav/ with only upper-case
 * percent-escapes and nothing that should have been escaped. Returns the problems found.
 */
export function multistatusProblems(xml: string, mountPrefix = '/dav/'): string[] {
  const problems: string[] = [];
  const doc = parseMultistatus(xml);
  for (const node of descendants(doc.root)) {
    if (node.ns === DAV_NS && node.prefix !== 'D') problems.push(`DAV:${node.local} written with prefix "${node.prefix}"`);
    if (/^unknown$/i.test(node.prefix)) problems.push(`{${node.ns}}${node.local} written with the prefix "unknown"`);
  }
  for (const { href } of doc.responses) {
    if (!href.startsWith(mountPrefix)) problems.push(`href ${href} is not under ${mountPrefix}`);
    if (/%[0-9A-F]?[a-f]/.test(href)) problems.push(`href ${href} has a lower-case percent-escape`);
    if (/[^A-Za-z0-9\-._~!$&'()*+,;=:@/%]/.test(href)) problems.push(`href ${href} has a character that should be percent-encoded`);
  }
  return problems;
}

/** The principal acting over the server user's whole tree, for checking stored state. */
export async function ownerOf(dav: DavServer): Promise<Principal> {
  return dav.t.app.users.principalFor(await dav.t.app.users.get(dav.email));
}

/** The stored entry at a path of the user's whole tree, or null. */
export async function storedEntry(dav: DavServer, path: string): Promise<Entry | null> {
  try {
    return await dav.t.app.vfs.stat(await ownerOf(dav), parsePath(path));
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
}

/** Names in a stored folder of the user's whole tree. */
export async function storedNames(dav: DavServer, path: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of dav.t.app.vfs.children(await ownerOf(dav), parsePath(path))) names.push(entry.name);
  return names;
}

/** Active locks on an entry (or inherited by it). */
export async function locksOn(dav: DavServer, entry: Entry): Promise<string[]> {
  return dav.t.app.vfs.locks.tokensCovering(entry.id);
}

/** A lockinfo body for an exclusive write lock (RFC 4918 14.11). */
export function lockinfo(owner: string): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    '<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype>' +
    `<D:owner>${owner}</D:owner></D:lockinfo>`
  );
}

/** The token in a LOCK response body: lockdiscovery/activelock/locktoken/href (what Finder reads). */
export function lockTokenFromBody(xml: string): string | undefined {
  const root = parseXmlDocument(xml);
  if (root.ns !== DAV_NS || root.local !== 'prop') return undefined;
  const locktoken = descendants(root).find((n) => n.ns === DAV_NS && n.local === 'locktoken');
  const href = locktoken && child(locktoken, DAV_NS, 'href');
  return href ? textOf(href).trim() : undefined;
}

/** A Lock-Token response header without its angle brackets. */
export function bareToken(header: string | null | undefined): string {
  const match = /^\s*<([^>]+)>\s*$/.exec(header ?? '');
  if (!match) throw new Error(`Not a Lock-Token header: ${JSON.stringify(header)}`);
  return match[1]!;
}
