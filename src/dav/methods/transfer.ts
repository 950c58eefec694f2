/** RFC 4918 9.8 COPY and 9.9 MOVE: shared handling of Destination, Overwrite and Depth. */
import { checkWriteConditions } from '../conditions.js';
import { header, singleHeader, type DavContext } from '../context.js';
import { parseDepth, parseOverwrite } from '../headers/index.js';
import { acceptMtime, requestedMtime } from '../mtime.js';
import { parseDestinationHeader } from '../paths.js';

export async function copy(ctx: DavContext): Promise<void> {
  await transfer(ctx, 'copy');
}

export async function move(ctx: DavContext): Promise<void> {
  await transfer(ctx, 'move');
}

async function transfer(ctx: DavContext, kind: 'copy' | 'move'): Promise<void> {
  const destination = parseDestinationHeader(
    singleHeader(ctx, 'Destination'),
    { host: header(ctx, 'host'), acceptedHosts: [...ctx.deps.options.acceptedHosts, ...forwardedHosts(ctx)] },
    ctx.prefix,
  );
  const overwrite = parseOverwrite(singleHeader(ctx, 'Overwrite'));
  const source = await ctx.deps.vfs.stat(ctx.principal, ctx.path);
  // 9.8.3: COPY of a collection is Depth 0 or infinity; 9.9.2: MOVE always acts as infinity.
  const depth =
    source.kind === 'folder'
      ? parseDepth(header(ctx, 'depth'), { allowed: kind === 'copy' ? ['0', 'infinity'] : ['infinity'], fallback: 'infinity' })
      : 'infinity';
  const mtime = requestedMtime(ctx);
  const lockTokens = await checkWriteConditions(ctx, source);
  const options = { overwrite, lockTokens };
  const { replaced } =
    kind === 'copy'
      ? await ctx.deps.vfs.copy(ctx.principal, ctx.path, destination, { ...options, depth: depth === '0' ? '0' : 'infinity' })
      : await ctx.deps.vfs.move(ctx.principal, ctx.path, destination, options);
  if (mtime !== undefined) {
    await ctx.deps.vfs.setMtime(ctx.principal, destination, mtime, { lockTokens });
    acceptMtime(ctx);
  }
  ctx.reply.code(replaced ? 204 : 201).send();
}

/** A reverse proxy may rewrite Host; the host it was asked for is also ours. */
function forwardedHosts(ctx: DavContext): string[] {
  const forwarded = header(ctx, 'x-forwarded-host');
  return forwarded ? forwarded.split(',').map((host) => host.trim()) : [];
}
