/** RFC 4918 9.2 PROPPATCH: sets and removes dead properties, all or nothing, in document order. */
import { checkWriteConditions } from '../conditions.js';
import { hrefOf, readXmlBody, type DavContext } from '../context.js';
import { liveProperty, mtimeFromProperty } from '../properties/live.js';
import { DavError } from '../status.js';
import {
  parseProppatch,
  responseXml,
  serializeElement,
  multistatusOpen,
  multistatusClose,
  type PropStat,
  type XmlElement,
} from '../xml/index.js';
import type { PropertyChange } from '../../vfs/index.js';

export async function proppatch(ctx: DavContext): Promise<void> {
  const body = await readXmlBody(ctx);
  if (!body) throw new DavError(400, 'PROPPATCH needs a propertyupdate body');
  const operations = parseProppatch(body);
  const entry = await ctx.deps.vfs.stat(ctx.principal, ctx.path);
  const lockTokens = await checkWriteConditions(ctx, entry);

  const changes: PropertyChange[] = [];
  const failed = new Map<string, { status: number; description: string }>();
  let mtime: number | undefined;
  for (const operation of operations) {
    const { ns, name } = operation.prop;
    const key = `${ns} ${name}`;
    const setsTime = operation.op === 'set' ? mtimeFromProperty(ns, name, textOf(operation.value)) : undefined;
    if (setsTime !== undefined) {
      if (Number.isNaN(setsTime)) failed.set(key, { status: 409, description: `${name} is not a valid date` });
      else mtime = setsTime;
      continue;
    }
    if (liveProperty(ns, name)?.protected) {
      failed.set(key, { status: 403, description: `${name} is computed by the server and cannot be changed` });
      continue;
    }
    changes.push(operation.op === 'set' ? { op: 'set', ns, name, value: serializeElement(operation.value) } : { op: 'remove', ns, name });
  }

  const names = operations.map((op) => op.prop);
  let propstats: PropStat[];
  if (failed.size > 0) {
    // 9.2: one failure fails them all; the others answer 424 Failed Dependency.
    propstats = [
      ...[...failed].map(([key, failure]) => ({ status: failure.status, props: [propOf(key)], description: failure.description })),
      { status: 424, props: names.filter((n) => !failed.has(`${n.ns} ${n.name}`)).map((n) => ({ ns: n.ns, name: n.name })) },
    ].filter((propstat) => propstat.props.length > 0);
  } else {
    await ctx.deps.vfs.properties.patch(ctx.principal, ctx.path, changes, { mtime, lockTokens });
    propstats = [{ status: 200, props: dedupe(names) }];
  }
  ctx.reply
    .code(207)
    .type('application/xml; charset=utf-8')
    .send(multistatusOpen() + responseXml(hrefOf(ctx, ctx.path, entry.kind === 'folder'), propstats) + multistatusClose());
}

function textOf(element: XmlElement): string {
  return element.children.map((child) => (typeof child === 'string' ? child : textOf(child))).join('');
}

function propOf(key: string) {
  const space = key.lastIndexOf(' ');
  return { ns: key.slice(0, space), name: key.slice(space + 1) };
}

function dedupe(names: Array<{ ns: string; name: string }>) {
  const seen = new Set<string>();
  return names.filter((n) => !seen.has(`${n.ns} ${n.name}`) && seen.add(`${n.ns} ${n.name}`)).map((n) => ({ ns: n.ns, name: n.name }));
}
