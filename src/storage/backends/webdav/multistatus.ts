import { SaxesParser } from 'saxes';

/** One `DAV:response` of a PROPFIND answer, as far as listing blobs needs it. */
export interface DavMember {
  /** The href, percent-decoded path (an absolute URL's origin dropped). */
  readonly path: string;
  readonly isCollection: boolean;
  readonly size: number;
  /** Epoch ms; 0 when the server sent none. */
  readonly modifiedAt: number;
  /** The entity tag without quotes (weak marker kept); null when the server sent none. */
  readonly etag: string | null;
}

const DAV = 'DAV:';

/** PROPFIND body asking only what listing needs (RFC 4918 section 9.1). */
export const LISTING_PROPFIND =
  '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/><D:getcontentlength/><D:getlastmodified/></D:prop></D:propfind>';

/** The same with getetag, for mounted trees (their ETags are the remote server's). */
export const TREE_PROPFIND =
  '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/><D:getcontentlength/><D:getlastmodified/><D:getetag/></D:prop></D:propfind>';

/**
 * Parses a 207 multistatus (RFC 4918 section 14.16) into members, matching elements by
 * namespace URI, never by prefix. Doctypes are refused (no entity expansion).
 */
export function parseMultistatus(xml: string): DavMember[] {
  const parser = new SaxesParser({ xmlns: true });
  const members: DavMember[] = [];
  let current: { href: string; collection: boolean; size: number; modified: string; etag: string | null } | undefined;
  let text = '';
  parser.on('doctype', () => {
    throw new Error('A multistatus body may not carry a doctype');
  });
  parser.on('opentag', (tag) => {
    text = '';
    if (tag.uri !== DAV) return;
    if (tag.local === 'response') current = { href: '', collection: false, size: 0, modified: '', etag: null };
    else if (tag.local === 'collection' && current) current.collection = true;
  });
  parser.on('text', (chunk) => (text += chunk));
  parser.on('closetag', (tag) => {
    if (tag.uri !== DAV || !current) return;
    if (tag.local === 'href') current.href = text.trim();
    else if (tag.local === 'getcontentlength') current.size = Number(text.trim()) || 0;
    else if (tag.local === 'getlastmodified') current.modified = text.trim();
    else if (tag.local === 'getetag') current.etag = text.trim().replace(/^(W\/)?"(.*)"$/, '$1$2') || null;
    else if (tag.local === 'response') {
      const modifiedAt = Date.parse(current.modified);
      members.push({
        path: hrefPath(current.href),
        isCollection: current.collection,
        size: current.size,
        modifiedAt: Number.isNaN(modifiedAt) ? 0 : modifiedAt,
        etag: current.etag,
      });
      current = undefined;
    }
  });
  parser.write(xml).close();
  return members;
}

/** RFC 4918 section 8.3: an href is an absolute URL or an absolute path, percent-encoded. */
function hrefPath(href: string): string {
  const pathname = /^[a-z][a-z0-9+.-]*:/i.test(href) ? new URL(href).pathname : href.split(/[?#]/)[0]!;
  return pathname
    .split('/')
    .map((segment) => decodeURIComponent(segment))
    .join('/');
}
