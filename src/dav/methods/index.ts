import type { DavContext } from '../context.js';
import { remove } from './delete.js';
import { get } from './get.js';
import { lock } from './lock.js';
import { mkcol } from './mkcol.js';
import { options, ALLOW } from './options.js';
import { propfind } from './propfind.js';
import { proppatch } from './proppatch.js';
import { put } from './put.js';
import { copy, move } from './transfer.js';
import { unlock } from './unlock.js';

export { ALLOW };

/** One handler per method (STYLE.md item 5). */
export const DAV_METHODS: Record<string, (ctx: DavContext) => Promise<void>> = {
  OPTIONS: options,
  GET: get,
  HEAD: get,
  PUT: put,
  DELETE: remove,
  MKCOL: mkcol,
  COPY: copy,
  MOVE: move,
  PROPFIND: propfind,
  PROPPATCH: proppatch,
  LOCK: lock,
  UNLOCK: unlock,
};
