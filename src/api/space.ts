import { decodeId, encodeId } from '../auth/index.js';
import { parsePath, type Principal, type VPath } from '../core/index.js';
import type { Authentication, UserService } from '../services/index.js';
import { ApiError, CODES } from './errors.js';
import { parseFileUri, renderFileUri, type FileUri } from './uri.js';

/** A user's `my` file system as the caller sees it: whose it is, acting as whom, and how its URIs are written. */
export interface Space {
  readonly principal: Principal;
  readonly ownerId: number;
  /** Whether the caller owns the space (an administrator may open another user's). */
  readonly owned: boolean;
  uriOf(path: VPath): string;
}

export interface Located {
  readonly uri: FileUri;
  readonly space: Space;
  readonly path: VPath;
}

/**
 * Turns a `cloudreve://` URI into a space and a vfs path (contract 4.1). Only `my` exists so
 * far. `cloudreve://{user id}@my` names another user's space, for administrators only; anyone
 * else gets 40082 whether or not that user exists. Names are validated here (40052).
 */
export async function locate(text: string, auth: Authentication | null, users: UserService): Promise<Located> {
  const uri = parseFileUri(text);
  if (uri.fs !== 'my') {
    throw new ApiError(CODES.parameter, `The "${uri.fs}" file system is not available on this server yet; use cloudreve://my`);
  }
  if (!auth) throw new ApiError(CODES.loginRequired, 'Login required');
  const space = await spaceOf(uri, auth, users);
  return { uri, space, path: parsePath(uri.names.join('/')) };
}

async function spaceOf(uri: FileUri, auth: Authentication, users: UserService): Promise<Space> {
  const ownId = encodeId('user', auth.user.id);
  if (uri.user === null || uri.user === ownId) {
    return { principal: auth.principal, ownerId: auth.user.id, owned: true, uriOf: (path) => renderFileUri({ fs: 'my' }, path) };
  }
  const group = await users.groupOf(auth.user);
  if (!group.permissions.admin) throw new ApiError(CODES.ownerOnly, 'Only owner or administrator can perform this action');
  const userId = decodeId('user', uri.user);
  if (userId === null) throw new ApiError(CODES.notExist, `There is no user ${uri.user}`);
  const owner = await users.get(userId);
  const principal = await users.principalFor(owner, { readOnly: auth.principal.readOnly, label: `api:${auth.user.id}-as:${owner.id}` });
  return { principal, ownerId: owner.id, owned: false, uriOf: (path) => renderFileUri({ fs: 'my', user: uri.user }, path) };
}
