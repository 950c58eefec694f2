import { formatPath } from '../../../core/index.js';
import { defineRoute } from '../../context.js';
import { ApiError, CODES } from '../../errors.js';
import { cursorPagination } from '../../pagination.js';
import { isoTime, presentFile, presentStoragePolicy } from '../../present.js';
import { locateForReading } from '../../space.js';
import { presentSharedFileRoot } from '../share/share.present.js';
import { storagePolicySchema } from '../upload/upload.schema.js';
import { batchRoutes } from './files.batch.js';
import { listingProps, sortFieldOf } from './files.listing.js';
import { lockRoutes, reportingLockConflicts } from './files.lock.js';
import { locateById, searchFolder } from './files.lookup.js';
import { extendedInfoOf } from './files.media.js';
import { manageRoutes } from './files.manage.js';
import { folderPolicyRoutes } from './files.policy.js';
import { historyRoutes } from './files.history.js';
import { listTrash, locateTrash } from './files.trash.js';
import { parseFileUri } from '../../uri.js';
import { infoQuery, fileSchema, listQuery, listResponse } from './files.schema.js';

/** Contract 7.1: page_size 0 means 100; larger sizes are capped at max_page_size. */
const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 2000;
/** Contract 7.3: a listing of a `my` folder names the storage policy uploads into it go to (omitted elsewhere). */
const listAnswer = listResponse.extend({ storage_policy: storagePolicySchema.optional() });

const listRoute = defineRoute({
  method: 'GET',
  url: '/file',
  summary: 'List a folder: folders first, then files, in pages linked by next_token',
  tag: 'file',
  auth: 'optional',
  query: listQuery,
  response: listAnswer,
  handler: async ({ query, auth, deps, request }) => {
    const pageSize = Math.min(query.page_size || DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
    const parsed = parseFileUri(query.uri);
    // Issue 12: the caller's trash.
    if (parsed.fs === 'trash') return listTrash(await locateTrash(parsed, auth, deps), deps, pageSize, MAX_PAGE_SIZE);
    const located = await locateForReading(query.uri, auth, deps, { address: request.ip });
    const { uri, space, path, root } = located;
    // Contract 4.1: a query string makes the listing a search below the folder.
    if (uri.query !== '') {
      return searchFolder(located, { size: pageSize, token: query.next_page_token || undefined, maxSize: MAX_PAGE_SIZE }, deps);
    }
    const folder = await deps.vfs.stat(space.principal, path);
    // Contract 17: the root of a single-file share is a folder holding just that file.
    const single = root && space.share?.file ? presentSharedFileRoot(folder, space) : null;
    if (folder.kind !== 'folder' && !single) throw new ApiError(CODES.notExist, `${formatPath(path)} is a file, not a folder`);
    // Contract 7.2: every order ends with the id; an unknown order_by is creation order.
    const page = single
      ? { entries: [], nextCursor: null }
      : await deps.vfs.list(space.principal, path, {
          sort: sortFieldOf(query.order_by ?? 'name'),
          direction: query.order_direction === 'desc' ? 'desc' : 'asc',
          foldersFirst: true,
          limit: pageSize,
          cursor: query.next_page_token || undefined,
        });
    // Uploads in progress are the owner's business (contract 15.1); a share visitor sees plain files.
    const uploading = space.owned ? await deps.uploads.uploading(page.entries) : new Map<number, string>();
    // Contract 7.3: where an upload into this folder goes; only `my` folders take uploads.
    const policy = space.share ? null : await deps.uploads.policyOf(space.principal, path);
    return {
      files: single?.files ?? page.entries.map((entry) => presentFile(entry, space, [...path, entry.name], uploading.get(entry.id))),
      parent: single?.parent ?? presentFile(folder, space, path),
      pagination: cursorPagination(pageSize, page.nextCursor),
      props: listingProps(space, MAX_PAGE_SIZE),
      mixed_type: false,
      ...(policy && { storage_policy: presentStoragePolicy(policy) }),
    };
  },
});

const infoRoute = defineRoute({
  method: 'GET',
  url: '/file/info',
  summary: 'One file or folder; with folder_summary=true, a folder also gets its total size and counts',
  tag: 'file',
  auth: 'optional',
  query: infoQuery,
  response: fileSchema,
  handler: async ({ query, auth, deps, request }) => {
    // Contract 8.1: `id` only counts when `uri` is empty.
    if (!query.uri && !query.id) throw new ApiError(CODES.parameter, 'uri cannot be empty');
    const { space, path, root } = query.uri
      ? await locateForReading(query.uri, auth, deps, { address: request.ip })
      : await locateById(query.id!, auth, deps);
    // Contract 8.1: the root has no info.
    if (root) throw new ApiError(CODES.forbidden, 'Not supported action: the root folder has no info');
    const entry = await deps.vfs.stat(space.principal, path);
    const uploading = space.owned ? (await deps.uploads.uploading([entry])).get(entry.id) : undefined;
    const file = {
      ...presentFile(entry, space, path, uploading),
      ...(query.extended && {
        extended_info: await extendedInfoOf(entry, deps, space.owned && !space.share ? { principal: space.principal, path } : null),
      }),
    };
    if (!query.folder_summary || entry.kind !== 'folder') return file;
    const summary = await deps.vfs.summary(space.principal, path);
    return {
      ...file,
      // The vfs counts the folder itself; Cloudreve counts what is inside it.
      folder_summary: {
        size: summary.size,
        files: summary.files,
        folders: summary.folders - 1,
        completed: true,
        calculated_at: isoTime(Date.now()),
      },
    };
  },
});

/** Contract sections 7, 8 and 11 to 14. */
export const fileRoutes = [
  listRoute,
  infoRoute,
  ...[...manageRoutes, ...batchRoutes, ...historyRoutes].map(reportingLockConflicts),
  ...lockRoutes,
  ...folderPolicyRoutes,
];
