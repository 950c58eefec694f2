/** RFC 4918 9.3 MKCOL: creates one collection; 405 when the name is taken, 409 without a parent. */
import { AlreadyExistsError } from '../../core/index.js';
import { checkIfHeader } from '../conditions.js';
import { discardBody, type DavContext } from '../context.js';
import { DavError } from '../status.js';

export async function mkcol(ctx: DavContext): Promise<void> {
  // 9.3.1: a body we do not understand is 415.
  if ((await discardBody(ctx)) > 0) throw new DavError(415, 'MKCOL with a body is not supported');
  const lockTokens = await checkIfHeader(ctx, null);
  try {
    await ctx.deps.vfs.mkdir(ctx.principal, ctx.path, { lockTokens });
  } catch (error) {
    if (error instanceof AlreadyExistsError) throw new DavError(405, 'Something with this name already exists');
    throw error;
  }
  ctx.reply.code(201).send();
}
