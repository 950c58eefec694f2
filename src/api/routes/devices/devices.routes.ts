import { encodeId } from '../../../auth/index.js';
import { defineRoute } from '../../context.js';
import { ApiError, CODES } from '../../errors.js';
import { cursorPagination, pageTokenId } from '../../pagination.js';
import { accountId, accountRoot, expiryOf, presentAccount } from './devices.present.js';
import { createBody, davAccountSchema, listQuery, listResponse, updateBody } from './devices.schema.js';

/** 4.18's disable_sys_files: refused rather than silently not done. */
function refuseSysFiles(body: { disable_sys_files?: boolean }): void {
  if (body.disable_sys_files) throw new ApiError(CODES.parameter, 'disable_sys_files is not supported by this server');
}

const idOf = (params: unknown) => accountId((params as { id: string }).id);

/**
 * Contract 18.1: the caller's WebDAV accounts, the same ones `cumulus dav-account` manages.
 * Listing and deleting need only a signed-in user; creating and changing one also need a
 * group with the WebDAV permission (40007). Unknown ids, and other users' accounts, are
 * 404 "Account not exist".
 */
export const deviceRoutes = [
  defineRoute({
    method: 'GET',
    url: '/devices/dav',
    summary: 'List your WebDAV accounts, newest first, in pages linked by next_token',
    tag: 'devices',
    auth: 'required',
    query: listQuery,
    response: listResponse,
    handler: async ({ query, auth, deps }) => {
      const before = pageTokenId('dav', query.next_page_token);
      const { accounts, more } = await deps.davAccounts.listPage(auth!.user.id, { limit: query.page_size, before });
      const last = accounts[accounts.length - 1];
      return {
        accounts: accounts.map((account) => presentAccount(account)),
        pagination: cursorPagination(query.page_size, more && last ? encodeId('dav', last.id) : null),
      };
    },
  }),
  defineRoute({
    method: 'PUT',
    url: '/devices/dav',
    summary: 'Create a WebDAV account; the answer holds its generated password, the only time it is shown',
    tag: 'devices',
    auth: 'required',
    body: createBody,
    response: davAccountSchema,
    handler: async ({ body, auth, deps }) => {
      refuseSysFiles(body);
      const { account, password } = await deps.davAccounts.create({
        userId: auth!.user.id,
        name: body.name,
        root: accountRoot(body.uri, auth!),
        readOnly: body.readonly ?? false,
        redirectDownloads: body.redirect_downloads ?? false,
        expiresAt: expiryOf(body.expires_at),
      });
      return presentAccount(account, password);
    },
  }),
  defineRoute({
    method: 'PATCH',
    url: '/devices/dav/:id',
    summary: "Change a WebDAV account's name, root folder, read-only flag, redirect downloads or expiry; its password stays",
    tag: 'devices',
    auth: 'required',
    body: updateBody,
    response: davAccountSchema,
    handler: async ({ request, body, auth, deps }) => {
      refuseSysFiles(body);
      const account = await deps.davAccounts.update(idOf(request.params), auth!.user.id, {
        name: body.name,
        root: body.uri === undefined ? undefined : accountRoot(body.uri, auth!),
        readOnly: body.readonly,
        redirectDownloads: body.redirect_downloads,
        expiresAt: expiryOf(body.expires_at),
      });
      return presentAccount(account);
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/devices/dav/:id',
    summary: 'Delete a WebDAV account: its password stops working at once',
    tag: 'devices',
    auth: 'required',
    handler: async ({ request, auth, deps }) => {
      await deps.davAccounts.revoke(idOf(request.params), auth!.user.id);
    },
  }),
];
