/** RFC 4918 9.11 UNLOCK: releases the lock named by Lock-Token (brackets optional, as Windows sends it). */
import { header, type DavContext } from '../context.js';
import { parseLockTokenHeader } from '../headers/index.js';

export async function unlock(ctx: DavContext): Promise<void> {
  const token = parseLockTokenHeader(header(ctx, 'lock-token'));
  await ctx.deps.vfs.locks.unlock(ctx.principal, ctx.path, token);
  ctx.reply.code(204).send();
}
