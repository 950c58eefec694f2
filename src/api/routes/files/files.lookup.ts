import { decodeId, encodeId } from '../../../auth/index.js';
import type { Authentication } from '../../../services/index.js';
import { NotFoundError, type EntryKind } from '../../../core/index.js';
import type { SearchConditions } from '../../../vfs/index.js';
import type { ApiDependencies } from '../../context.js';
import { ApiError, CODES } from '../../errors.js';
import { cursorPagination } from '../../pagination.js';
import { presentFile } from '../../present.js';
import { listingProps } from './files.listing.js';
import { locate, type Located } from '../../space.js';

/**
 * Reaching files other than by their path: by id (contract 8.1) and by searching a folder
 * (contract 4.1 and 7, a `uri` with a query string).
 */

/**
 * Contract 8.1: `/file/info?id=`, for the file's owner (and administrators). An id that is
 * not in the caller's space is not found (40016), whether or not it exists elsewhere.
 */
export async function locateById(text: string, auth: Authentication | null, deps: ApiDependencies): Promise<Located> {
  if (!auth) throw new ApiError(CODES.loginRequired, 'Login required');
  const notFound = new ApiError(CODES.notExist, `There is no file or folder with id ${text}`);
  const id = decodeId('file', text);
  if (id === null) throw notFound;
  const ownerId = await deps.lookups.ownerOf(id);
  if (ownerId === null) throw notFound;
  // An administrator reaches another user's file through that user's space (cloudreve://{user}@my).
  if (ownerId !== auth.user.id && !(await deps.users.groupOf(auth.user)).permissions.admin) throw notFound;
  const space = await locate(ownerId === auth.user.id ? 'cloudreve://my' : `cloudreve://${encodeId('user', ownerId)}@my`, auth, deps.users);
  try {
    const { path } = await deps.lookups.find(space.space.principal, id);
    return { ...space, path, root: path.length === 0 };
  } catch (error) {
    if (error instanceof NotFoundError) throw notFound;
    throw error;
  }
}

/** Contract 4.1: which extensions each search category means (ours; Cloudreve makes them settings). */
const CATEGORIES: Record<string, readonly string[]> = {
  image: ['jpg', 'jpeg', 'png', 'gif', 'bmp', 'webp', 'svg', 'heic', 'heif', 'avif', 'tif', 'tiff', 'ico', 'dng', 'cr2', 'nef', 'arw'],
  video: ['mp4', 'm4v', 'mkv', 'mov', 'avi', 'webm', 'flv', 'wmv', '3gp', 'ts', 'mpeg', 'mpg'],
  audio: ['mp3', 'flac', 'wav', 'ogg', 'm4a', 'aac', 'wma', 'opus', 'ape'],
  document: ['pdf', 'doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'odt', 'ods', 'odp', 'txt', 'md', 'rtf', 'csv', 'epub'],
};

/**
 * Contract 4.1: the search conditions of a URI's query string. Null when a condition can match
 * nothing here: files on this server carry no metadata, so any `meta_`/`exact_meta_` condition
 * finds nothing. A malformed condition is 40001.
 */
export function parseSearch(query: string): SearchConditions | null {
  const params = new URLSearchParams(query);
  const flag = (...keys: string[]) => keys.some((key) => params.has(key) && ['', 'true', '1'].includes(params.get(key)!));
  const seconds = (key: string, end: boolean): number | undefined => {
    const value = params.get(key);
    if (value === null) return undefined;
    if (!/^\d{1,12}$/.test(value))
      throw new ApiError(CODES.parameter, `Search condition ${key} must be a Unix time in seconds, not ${JSON.stringify(value)}`);
    return Number(value) * 1000 + (end ? 999 : 0);
  };
  const bytes = (key: string): number | undefined => {
    const value = params.get(key);
    if (value === null) return undefined;
    if (!/^\d{1,16}$/.test(value))
      throw new ApiError(CODES.parameter, `Search condition ${key} must be a number of bytes, not ${JSON.stringify(value)}`);
    return Number(value);
  };
  const bounds = (min: number | undefined, max: number | undefined): SearchConditions['size'] =>
    min === undefined && max === undefined ? undefined : { min, max };

  const type = params.get('type');
  if (type !== null && type !== 'file' && type !== 'folder') {
    throw new ApiError(CODES.parameter, `Search condition type must be file or folder, not ${JSON.stringify(type)}`);
  }
  const category = params.get('category');
  if (category !== null && !Object.hasOwn(CATEGORIES, category)) {
    throw new ApiError(CODES.parameter, `Search condition category must be one of ${Object.keys(CATEGORIES).join(', ')}`);
  }
  const conditions: SearchConditions = {
    names: params.getAll('name').filter((name) => name !== ''),
    anyName: flag('name_op_or', 'use_or'),
    caseFolding: flag('case_folding'),
    kind: (type ?? undefined) as EntryKind | undefined,
    extensions: category ? CATEGORIES[category]!.map((extension) => `.${extension}`) : undefined,
    size: bounds(bytes('size_gte'), bytes('size_lte')),
    created: bounds(seconds('created_gte', false), seconds('created_lte', true)),
    modified: bounds(seconds('updated_gte', false), seconds('updated_lte', true)),
    media: mediaConditions(params, seconds),
  };
  return [...params.keys()].some((key) => key.startsWith('meta_') || key.startsWith('exact_meta_')) ? null : conditions;
}

/**
 * Ours (issue 12), beside contract 4.1's: `media_type` (image, video, pdf), `taken_gte` and
 * `taken_lte` (Unix seconds, the date a photo was taken) and `camera` (a part of its make or
 * model). Any of them limits the search to indexed files.
 */
function mediaConditions(params: URLSearchParams, seconds: (key: string, end: boolean) => number | undefined): SearchConditions['media'] {
  const kind = params.get('media_type');
  if (kind !== null && kind !== 'image' && kind !== 'video' && kind !== 'pdf') {
    throw new ApiError(CODES.parameter, `Search condition media_type must be image, video or pdf, not ${JSON.stringify(kind)}`);
  }
  const [min, max] = [seconds('taken_gte', false), seconds('taken_lte', true)];
  const camera = params.get('camera') || undefined;
  if (kind === null && min === undefined && max === undefined && camera === undefined) return undefined;
  return { kind: kind ?? undefined, takenAt: min === undefined && max === undefined ? undefined : { min, max }, camera };
}

/**
 * Contract 7 in search mode: the files and folders below the listed folder, at any depth, that
 * meet the URI's conditions; folders first, then in creation order, in pages linked by
 * next_token (search always pages by cursor, 7.2).
 */
export async function searchFolder(located: Located, page: { size: number; token?: string; maxSize: number }, deps: ApiDependencies) {
  const { space, path, uri } = located;
  const folder = await deps.vfs.stat(space.principal, path);
  if (folder.kind !== 'folder') throw new ApiError(CODES.notExist, 'Only folders can be searched');
  const conditions = parseSearch(uri.query);
  const found = conditions
    ? await deps.lookups.search(space.principal, path, conditions, { limit: page.size, cursor: page.token })
    : { found: [], nextCursor: null };
  return {
    files: found.found.map(({ entry, path: at }) => presentFile(entry, space, at)),
    parent: presentFile(folder, space, path),
    pagination: cursorPagination(page.size, found.nextCursor),
    props: listingProps(space, page.maxSize),
    mixed_type: false,
  };
}
