import { Readable } from 'node:stream';
import {
  AlreadyExistsError,
  NotAFolderError,
  NotFoundError,
  normaliseName,
  parentOf,
  type Entry,
  type Principal,
  type VPath,
} from '../../../core/index.js';
import type { Vfs } from '../../../vfs/index.js';
import { defineRoute } from '../../context.js';
import { ApiError, CODES } from '../../errors.js';
import { presentFile } from '../../present.js';
import { locate } from '../../space.js';
import { createBody, fileSchema, renameBody } from './files.schema.js';

/**
 * Contract section 11: creates a folder or an empty file, and any missing folders on the
 * way. An existing object of the asked type is returned as it is (40004 with
 * err_on_conflict); one of the other type is 40004.
 */
const createRoute = defineRoute({
  method: 'POST',
  url: '/file/create',
  summary: 'Create a folder or an empty file (and missing parent folders)',
  tag: 'file',
  auth: 'optional',
  body: createBody,
  response: fileSchema,
  handler: async ({ body, auth, deps }) => {
    const { space, path } = await locate(body.uri, auth, deps.users);
    if (path.length === 0) throw new ApiError(CODES.forbidden, 'Not supported action: the root folder always exists');
    const existing = await statOrNull(deps.vfs, space.principal, path);
    if (existing) {
      if (existing.kind !== body.type) throw new ApiError(CODES.exists, `The name is taken by a ${existing.kind}`);
      if (body.err_on_conflict) throw new ApiError(CODES.exists, 'The file or folder already exists');
      return presentFile(existing, space, path);
    }
    if (body.type === 'folder') return presentFile(await deps.vfs.mkdir(space.principal, path, { parents: true }), space, path);
    if (path.length > 1) await deps.vfs.mkdir(space.principal, parentOf(path), { parents: true });
    const { entry } = await deps.vfs.write(space.principal, path, Readable.from([]), {
      expectedSize: 0,
      precondition: (current) => {
        if (current) throw new AlreadyExistsError('The file or folder already exists');
      },
    });
    return presentFile(entry, space, path);
  },
});

/** Contract section 12: a new name in the same folder; 40004 when it is taken. */
const renameRoute = defineRoute({
  method: 'POST',
  url: '/file/rename',
  summary: 'Rename a file or folder in place',
  tag: 'file',
  auth: 'optional',
  body: renameBody,
  response: fileSchema,
  handler: async ({ body, auth, deps }) => {
    const { space, path } = await locate(body.uri, auth, deps.users);
    if (path.length === 0) throw new ApiError(CODES.forbidden, 'Not supported action: the root folder cannot be renamed');
    const name = normaliseName(body.new_name);
    const entry = await deps.vfs.stat(space.principal, path);
    if (entry.name === name) return presentFile(entry, space, path);
    const target = [...parentOf(path), name];
    const { entry: renamed } = await deps.vfs.move(space.principal, path, target);
    return presentFile(renamed, space, target);
  },
});

export const manageRoutes = [createRoute, renameRoute];

/** The entry at a path, or null when nothing is there. */
export async function statOrNull(vfs: Vfs, principal: Principal, path: VPath): Promise<Entry | null> {
  try {
    return await vfs.stat(principal, path);
  } catch (error) {
    if (error instanceof NotFoundError || error instanceof NotAFolderError) return null;
    throw error;
  }
}
