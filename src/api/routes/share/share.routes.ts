import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { encodeId } from '../../../auth/index.js';
import type { Authentication, ShareSettings, UserService } from '../../../services/index.js';
import { defineRoute } from '../../context.js';
import { ApiError, CODES } from '../../errors.js';
import { cursorPagination, pageTokenId } from '../../pagination.js';
import { locate } from '../../space.js';
import { presentShare } from './share.present.js';
import { deleteManyBody, infoQuery, listQuery, listResponse, shareBody, shareSchema } from './share.schema.js';

/** Contract 17 and 19: creating a share link answers the link itself. */
const createRoute = defineRoute({
  method: 'PUT',
  url: '/share',
  summary: 'Share a file or folder of your own; answers the link, {site}/s/{key}[/{password}]',
  tag: 'share',
  auth: 'required',
  body: shareBody,
  response: z.string(),
  handler: async ({ request, body, auth, deps }) => {
    const origin = originOf(request, deps.shares);
    const { space, path } = await ownTarget(body.uri, auth!, deps);
    const share = await deps.shares.create(auth!.user, space.principal, path, settingsOf(body));
    return deps.shares.link(share, origin);
  },
});

/**
 * Cloudreve's `POST /share/:id` (the id being the link key the list answers): the same body as
 * creating; every setting is replaced, the counters and the key stay. Download URLs made
 * through the share before stop working.
 */
const updateRoute = defineRoute({
  method: 'POST',
  url: '/share/:id',
  summary: 'Change one of your shares (target and settings); answers its link',
  tag: 'share',
  auth: 'required',
  body: shareBody,
  response: z.string(),
  handler: async ({ request, body, auth, deps }) => {
    const key = shareKeyOf(request);
    const origin = originOf(request, deps.shares);
    const { space, path } = await ownTarget(body.uri, auth!, deps);
    const share = await deps.shares.update(auth!.user, key, space.principal, path, settingsOf(body));
    return deps.shares.link(share, origin);
  },
});

/** Cloudreve's ListShareService: the caller's shares in creation order, cursor-paged. */
const listRoute = defineRoute({
  method: 'GET',
  url: '/share',
  summary: 'Your shares, oldest first (order_direction=desc: newest first), in pages linked by next_token',
  tag: 'share',
  auth: 'required',
  query: listQuery,
  response: listResponse,
  handler: async ({ request, query, auth, deps }) => {
    const after = pageTokenId('share', query.next_page_token);
    const direction = query.order_direction === 'desc' ? 'desc' : 'asc';
    const origin = originOf(request, deps.shares);
    const page = await deps.shares.list(auth!.user.id, { after, direction, limit: query.page_size });
    return {
      shares: page.shares.map((share) =>
        presentShare(share, { owner: auth!.user, viewerId: auth!.user.id, unlocked: true, url: deps.shares.link(share, origin) }),
      ),
      // The cursor is the position in the caller's own list, not a way into any share.
      pagination: cursorPagination(query.page_size, page.next === null ? null : encodeId('share', page.next)),
    };
  },
});

/**
 * Cloudreve's ShareInfoService: what the share page shows anyone holding the link. A password
 * given is a guess: throttled per share and per address (429 with Retry-After).
 */
const infoRoute = defineRoute({
  method: 'GET',
  url: '/share/info/:id',
  summary: 'A share as its link shows it; counters and password once unlocked (password= or the owner)',
  tag: 'share',
  auth: 'optional',
  query: infoQuery,
  response: shareSchema,
  handler: async ({ request, query, auth, deps }) => {
    const key = shareKeyOf(request);
    const origin = originOf(request, deps.shares);
    const viewerId = auth?.user.id ?? null;
    const { share, owner, unlocked } = await deps.shares.info(key, {
      password: query.password,
      userId: auth?.user.id,
      countViews: query.count_views,
      address: request.ip,
    });
    return presentShare(share, { owner, viewerId, unlocked, url: deps.shares.link(share, origin, unlocked) });
  },
});

const deleteRoute = defineRoute({
  method: 'DELETE',
  url: '/share/:id',
  summary: 'Delete one of your shares (an administrator may delete any); the link stops working',
  tag: 'share',
  auth: 'required',
  handler: async ({ request, auth, deps }) => {
    await deps.shares.delete(auth!.user, shareKeyOf(request));
  },
});

/** 4.18: deletes those of the listed shares (by the keys the list answers) that are the caller's; others are ignored, as Cloudreve does. */
const deleteManyRoute = defineRoute({
  method: 'DELETE',
  url: '/share',
  summary: 'Delete several of your shares',
  tag: 'share',
  auth: 'required',
  body: deleteManyBody,
  handler: async ({ body, auth, deps }) => {
    for (const text of body.ids) {
      if (!SHARE_KEY.test(text)) throw new ApiError(CODES.parameter, 'This is not a share id');
    }
    await deps.shares.deleteMany(auth!.user, body.ids);
  },
});

/** Contract 17 and 19. */
export const shareRoutes = [createRoute, updateRoute, listRoute, infoRoute, deleteRoute, deleteManyRoute];

/** The target of a share: a file or folder of the caller's own `my` space (a share URI is 403). */
async function ownTarget(uri: string, auth: Authentication, deps: { readonly users: UserService }) {
  const located = await locate(uri, auth, deps.users);
  if (!located.space.owned) throw new ApiError(CODES.ownerOnly, 'Only owner or administrator can perform this action');
  return located;
}

function settingsOf(body: z.output<typeof shareBody>): ShareSettings {
  return {
    password: body.password,
    isPrivate: body.is_private,
    downloads: body.downloads,
    expireSeconds: body.expire,
    shareView: body.share_view,
    showReadme: body.show_readme,
  };
}

/** What can be a share's link key (contract 3.3: alphanumeric); anything else is 40001 before any look-up. */
const SHARE_KEY = /^[0-9A-Za-z]{1,64}$/;

/**
 * The share named in the URL: its link key, the `id` every answer gives. Anything that cannot
 * be one is 40001, as Cloudreve's hashid middleware answers; a key no share has is 404 later.
 */
function shareKeyOf(request: FastifyRequest): string {
  const text = (request.params as { id?: string }).id ?? '';
  if (!SHARE_KEY.test(text)) throw new ApiError(CODES.parameter, 'Failed to parse object ID: this is not a share id');
  return text;
}

/**
 * Where links point: the configured public URL, or else the scheme and host the request came
 * to (X-Forwarded-* only from a proxy `trustProxy` trusts). Checked before anything changes, so
 * a Host header that cannot be part of a URL refuses the request rather than a saved share.
 */
function originOf(request: FastifyRequest, shares: { readonly publicUrl?: string }): string {
  if (shares.publicUrl) return shares.publicUrl;
  if (!/^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/.test(request.host)) {
    throw new ApiError(CODES.parameter, `Cannot build share links for the host ${JSON.stringify(request.host)}; configure publicUrl`);
  }
  return `${request.protocol}://${request.host}`;
}
