import { z } from 'zod';
import { decodeId } from '../../../auth/index.js';
import { NotFoundError } from '../../../core/index.js';
import { defineRoute, type ApiDependencies } from '../../context.js';
import { ApiError, CODES, batchError } from '../../errors.js';
import { locate } from '../../space.js';
import { parseFileUri } from '../../uri.js';

/**
 * Versions and trash (issue 12, Cloudreve's `POST /file/restore`, `DELETE /file/trash`,
 * `POST /file/version/current`, `DELETE /file/version`). A version is named by its entity id,
 * the id `extended_info.entities[]` lists (the current content is `primary_entity`).
 */
const uri = z.string().min(1);

const restoreRoute = defineRoute({
  method: 'POST',
  url: '/file/restore',
  summary: 'Put trashed files and folders back where they were (renamed on a conflict, missing folders made again)',
  tag: 'file',
  auth: 'optional',
  body: z.object({ uris: z.array(uri).min(1) }),
  handler: async ({ body, auth, deps }) => {
    if (!auth) throw new ApiError(CODES.loginRequired, 'Login required');
    const failures = new Map<string, unknown>();
    for (const text of new Set(body.uris)) {
      try {
        const parsed = parseFileUri(text);
        if (parsed.fs !== 'trash' || parsed.names.length !== 1) {
          throw new ApiError(CODES.parameter, 'Only items at the top of the trash (cloudreve://trash/{id}) can be restored');
        }
        const id = decodeId('file', parsed.names[0]!);
        if (id === null) throw new NotFoundError('There is no such item in the trash');
        await deps.vfs.history.restore(auth.principal, id);
      } catch (error) {
        failures.set(text, error);
      }
    }
    if (failures.size > 0) throw batchError(failures, true, logFailure(deps));
  },
});

const emptyTrashRoute = defineRoute({
  method: 'DELETE',
  url: '/file/trash',
  summary: "Empty the caller's trash: everything in it is deleted for good",
  tag: 'file',
  auth: 'optional',
  handler: async ({ auth, deps }) => {
    if (!auth) throw new ApiError(CODES.loginRequired, 'Login required');
    await deps.vfs.history.empty(auth.principal);
  },
});

const versionBody = z.object({ uri, version: z.string().min(1) });

const currentVersionRoute = defineRoute({
  method: 'POST',
  url: '/file/version/current',
  summary: "Make an old version the file's content; the current content becomes a version",
  tag: 'file',
  auth: 'optional',
  body: versionBody,
  handler: async ({ body, auth, deps }) => {
    const { space, path } = await locate(body.uri, auth, deps.users);
    const id = await versionIdOf(deps, space.principal, path, body.version);
    if (id !== 0) await deps.vfs.history.restoreVersion(space.principal, path, id);
  },
});

const deleteVersionRoute = defineRoute({
  method: 'DELETE',
  url: '/file/version',
  summary: 'Delete an old version of a file for good (not the current one)',
  tag: 'file',
  auth: 'optional',
  body: versionBody,
  handler: async ({ body, auth, deps }) => {
    const { space, path } = await locate(body.uri, auth, deps.users);
    const id = await versionIdOf(deps, space.principal, path, body.version);
    if (id === 0) throw new ApiError(CODES.forbidden, 'The current version cannot be deleted; delete the file instead');
    await deps.vfs.history.deleteVersion(space.principal, path, id);
  },
});

/** The version an entity id names (0: the current content); 40077 when the file has no such version. */
async function versionIdOf(
  deps: ApiDependencies,
  principal: Parameters<ApiDependencies['vfs']['history']['versions']>[0],
  path: readonly string[],
  entity: string,
): Promise<number> {
  const { versions } = await deps.vfs.history.versions(principal, path);
  const version = versions.find((v) => v.blobId === entity);
  if (!version) throw new ApiError(CODES.entityNotExist, 'Entity not exist: the file has no such version');
  return version.current ? 0 : version.id;
}

function logFailure(deps: ApiDependencies) {
  return (error: unknown, correlationId: string) => deps.logger.error({ err: error, correlationId }, 'API batch item failed');
}

export const historyRoutes = [restoreRoute, emptyTrashRoute, currentVersionRoute, deleteVersionRoute];
