import { header, type DavContext } from './context.js';
import { DavError } from './status.js';

/**
 * The de-facto modification-time channel (ownCloud's X-OC-Mtime, Unix seconds, sent by
 * rclone, FolderSync and others on PUT, COPY and MOVE). Returns epoch ms, or undefined.
 */
export function requestedMtime(ctx: DavContext): number | undefined {
  const value = header(ctx, 'x-oc-mtime');
  if (value === undefined) return undefined;
  if (!/^\s*\d+(\.\d+)?\s*$/.test(value)) throw new DavError(400, 'X-OC-Mtime must be a Unix time in seconds');
  return Math.round(Number(value) * 1000);
}

/** Tells the client its X-OC-Mtime was applied (it otherwise falls back to PROPPATCH). */
export function acceptMtime(ctx: DavContext): void {
  ctx.reply.header('X-OC-MTime', 'accepted');
}
