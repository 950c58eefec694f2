/**
 * The OCS envelope (nextcloud/documentation developer_manual/client_apis/OCS): every answer is
 * `{ocs: {meta, data}}`, as JSON when the client asks (`format=json` or an Accept of JSON),
 * else as XML, which is Nextcloud's default. v1 answers HTTP 200 with statuscode 100 for
 * success; v2 uses the HTTP status itself as statuscode.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

export type OcsVersion = 1 | 2;
type OcsValue = string | number | boolean | null | readonly OcsValue[] | { readonly [key: string]: OcsValue };

export function wantsJson(request: FastifyRequest): boolean {
  const format = (request.query as Record<string, unknown> | undefined)?.format;
  if (format === 'json') return true;
  if (format === 'xml') return false;
  return /application\/json/i.test(String(request.headers.accept ?? ''));
}

export function sendOcs(request: FastifyRequest, reply: FastifyReply, version: OcsVersion, data: OcsValue): FastifyReply {
  return send(request, reply, version, 200, 'OK', data);
}

/** A failure: v1 keeps HTTP 200 except for authentication (the clients prompt on 401); v2 answers the status. */
export function sendOcsFailure(
  request: FastifyRequest,
  reply: FastifyReply,
  version: OcsVersion,
  status: number,
  message: string,
): FastifyReply {
  return send(request, reply, version, status, message, []);
}

function send(request: FastifyRequest, reply: FastifyReply, version: OcsVersion, status: number, message: string, data: OcsValue) {
  const ok = status < 400;
  const statuscode = version === 2 ? status : ok ? 100 : status === 401 ? 997 : status === 404 ? 998 : 996;
  const httpStatus = version === 2 || status === 401 ? status : 200;
  const meta = { status: ok ? 'ok' : 'failure', statuscode, message, totalitems: '', itemsperpage: '' };
  const body = { ocs: { meta, data } };
  reply.code(httpStatus);
  if (wantsJson(request)) return reply.type('application/json; charset=utf-8').send(JSON.stringify(body));
  return reply.type('application/xml; charset=utf-8').send(`<?xml version="1.0"?>\n${xmlOf('ocs', body.ocs)}\n`);
}

/** Nextcloud's array-to-XML: objects as elements by key, list items as `<element>`. */
function xmlOf(name: string, value: OcsValue): string {
  if (value === null) return `<${name}/>`;
  if (Array.isArray(value)) return `<${name}>${value.map((item: OcsValue) => xmlOf('element', item)).join('')}</${name}>`;
  if (typeof value === 'object') {
    const inner = Object.entries(value as Record<string, OcsValue>)
      .map(([key, item]) => xmlOf(key, item))
      .join('');
    return `<${name}>${inner}</${name}>`;
  }
  const text = typeof value === 'boolean' ? (value ? '1' : '') : String(value);
  return `<${name}>${escape(text)}</${name}>`;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
