// RFC 7232 section 2.3 (entity-tag) and 2.3.2 (strong and weak comparison), plus the
// `"*" / 1#entity-tag` lists of If-Match and If-None-Match (sections 3.1 and 3.2).

/** An entity tag as a client wrote it; `opaque` is without the quotes. */
export interface EntityTag {
  readonly weak: boolean;
  readonly opaque: string;
}

// etagc = %x21 / %x23-7E / obs-text: anything visible but the double quote.
const ENTITY_TAG = /^(W\/)?"([\x21\x23-\x7e\x80-\xff]*)"/;

/** Parses one entity tag (`"abc"` or `W/"abc"`), or null when it is not one. */
export function parseEntityTag(text: string): EntityTag | null {
  const read = readEntityTag(text.trim());
  return read !== null && read.written.length === text.trim().length ? read.tag : null;
}

/** Reads the entity tag at the start of `text`, returning it and the characters it took. */
export function readEntityTag(text: string): { tag: EntityTag; written: string } | null {
  const m = ENTITY_TAG.exec(text);
  if (!m) return null;
  return { tag: { weak: m[1] !== undefined, opaque: m[2] ?? '' }, written: m[0] };
}

/**
 * Parses an If-Match or If-None-Match value: `*`, or a comma-separated list of entity tags.
 * Returns null when the value is malformed; a malformed list matches nothing.
 */
export function parseEntityTagList(value: string): '*' | EntityTag[] | null {
  if (value.trim() === '*') return '*';
  const tags: EntityTag[] = [];
  let rest = value;
  for (;;) {
    // 1#element tolerates empty elements and whitespace around the commas (RFC 7230 7).
    rest = rest.replace(/^[\s,]+/, '');
    if (rest === '') break;
    const read = readEntityTag(rest);
    if (!read) return null;
    tags.push(read.tag);
    rest = rest.slice(read.written.length);
    if (!/^\s*(,|$)/.test(rest)) return null;
  }
  return tags.length > 0 ? tags : null;
}

/** Strong comparison against our etag (given without quotes): weak tags never match. */
export function strongMatch(tag: EntityTag, etag: string): boolean {
  return !tag.weak && tag.opaque === etag;
}

/** Weak comparison: the opaque parts are equal, whatever either side's W/ says. */
export function weakMatch(tag: EntityTag, etag: string): boolean {
  return tag.opaque === etag;
}

/** Our etags are strong; this is how they appear in ETag headers and getetag. */
export function formatEntityTag(etag: string): string {
  return `"${etag}"`;
}
