import { describe, expect, it } from 'vitest';
import {
  DavHeaderError,
  evaluateIfHeader,
  parseIfHeader,
  taggedResources,
  type IfCondition,
  type IfResourceState,
} from '../../../src/dav/headers/index.js';

const TOKEN = 'opaquelocktoken:f81d4fae-7dec-11d0-a765-00a0c91e6bf6';
const OTHER = 'urn:uuid:0b5a3c48-2f3d-4e3c-9c39-1d2b6c9f1a77';

const token = (value: string, not = false): IfCondition => ({ not, kind: 'token', value });
const etag = (value: string, not = false): IfCondition => ({ not, kind: 'etag', value });

describe('parseIfHeader (RFC 4918 10.4)', () => {
  it.each<[string, Array<{ resource: string | null; conditions: IfCondition[] }>]>([
    [`(<${TOKEN}> ["e1"])`, [{ resource: null, conditions: [token(TOKEN), etag('"e1"')] }]],
    ['(Not <DAV:no-lock>)', [{ resource: null, conditions: [token('DAV:no-lock', true)] }]],
    ['(not<DAV:no-lock>)', [{ resource: null, conditions: [token('DAV:no-lock', true)] }]],
    ['(NOT [W/"e1"])', [{ resource: null, conditions: [etag('W/"e1"', true)] }]],
    ['( [ "e1" ]   <a:b> )', [{ resource: null, conditions: [etag('"e1"'), token('a:b')] }]],
    ['(["a]b"])', [{ resource: null, conditions: [etag('"a]b"')] }]],
    [
      `(<${TOKEN}>) (Not <DAV:no-lock>)`,
      [
        { resource: null, conditions: [token(TOKEN)] },
        { resource: null, conditions: [token('DAV:no-lock', true)] },
      ],
    ],
    [
      '\t(<a:b>)\r\n (<c:d>) ',
      [
        { resource: null, conditions: [token('a:b')] },
        { resource: null, conditions: [token('c:d')] },
      ],
    ],
    [`<http://host/dav/x> (<${TOKEN}>)`, [{ resource: 'http://host/dav/x', conditions: [token(TOKEN)] }]],
    [
      '<http://host/dav/x> (<a:b>) (["e"]) </dav/y> (Not <c:d>)',
      [
        { resource: 'http://host/dav/x', conditions: [token('a:b')] },
        { resource: 'http://host/dav/x', conditions: [etag('"e"')] },
        { resource: '/dav/y', conditions: [token('c:d', true)] },
      ],
    ],
    // Node joins two If headers with ", "; an untagged header then a tagged one still parses.
    [
      '(<a:b>), <http://host/dav/y> (<c:d>)',
      [
        { resource: null, conditions: [token('a:b')] },
        { resource: 'http://host/dav/y', conditions: [token('c:d')] },
      ],
    ],
  ])('%j', (value, lists) => {
    expect(parseIfHeader(value)).toEqual({ lists });
  });

  it.each<[string, string]>([
    ['', 'is empty'],
    ['  ', 'is empty'],
    ['()', 'at least one condition'],
    ['(<a:b>', 'expected "Not", "<", "[" or ")" at character 7'],
    ['<http://host/dav/x>', 'a list "(...)" after the resource tag'],
    ['<http://host/x> <http://host/y> (<a:b>)', 'a list "(...)" after the resource tag'],
    ['(a:b)', 'expected "Not", "<", "[" or ")" at character 2'],
    ['(<>)', 'a state token in angle brackets'],
    ['(<a b>)', 'a state token in angle brackets'],
    ['([abc])', 'an entity tag'],
    ['(["abc")', 'expected "]"'],
    ['(Not)', '"<" or "[" after Not'],
    ['(Not Not <a:b>)', '"<" or "[" after Not'],
    ['(Nothing)', 'expected "Not", "<", "[" or ")"'],
    ['Not (<a:b>)', 'expected "(" or "<" at character 1'],
    ['(<a:b>) junk', 'expected "(" or "<" at character 9'],
    ['((<a:b>))', 'expected "Not", "<", "[" or ")" at character 2'],
    ['(<a:b>, <c:d>)', 'expected "Not", "<", "[" or ")"'],
    ['<> (<a:b>)', 'a resource tag in angle brackets'],
  ])('%j is 400', (value, message) => {
    expect(() => parseIfHeader(value)).toThrow(DavHeaderError);
    expect(() => parseIfHeader(value)).toThrow(expect.objectContaining({ status: 400, message: expect.stringContaining(message) }));
  });
});

describe('evaluateIfHeader (RFC 4918 10.4.2-10.4.4, litmus cond_put family)', () => {
  const locked: IfResourceState = { exists: true, etag: 'e1', lockTokens: [TOKEN] };
  const unlocked: IfResourceState = { exists: true, etag: 'e1', lockTokens: [] };
  const missing: IfResourceState = { exists: false, etag: null, lockTokens: [] };

  it.each<[string, string, IfResourceState, boolean, string[]]>([
    ['cond_put', `(<${TOKEN}> ["e1"])`, locked, true, [TOKEN]],
    ['fail_cond_put', '(<DAV:no-lock> ["e1"])', locked, false, ['DAV:no-lock']],
    ['fail_cond_put_unlocked', '(<DAV:no-lock>)', unlocked, false, ['DAV:no-lock']],
    ['cond_put_with_not', `(<${TOKEN}>) (Not <DAV:no-lock>)`, locked, true, [TOKEN]],
    // satisfied, but the real token is not submitted: the lock check answers 423
    ['cond_put_corrupt_token', `(<${TOKEN}x>) (Not <DAV:no-lock>)`, locked, true, [`${TOKEN}x`]],
    ['complex_cond_put', `(<${TOKEN}> ["e1"]) (Not <DAV:no-lock> ["e1"])`, locked, true, [TOKEN]],
    ['fail_complex_cond_put', `(<${TOKEN}> ["e2"]) (Not <DAV:no-lock> ["e2"])`, locked, false, [TOKEN]],
    ['Not the lock token', `(Not <${TOKEN}>)`, locked, false, []],
    ['Not a token that is not there', `(Not <${OTHER}>)`, locked, true, []],
    ['corrupt token', '(<opaquelocktoken:foo>)', locked, false, ['opaquelocktoken:foo']],
    ['etag only', '(["e1"])', unlocked, true, []],
    ['weak etag never matches', '([W/"e1"])', unlocked, false, []],
    ['Not another etag', '(Not ["e2"])', unlocked, true, []],
    ['etag of a missing resource', '(["e1"])', missing, false, []],
    ['Not an etag of a missing resource', '(Not ["e1"])', missing, true, []],
    ['two lists, second true', `(<${OTHER}>) (<${TOKEN}>)`, locked, true, [OTHER, TOKEN]],
    ['tokens deduplicated', `(<${TOKEN}>) (<${TOKEN}> ["e1"]) (Not <${OTHER}>)`, locked, true, [TOKEN]],
  ])('%s: %s', (_, value, state, satisfied, submittedTokens) => {
    const resources: Array<string | null> = [];
    const result = evaluateIfHeader(parseIfHeader(value), (resource) => {
      resources.push(resource);
      return state;
    });
    expect(result).toEqual({ satisfied, submittedTokens });
    expect(new Set(resources)).toEqual(new Set([null]));
  });

  const states: Record<string, IfResourceState> = {
    'http://host/dav/x': locked,
    'http://host/dav/y': { exists: true, etag: 'y1', lockTokens: [OTHER] },
  };
  const stateOf = (resource: string | null): IfResourceState => (resource === null ? unlocked : (states[resource] ?? missing));

  it.each<[string, string, boolean, string[]]>([
    ['tagged, token on that resource', `<http://host/dav/x> (<${TOKEN}>)`, true, [TOKEN]],
    ['tagged, token of another resource', `<http://host/dav/y> (<${TOKEN}>)`, false, [TOKEN]],
    ['tagged, etag of that resource', '<http://host/dav/y> (["y1"])', true, []],
    ['tagged, unmapped resource', '<http://host/dav/z> (["y1"])', false, []],
    ['any list of any resource', `<http://host/dav/x> (<DAV:no-lock>) <http://host/dav/y> (<${OTHER}>)`, true, ['DAV:no-lock', OTHER]],
    ['no list true', `<http://host/dav/x> (<${OTHER}>) <http://host/dav/y> (<${TOKEN}>)`, false, [OTHER, TOKEN]],
    ['untagged lists apply to the request URI', `(<${TOKEN}>)`, false, [TOKEN]],
  ])('%s', (_, value, satisfied, submittedTokens) => {
    expect(evaluateIfHeader(parseIfHeader(value), stateOf)).toEqual({ satisfied, submittedTokens });
  });

  it('looks each resource up once', () => {
    const seen: Array<string | null> = [];
    const header = parseIfHeader('<http://host/dav/x> (<a:a>) (<b:b>) (<c:c>) (<d:d>)');
    evaluateIfHeader(header, (resource) => {
      seen.push(resource);
      return missing;
    });
    expect(seen).toEqual(['http://host/dav/x']);
  });

  it('lists the tagged resources', () => {
    const header = parseIfHeader('(<a:a>), <http://host/dav/x> (<a:a>) (<b:b>) </dav/y> (["e"]) <http://host/dav/x> (<c:c>)');
    expect(taggedResources(header)).toEqual(['http://host/dav/x', '/dav/y']);
  });
});
