/** RFC 4918 9.6 DELETE: a file, or a collection with everything below it (Depth: infinity). */
import { checkWriteConditions } from '../conditions.js';
import { header, type DavContext } from '../context.js';
import { parseDepth } from '../headers/index.js';

export async function remove(ctx: DavContext): Promise<void> {
  const current = await ctx.deps.vfs.stat(ctx.principal, ctx.path);
  if (current.kind === 'folder') parseDepth(header(ctx, 'depth'), { allowed: ['infinity'], fallback: 'infinity' });
  const lockTokens = await checkWriteConditions(ctx, current);
  await ctx.deps.vfs.delete(ctx.principal, ctx.path, { lockTokens });
  ctx.reply.code(204).send();
}
