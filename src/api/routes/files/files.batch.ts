import { decodeId } from '../../../auth/index.js';
import { LockedError, formatPath, isWithin, parentOf, type Entry } from '../../../core/index.js';
import { defineRoute, type ApiDependencies, type ApiOptions } from '../../context.js';
import { ApiError, CODES, batchError } from '../../errors.js';
import { locate, type Located } from '../../space.js';
import { parseFileUri } from '../../uri.js';
import { statOrNull } from './files.manage.js';
import { deleteBody, moveBody } from './files.schema.js';

/**
 * Contract section 13: moves or copies sources into a folder, keeping their names. A missing
 * or unusable destination, or a name already taken there, refuses the whole batch; problems
 * of single sources are reported per URI (40081) while the other sources are still done.
 */
const moveRoute = defineRoute({
  method: 'POST',
  url: '/file/move',
  summary: 'Move or copy files and folders into a folder',
  tag: 'file',
  auth: 'optional',
  body: moveBody,
  handler: async ({ body, auth, deps, options }) => {
    const uris = checkBatch(body.uris, options);
    const destination = await locate(body.dst, auth, deps.users);
    const folder = await deps.vfs.stat(destination.space.principal, destination.path);
    if (folder.kind !== 'folder') throw new ApiError(CODES.forbidden, `The destination ${formatPath(destination.path)} is not a folder`);

    const failures = new Map<string, unknown>();
    const plans: Array<{ uri: string; source: Located; entry: Entry }> = [];
    for (const uri of uris) {
      try {
        const source = await locate(uri, auth, deps.users);
        if (source.space.ownerId !== destination.space.ownerId) {
          throw new ApiError(CODES.forbidden, "Not supported action: files move and copy only within one user's space");
        }
        if (source.path.length === 0)
          throw new ApiError(CODES.forbidden, 'Not supported action: the root folder cannot be moved or copied');
        if (isWithin(destination.path, source.path)) {
          throw new ApiError(CODES.forbidden, `${formatPath(source.path)} cannot be moved or copied into itself`);
        }
        const entry = await deps.vfs.stat(source.space.principal, source.path);
        // Moving something to the folder it is in changes nothing.
        if (!body.copy && formatPath(parentOf(source.path)) === formatPath(destination.path)) continue;
        plans.push({ uri, source, entry });
      } catch (error) {
        failures.set(uri, error);
      }
    }

    const taken = new Set<string>();
    for (const { entry } of plans) {
      const target = [...destination.path, entry.name];
      if (taken.has(entry.name) || (await statOrNull(deps.vfs, destination.space.principal, target))) {
        throw new ApiError(CODES.exists, `${formatPath(target)} already exists; nothing was moved or copied`);
      }
      taken.add(entry.name);
    }

    for (const { uri, source, entry } of plans) {
      const target = [...destination.path, entry.name];
      try {
        if (body.copy) await deps.vfs.copy(destination.space.principal, source.path, target);
        else await deps.vfs.move(destination.space.principal, source.path, target);
      } catch (error) {
        failures.set(uri, error);
      }
    }
    if (failures.size > 0) throw batchError(failures, auth !== null, internalLogger(deps));
  },
});

/**
 * Contract 14.1: deletes files and folders with everything below them, into the owner's trash
 * (issue 12) unless `skip_soft_delete`; a `cloudreve://trash/{id}` URI deletes that item for
 * good. A locked target stops the request with 40073 (14.2); other problems are reported per
 * URI (40081).
 */
const deleteRoute = defineRoute({
  method: 'DELETE',
  url: '/file',
  summary: 'Delete files and folders: to the trash, or for good with skip_soft_delete or a trash URI',
  tag: 'file',
  auth: 'optional',
  body: deleteBody,
  handler: async ({ body, auth, deps, options }) => {
    const uris = checkBatch(body.uris, options);
    if (body.unlink)
      throw new ApiError(CODES.forbidden, 'Not supported action: unlink (forgetting files but keeping their bytes) is not available');
    const failures = new Map<string, unknown>();
    const targets: Array<{ uri: string; target: Located }> = [];
    for (const uri of uris) {
      try {
        const parsed = parseFileUri(uri);
        if (parsed.fs === 'trash') {
          await purgeTrashed(parsed.names, auth, deps);
          continue;
        }
        const target = await locate(uri, auth, deps.users);
        if (target.path.length === 0) throw new ApiError(CODES.forbidden, 'Not supported action: the root folder cannot be deleted');
        await deps.vfs.stat(target.space.principal, target.path);
        targets.push({ uri, target });
      } catch (error) {
        // A signed-out caller is told so at the top level, where OpenList looks to sign in again.
        if (error instanceof ApiError && error.code === CODES.loginRequired) throw error;
        failures.set(uri, error);
      }
    }
    for (const { uri, target } of targets) {
      // Something below another target of the batch goes with it.
      const inside = targets.some(
        (other) =>
          other.target !== target && other.target.space.ownerId === target.space.ownerId && isWithin(target.path, other.target.path),
      );
      if (inside) continue;
      try {
        await deps.vfs.delete(target.space.principal, target.path, { permanent: body.skip_soft_delete === true });
      } catch (error) {
        if (error instanceof LockedError) throw error;
        failures.set(uri, error);
      }
    }
    if (failures.size > 0) throw batchError(failures, auth !== null, internalLogger(deps));
  },
});

export const batchRoutes = [moveRoute, deleteRoute];

/** Refuses batches over the limit (40074) and unparsable URIs (40001) before anything is done; returns the distinct URIs. */
function checkBatch(uris: readonly string[], options: ApiOptions): string[] {
  const distinct = [...new Set(uris)];
  if (distinct.length > options.maxBatchSize) {
    throw new ApiError(CODES.tooManyUris, `Too many URIs: at most ${options.maxBatchSize} in one request, ${distinct.length} given`);
  }
  for (const uri of distinct) parseFileUri(uri);
  return distinct;
}

/** Deletes a trashed item for good (only whole items: `cloudreve://trash/{id}`). */
async function purgeTrashed(names: readonly string[], auth: Parameters<typeof locate>[1], deps: ApiDependencies): Promise<void> {
  if (!auth) throw new ApiError(CODES.loginRequired, 'Login required');
  const id = names.length === 1 ? decodeId('file', names[0]!) : null;
  if (id === null) throw new ApiError(CODES.forbidden, 'Not supported action: only whole items of the trash can be deleted');
  await deps.vfs.history.purge(auth.principal, id);
}

function internalLogger(deps: ApiDependencies) {
  return (error: unknown, correlationId: string) => deps.logger.error({ err: error, correlationId }, 'API batch item failed');
}
