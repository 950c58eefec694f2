import { decodeId, encodeId } from '../auth/index.js';
import { parsePath, type Principal, type VPath } from '../core/index.js';
import type { Authentication, ShareService, UserService } from '../services/index.js';
import { ApiError, CODES } from './errors.js';
import { parseFileUri, renderFileUri, type FileUri } from './uri.js';

/** A file system as the caller sees it: whose it is, acting as whom, and how its URIs are written. */
export interface Space {
  readonly principal: Principal;
  readonly ownerId: number;
  /** Whether the caller owns the space (an administrator may open another user's). */
  readonly owned: boolean;
  uriOf(path: VPath): string;
  /** Set when the space is a share link (contract 17); its principal is read-only. */
  readonly share?: SharedSpace;
}

export interface SharedSpace {
  /** The share's database id (for ShareService.recordDownloads and download grants; never shown). */
  readonly id: number;
  /** The share's revision when it was opened: download URLs work only while it stays the same. */
  readonly revision: number;
  /** `cloudreve://{key}[:{password}]@share/` (contract 4.2). */
  readonly rootUri: string;
  /**
   * For a single-file share, the file's name: the principal is rooted at the file itself, the
   * share's root is a folder holding just it, and `/{name}` is the file (principal path []).
   */
  readonly file: string | null;
}

export interface Located {
  readonly uri: FileUri;
  readonly space: Space;
  /** The path in the space's principal. */
  readonly path: VPath;
  /** Whether the URI names its file system's root (which has no info, and cannot be renamed or deleted). */
  readonly root: boolean;
}

/**
 * Turns a `cloudreve://` URI into a space and a vfs path (contract 4.1), for requests that
 * may change things: only `my` is writable. `cloudreve://{user id}@my` names another user's
 * space, for administrators only; anyone else gets 40082 whether or not that user exists.
 * Share URIs are refused here (contract 17: shares allow list, info and download only), so a
 * write can never start from a share's view. Names are validated here (40052).
 */
export async function locate(text: string, auth: Authentication | null, users: UserService): Promise<Located> {
  const uri = parseFileUri(text);
  if (uri.fs === 'share') throw new ApiError(CODES.forbidden, 'Not supported action: files in a share can only be listed and downloaded');
  return locateMine(uri, auth, users);
}

/**
 * As `locate`, for requests that only read: `share` URIs work too, for anyone who has the
 * link (and its password), as a read-only view jailed at the shared entry. `client` is the
 * caller's address: share passwords are guesses, throttled per address.
 */
export async function locateForReading(
  text: string,
  auth: Authentication | null,
  deps: { readonly users: UserService; readonly shares: ShareService },
  client: { readonly address: string },
): Promise<Located> {
  const uri = parseFileUri(text);
  if (uri.fs === 'share') return locateShared(uri, auth, deps.shares, client);
  return locateMine(uri, auth, deps.users);
}

async function locateMine(uri: FileUri, auth: Authentication | null, users: UserService): Promise<Located> {
  if (uri.fs !== 'my') {
    throw new ApiError(CODES.parameter, 'This file system is not available on this server yet; use cloudreve://my');
  }
  if (!auth) throw new ApiError(CODES.loginRequired, 'Login required');
  const space = await spaceOf(uri, auth, users);
  const path = parsePath(uri.names.join('/'));
  return { uri, space, path, root: path.length === 0 };
}

async function spaceOf(uri: FileUri, auth: Authentication, users: UserService): Promise<Space> {
  const ownId = encodeId('user', auth.user.id);
  if (uri.user === null || uri.user === ownId) {
    return { principal: auth.principal, ownerId: auth.user.id, owned: true, uriOf: (path) => renderFileUri({ fs: 'my' }, path) };
  }
  const group = await users.groupOf(auth.user);
  if (!group.permissions.admin) throw new ApiError(CODES.ownerOnly, 'Only owner or administrator can perform this action');
  const userId = decodeId('user', uri.user);
  if (userId === null) throw new ApiError(CODES.notExist, 'There is no such user');
  const owner = await users.get(userId);
  const label = `api:${auth.user.id}-as:${owner.id}`;
  const principal = await users.principalFor(owner, { readOnly: auth.principal.readOnly, label, lockHolder: label });
  return { principal, ownerId: owner.id, owned: false, uriOf: (path) => renderFileUri({ fs: 'my', user: uri.user }, path) };
}

/**
 * Contract 17 and 4.1: `cloudreve://{key}[:{password}]@share/{path}`, where the share id is
 * its random link key. The share service checks that the share opens (404), the password
 * (40069, 429 after too many wrong ones), and roots the principal at the shared entry, so `..`
 * (already resolved by the URI parser, never above the root) and any other path stay inside
 * it. Returned paths keep the password, as Cloudreve's do (4.2).
 */
async function locateShared(
  uri: FileUri,
  auth: Authentication | null,
  shares: ShareService,
  client: { readonly address: string },
): Promise<Located> {
  if (!uri.user) throw new ApiError(CODES.parameter, 'A share URI names its share: cloudreve://{share id}@share');
  const { share, owner, principal } = await shares.open(uri.user, uri.password, client);
  const names = parsePath(uri.names.join('/'));
  const userinfo = encodeURIComponent(uri.user) + (uri.password === null ? '' : `:${encodeURIComponent(uri.password)}`);
  const render = (path: VPath) => renderFileUri({ fs: 'share' }, path).replace('cloudreve://', `cloudreve://${userinfo}@`);
  const base = { principal, ownerId: owner.id, owned: auth?.user.id === owner.id };
  const shared = { id: share.id, revision: share.revision, rootUri: render([]) };
  if (share.kind === 'folder') {
    return { uri, path: names, root: names.length === 0, space: { ...base, uriOf: render, share: { ...shared, file: null } } };
  }
  // A single-file share holds its file and nothing else.
  if (names.length > 1 || (names.length === 1 && names[0] !== share.name)) {
    throw new ApiError(CODES.notExist, 'The file or folder does not exist in this share');
  }
  return {
    uri,
    path: [],
    root: names.length === 0,
    space: { ...base, uriOf: (path) => render([share.name, ...path]), share: { ...shared, file: share.name } },
  };
}
