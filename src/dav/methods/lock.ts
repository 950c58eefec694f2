/** RFC 4918 9.10 LOCK: new exclusive or shared write locks, refreshes, and locks on unmapped URLs. */
import { Readable } from 'node:stream';
import { checkWriteConditions, statOrNull } from '../conditions.js';
import { header, readXmlBody, type DavContext } from '../context.js';
import { parseDepth, parseTimeout } from '../headers/index.js';
import { grantedLockOf } from '../properties/propstats.js';
import { DavError } from '../status.js';
import { lockResponseXml, parseLockinfo } from '../xml/index.js';

export async function lock(ctx: DavContext): Promise<void> {
  const info = parseLockinfo(await readXmlBody(ctx));
  const { defaultLockSeconds, maxLockSeconds } = ctx.deps.options;
  const timeoutSeconds = parseTimeout(header(ctx, 'timeout'), { defaultSeconds: defaultLockSeconds, maxSeconds: maxLockSeconds });
  const current = await statOrNull(ctx, ctx.path);

  if (!info) {
    // 9.10.2: an empty body refreshes the lock named in the If header.
    if (!current) throw new DavError(412, 'There is no lock to refresh on a resource that does not exist');
    const tokens = await checkWriteConditions(ctx, current);
    if (tokens.length === 0) throw new DavError(400, 'A lock refresh needs the lock token in an If header');
    const refreshed = await ctx.deps.vfs.locks.refresh(ctx.principal, ctx.path, tokens, timeoutSeconds);
    ctx.reply
      .code(200)
      .type('application/xml; charset=utf-8')
      .send(lockResponseXml([grantedLockOf(refreshed, ctx.principal)]));
    return;
  }

  const depth = parseDepth(header(ctx, 'depth'), { allowed: ['0', 'infinity'], fallback: 'infinity' });
  const lockTokens = await checkWriteConditions(ctx, current);
  let created = false;
  if (!current) {
    // 9.10.4: locking an unmapped URL creates an empty resource.
    await ctx.deps.vfs.write(ctx.principal, ctx.path, Readable.from([]), { lockTokens });
    created = true;
  }
  const { lock: taken } = await ctx.deps.vfs.locks
    .lock(ctx.principal, ctx.path, { scope: info.scope, depth: depth === '0' ? '0' : 'infinity', owner: info.owner, timeoutSeconds })
    .catch(async (error: unknown) => {
      // A refused lock leaves nothing behind: not the empty file made for it (a lock taken
      // meanwhile by another client keeps that file, as the delete is then refused).
      // The empty file this LOCK made goes for good (not to the trash): it was never the user's.
      if (created) await ctx.deps.vfs.delete(ctx.principal, ctx.path, { permanent: true }).catch(() => undefined);
      throw error;
    });
  ctx.reply
    .code(created ? 201 : 200)
    .header('Lock-Token', `<${taken.token}>`)
    .type('application/xml; charset=utf-8')
    .send(lockResponseXml([grantedLockOf(taken, ctx.principal)]));
}
