/**
 * RFC 4918 section 13 (Multi-Status responses), 14.16 (multistatus), 14.22 (propstat),
 * 14.24 (response), 14.28 (status) and 16 (precondition/postcondition error bodies):
 * write response bodies as strings, so the HTTP layer can stream a multistatus one
 * response at a time. Every DAV: element carries the `D:` prefix (Windows clients ignore
 * DAV: in a default namespace; others match `D:response` literally).
 */
import { STATUS_CODES } from 'node:http';
import { WELL_KNOWN_PREFIXES } from './namespaces.js';
import type { XmlElement } from './parse.js';
import { escapeAttribute, escapeText, serializeElement } from './serialize.js';

export type PropContent =
  | { text: string }
  /** Raw, well-formed inner XML using `D:` for DAV: and declaring any other namespace itself. */
  | { xml: string }
  /** A dead property as stored: its attributes and children are written under the property element. */
  | { element: XmlElement };

export type PropValue = { ns: string; name: string; value?: PropContent };

export type PropStat = { status: number; props: PropValue[]; description?: string };

export const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n';

const ROOT_DECLARATIONS = [...WELL_KNOWN_PREFIXES].map(([ns, prefix]) => ` xmlns:${prefix}="${escapeAttribute(ns)}"`).join('');

/** `HTTP/1.1 200 OK` with Node's reason phrases (iOS wants the upper-case `OK`). */
export function statusLine(status: number): string {
  const reason = STATUS_CODES[status];
  return reason ? `HTTP/1.1 ${status} ${reason}` : `HTTP/1.1 ${status}`;
}

/** The XML declaration and the opening `D:multistatus` tag with every well-known prefix declared. */
export function multistatusOpen(): string {
  return `${XML_DECLARATION}<D:multistatus${ROOT_DECLARATIONS}>`;
}

export function multistatusClose(): string {
  return '</D:multistatus>';
}

/** One `D:response` for a resource with its properties grouped by status (section 9.1). */
export function responseXml(href: string, propstats: PropStat[]): string {
  let out = `<D:response><D:href>${escapeText(href)}</D:href>`;
  for (const { status, props, description } of propstats) {
    out += `<D:propstat><D:prop>${props.map(propXml).join('')}</D:prop><D:status>${statusLine(status)}</D:status>`;
    if (description !== undefined) out += `<D:responsedescription>${escapeText(description)}</D:responsedescription>`;
    out += '</D:propstat>';
  }
  return `${out}</D:response>`;
}

/**
 * One `D:response` with only a status (section 14.24), as DELETE, COPY and MOVE report
 * failures on members; `error` names a DAV: precondition such as `lock-token-submitted`.
 */
export function responseStatusXml(href: string, status: number, error?: string, description?: string): string {
  let out = `<D:response><D:href>${escapeText(href)}</D:href><D:status>${statusLine(status)}</D:status>`;
  if (error !== undefined) out += `<D:error><D:${checkName(error)}/></D:error>`;
  if (description !== undefined) out += `<D:responsedescription>${escapeText(description)}</D:responsedescription>`;
  return `${out}</D:response>`;
}

/**
 * A whole `D:error` document (section 16) naming one condition. `innerXml`, already
 * well-formed, goes inside the condition element, as the hrefs of `lock-token-submitted`:
 * `<D:lock-token-submitted><D:href>/a</D:href></D:lock-token-submitted>`.
 */
export function errorXml(condition: string, innerXml?: string): string {
  const name = checkName(condition);
  const body = innerXml ? `<D:${name}>${innerXml}</D:${name}>` : `<D:${name}/>`;
  return `${XML_DECLARATION}<D:error xmlns:D="DAV:">${body}</D:error>`;
}

/** An empty property element, or one holding its value; other namespaces are declared on it. */
function propXml({ ns, name, value }: PropValue): string {
  if (value && 'element' in value) {
    return serializeElement({ ...value.element, ns, name }, WELL_KNOWN_PREFIXES);
  }
  const known = WELL_KNOWN_PREFIXES.get(ns);
  const tag = known ? `${known}:${name}` : ns === '' ? name : `ns0:${name}`;
  const declaration = known || ns === '' ? '' : ` xmlns:ns0="${escapeAttribute(ns)}"`;
  if (!value) return `<${tag}${declaration}/>`;
  const inner = 'text' in value ? escapeText(value.text) : value.xml;
  return inner === '' ? `<${tag}${declaration}/>` : `<${tag}${declaration}>${inner}</${tag}>`;
}

/** Element names we interpolate must be XML names, so a caller's string cannot inject markup. */
function checkName(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9._-]*$/.test(name)) throw new Error(`Not an XML element name: ${JSON.stringify(name)}`);
  return name;
}
