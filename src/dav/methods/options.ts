/** RFC 4918 10.1 / RFC 7231 4.3.7 OPTIONS: compliance classes and methods, the same for every path and without authentication. */
import type { DavContext } from '../context.js';

export const ALLOW = 'OPTIONS, GET, HEAD, PUT, DELETE, MKCOL, COPY, MOVE, PROPFIND, PROPPATCH, LOCK, UNLOCK';

export async function options(ctx: Pick<DavContext, 'reply'>): Promise<void> {
  ctx.reply
    .code(200)
    .headers({ DAV: '1, 2', 'MS-Author-Via': 'DAV', Allow: ALLOW, 'Accept-Ranges': 'bytes', 'Content-Length': '0' })
    .send();
}
