import { describe, expect, it } from 'vitest';
import {
  DavXmlError,
  parseFragment,
  parseLockinfo,
  parsePropfind,
  parseProppatch,
  parseXml,
  type PropfindRequest,
  type ProppatchOperation,
} from '../../../src/dav/xml/index.js';

const LITMUS = 'http://webdav.org/neon/litmus/';
const DECL = '<?xml version="1.0" encoding="utf-8" ?>';

function status(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DavXmlError);
    return (err as DavXmlError).status;
  }
  throw new Error('expected a DavXmlError');
}

describe('parsePropfind', () => {
  it.each<[string, string | null, PropfindRequest]>([
    ['an empty body as allprop', null, { kind: 'allprop', include: [] }],
    ['allprop', '<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>', { kind: 'allprop', include: [] }],
    [
      'allprop with include',
      '<propfind xmlns="DAV:"><allprop/><include><supported-live-property-set/><x xmlns="urn:x"/></include></propfind>',
      {
        kind: 'allprop',
        include: [
          { ns: 'DAV:', name: 'supported-live-property-set' },
          { ns: 'urn:x', name: 'x' },
        ],
      },
    ],
    ['propname', '<propfind xmlns="DAV:"><propname/></propfind>', { kind: 'propname' }],
    [
      'named properties in several namespaces, each once',
      `<propfind xmlns="DAV:"><prop><getetag/><foo xmlns="${LITMUS}"/><nonamespace xmlns=""/><getetag/></prop></propfind>`,
      {
        kind: 'prop',
        props: [
          { ns: 'DAV:', name: 'getetag' },
          { ns: LITMUS, name: 'foo' },
          { ns: '', name: 'nonamespace' },
        ],
      },
    ],
    ['an empty prop as allprop (NetDrive)', '<propfind xmlns="DAV:"><prop/></propfind>', { kind: 'allprop', include: [] }],
    [
      'an unknown element beside allprop (litmus propextended)',
      `${DECL}<propfind xmlns="DAV:"><foobar/><allprop/></propfind>`,
      { kind: 'allprop', include: [] },
    ],
    ['DAV: matched by URI under any prefix', '<x:propfind xmlns:x="DAV:"><x:propname/></x:propfind>', { kind: 'propname' }],
  ])('reads %s', (_label, body, expected) => {
    expect(parsePropfind(body === null ? null : parseXml(body))).toEqual(expected);
  });

  it.each<[string, string]>([
    ['another root element', '<propfind xmlns="urn:not-dav"><allprop/></propfind>'],
    ['a propfind in no namespace', '<propfind><allprop/></propfind>'],
    ['none of allprop, propname, prop', '<propfind xmlns="DAV:"><foobar/></propfind>'],
    ['both allprop and prop', '<propfind xmlns="DAV:"><allprop/><prop><getetag/></prop></propfind>'],
    ['include with prop', '<propfind xmlns="DAV:"><prop><getetag/></prop><include><x/></include></propfind>'],
  ])('refuses %s with 400', (_label, body) => {
    expect(status(() => parsePropfind(parseXml(body)))).toBe(400);
  });
});

describe('parseProppatch', () => {
  it('keeps set and remove in document order (litmus propremoveset)', () => {
    const ops = parseProppatch(
      parseXml(
        `${DECL}<propertyupdate xmlns='DAV:'>` +
          `<remove><prop><removeset xmlns='${LITMUS}'/></prop></remove>` +
          `<set><prop><removeset xmlns='${LITMUS}'>x</removeset></prop></set>` +
          `<set><prop><removeset xmlns='${LITMUS}'>y</removeset></prop></set>` +
          '</propertyupdate>',
      ),
    );
    const prop = { ns: LITMUS, name: 'removeset' };
    expect(ops).toEqual<ProppatchOperation[]>([
      { op: 'remove', prop },
      { op: 'set', prop, value: { ...prop, attributes: [], children: ['x'] } },
      { op: 'set', prop, value: { ...prop, attributes: [], children: ['y'] } },
    ]);
  });

  it('carries the property element whole, namespaces and all (litmus propvalnspace)', () => {
    const [op] = parseProppatch(
      parseXml(
        `<propertyupdate xmlns='DAV:'><set><prop>` +
          `<t:valnspace xmlns:t='${LITMUS}' a='1'><foo xmlns='bar'/></t:valnspace>` +
          `</prop></set></propertyupdate>`,
      ),
    );
    expect(op).toEqual({
      op: 'set',
      prop: { ns: LITMUS, name: 'valnspace' },
      value: {
        ns: LITMUS,
        name: 'valnspace',
        attributes: [{ ns: '', name: 'a', value: '1' }],
        children: [{ ns: 'bar', name: 'foo', attributes: [], children: [] }],
      },
    });
  });

  it('reads several properties in one prop and an empty-namespace one (litmus propnullns)', () => {
    const ops = parseProppatch(
      parseXml(
        '<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><a xmlns="urn:a">1</a><nonamespace xmlns="">v</nonamespace></D:prop></D:set>' +
          '<D:remove><D:prop><D:displayname/></D:prop></D:remove><D:unknown/></D:propertyupdate>',
      ),
    );
    expect(ops.map((o) => [o.op, o.prop.ns, o.prop.name])).toEqual([
      ['set', 'urn:a', 'a'],
      ['set', '', 'nonamespace'],
      ['remove', 'DAV:', 'displayname'],
    ]);
  });

  it.each<[string, string]>([
    ['another root element', '<propfind xmlns="DAV:"><prop/></propfind>'],
    ['no set or remove', '<propertyupdate xmlns="DAV:"/>'],
    ['a set without prop', '<propertyupdate xmlns="DAV:"><set><x xmlns="urn:x"/></set></propertyupdate>'],
    ['a prop in another namespace', '<propertyupdate xmlns="DAV:"><set><prop xmlns="urn:x"><y/></prop></set></propertyupdate>'],
    ['no property at all', '<propertyupdate xmlns="DAV:"><set><prop/></set></propertyupdate>'],
  ])('refuses %s with 400', (_label, body) => {
    expect(status(() => parseProppatch(parseXml(body)))).toBe(400);
  });
});

describe('parseLockinfo', () => {
  it('reads an empty body as a refresh', () => {
    expect(parseLockinfo(null)).toBeNull();
  });

  it('reads scope and owner, keeping the owner as a self-contained fragment', () => {
    const info = parseLockinfo(
      parseXml(
        '<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype>' +
          '<D:owner>\n  <D:href>http://example.org/~ejw/contact.html</D:href>\n</D:owner></D:lockinfo>',
      ),
    );
    expect(info).toEqual({
      scope: 'exclusive',
      owner: '<D:owner xmlns:D="DAV:"><D:href>http://example.org/~ejw/contact.html</D:href></D:owner>',
    });
    expect(parseFragment(info?.owner ?? '').name).toBe('owner');
  });

  it('reads a shared lock without owner, and an owner with text and foreign elements', () => {
    const shared = parseXml('<lockinfo xmlns="DAV:"><locktype><write/></locktype><lockscope><shared/></lockscope></lockinfo>');
    expect(parseLockinfo(shared)).toEqual({ scope: 'shared', owner: null });
    const text = parseXml(
      '<lockinfo xmlns="DAV:"><lockscope><exclusive/></lockscope><locktype><write/></locktype><owner>  litmus test suite </owner></lockinfo>',
    );
    expect(parseLockinfo(text)?.owner).toBe('<D:owner xmlns:D="DAV:">  litmus test suite </D:owner>');
    const foreign = parseXml(
      '<lockinfo xmlns="DAV:"><lockscope><exclusive/></lockscope><locktype><write/></locktype><owner><o:id xmlns:o="urn:o">7</o:id></owner></lockinfo>',
    );
    expect(parseLockinfo(foreign)?.owner).toBe('<D:owner xmlns:D="DAV:" xmlns:ns0="urn:o"><ns0:id>7</ns0:id></D:owner>');
  });

  it.each<[string, string]>([
    ['another root element', '<propfind xmlns="DAV:"/>'],
    ['no lockscope', '<lockinfo xmlns="DAV:"><locktype><write/></locktype></lockinfo>'],
    ['an unknown scope', '<lockinfo xmlns="DAV:"><lockscope><other/></lockscope><locktype><write/></locktype></lockinfo>'],
    ['no locktype', '<lockinfo xmlns="DAV:"><lockscope><exclusive/></lockscope></lockinfo>'],
    ['a locktype other than write', '<lockinfo xmlns="DAV:"><lockscope><exclusive/></lockscope><locktype><read/></locktype></lockinfo>'],
    [
      'write in another namespace',
      '<lockinfo xmlns="DAV:"><lockscope><exclusive/></lockscope><locktype><write xmlns="urn:x"/></locktype></lockinfo>',
    ],
  ])('refuses %s with 400', (_label, body) => {
    expect(status(() => parseLockinfo(parseXml(body)))).toBe(400);
  });
});
