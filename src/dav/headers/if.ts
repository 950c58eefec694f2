// RFC 4918 section 10.4: the If header.
//   If = "If" ":" ( 1*No-tag-list | 1*Tagged-list )
//   No-tag-list = List;  Tagged-list = Resource-Tag 1*List;  List = "(" 1*Condition ")"
//   Condition = ["Not"] (State-token | "[" entity-tag "]");  State-token = Coded-URL
import { DavHeaderError } from './errors.js';
import { parseEntityTag, readEntityTag, strongMatch } from './etag.js';

export interface IfCondition {
  readonly not: boolean;
  /** A state token (`<...>`, value without the brackets) or an entity tag (`[...]`, value as written). */
  readonly kind: 'token' | 'etag';
  readonly value: string;
}

export interface IfList {
  /** The tagged resource, raw as written between < >, or null for the request URI. */
  readonly resource: string | null;
  readonly conditions: IfCondition[];
}

export interface IfHeader {
  readonly lists: IfList[];
}

/** What evaluation needs to know of one resource the header names. */
export interface IfResourceState {
  readonly exists: boolean;
  /** Without quotes; null when the resource has none. */
  readonly etag: string | null;
  /** Tokens of the locks that currently cover the resource. */
  readonly lockTokens: readonly string[];
}

/**
 * Parses an If header; anything outside the grammar is 400. Two leniencies: commas between
 * lists are skipped, and untagged lists may precede tagged ones, because Node joins repeated
 * If headers with ", " and a client may send one header of each kind.
 */
export function parseIfHeader(value: string): IfHeader {
  const scan: Scanner = new Scanner(value);
  const lists: IfList[] = [];
  let resource: string | null = null;
  let tagWithoutList = false;
  for (scan.skip(/^[\s,]+/); !scan.done(); scan.skip(/^[\s,]+/)) {
    if (scan.peek() === '<') {
      if (tagWithoutList) scan.fail('a list "(...)" after the resource tag');
      resource = scan.angled('resource tag');
      tagWithoutList = true;
    } else if (scan.peek() === '(') {
      lists.push({ resource, conditions: parseList(scan) });
      tagWithoutList = false;
    } else {
      scan.fail('"(" or "<"');
    }
  }
  if (tagWithoutList) scan.fail('a list "(...)" after the resource tag');
  if (lists.length === 0) throw new DavHeaderError(400, 'The If header is empty; it needs at least one list "(...)"');
  return { lists };
}

function parseList(scan: Scanner): IfCondition[] {
  scan.expect('(');
  const conditions: IfCondition[] = [];
  for (scan.skip(/^\s+/); scan.peek() !== ')'; scan.skip(/^\s+/)) {
    const not = scan.skip(/^not\b/i);
    scan.skip(/^\s+/);
    if (scan.peek() === '<') {
      conditions.push({ not, kind: 'token', value: scan.angled('state token') });
    } else if (scan.peek() === '[') {
      scan.expect('[');
      scan.skip(/^\s+/);
      const read = readEntityTag(scan.rest());
      if (!read) scan.fail('an entity tag such as "abc" or W/"abc"');
      scan.advance(read.written.length);
      scan.skip(/^\s+/);
      scan.expect(']');
      conditions.push({ not, kind: 'etag', value: read.written });
    } else {
      scan.fail(not ? '"<" or "[" after Not' : '"Not", "<", "[" or ")"');
    }
  }
  scan.expect(')');
  if (conditions.length === 0) scan.fail('at least one condition inside "()"', -1);
  return conditions;
}

/**
 * Evaluates a parsed If header (RFC 4918 10.4.2-10.4.4): a list is true when all its
 * conditions hold for its resource, and the header when any list is true. A state token
 * holds when it is one of the resource's lock tokens (so `<DAV:no-lock>` never does); an
 * entity tag when the resource exists and its etag matches strongly. Every state token that
 * appears outside a Not is submitted (10.4.1), whether or not its list was true.
 */
export function evaluateIfHeader(
  header: IfHeader,
  stateOf: (resource: string | null) => IfResourceState,
): { satisfied: boolean; submittedTokens: string[] } {
  const states = new Map<string | null, IfResourceState>();
  const state = (resource: string | null): IfResourceState => {
    const known = states.get(resource) ?? stateOf(resource);
    states.set(resource, known);
    return known;
  };
  const satisfied = header.lists.some((list) => list.conditions.every((c) => holds(c, state(list.resource)) !== c.not));
  const submitted = new Set<string>();
  for (const list of header.lists) {
    for (const c of list.conditions) if (c.kind === 'token' && !c.not) submitted.add(c.value);
  }
  return { satisfied, submittedTokens: [...submitted] };
}

/** The distinct tagged resources, so a caller can look their states up before evaluating. */
export function taggedResources(header: IfHeader): string[] {
  return [...new Set(header.lists.flatMap((list) => (list.resource === null ? [] : [list.resource])))];
}

function holds(condition: IfCondition, state: IfResourceState): boolean {
  if (condition.kind === 'token') return state.lockTokens.includes(condition.value);
  const tag = parseEntityTag(condition.value);
  return state.exists && state.etag !== null && tag !== null && strongMatch(tag, state.etag);
}

class Scanner {
  private pos = 0;
  constructor(private readonly text: string) {}

  done(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string | undefined {
    return this.text[this.pos];
  }

  rest(): string {
    return this.text.slice(this.pos);
  }

  advance(count: number): void {
    this.pos += count;
  }

  /** Consumes a match of `pattern` (anchored with ^) if there is one. */
  skip(pattern: RegExp): boolean {
    const m = pattern.exec(this.rest());
    if (m) this.pos += m[0].length;
    return m !== null;
  }

  expect(char: string): void {
    if (this.peek() !== char) this.fail(`"${char}"`);
    this.pos += 1;
  }

  /** Reads `<...>` and returns what is inside: non-empty, without spaces or angle brackets. */
  angled(what: string): string {
    const m = /^<([^\s<>]+)>/.exec(this.rest());
    if (!m) this.fail(`a ${what} in angle brackets`);
    this.pos += m[0].length;
    return m[1] ?? '';
  }

  fail(expected: string, offset = 0): never {
    throw new DavHeaderError(400, `Malformed If header: expected ${expected} at character ${this.pos + 1 + offset}`);
  }
}
