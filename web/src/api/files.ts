import { ApiError, CODES } from './client';
import { call } from './session';
import type { FileResponse, FileUrlResponse, ListResponse, OrderBy, OrderDirection } from './types';

export interface ListOptions {
  readonly orderBy?: OrderBy;
  readonly direction?: OrderDirection;
  readonly pageSize?: number;
  readonly nextToken?: string;
  readonly signal?: AbortSignal;
}

/** Contract 7: one page of a folder, folders first. */
export function listFolder(uri: string, options: ListOptions = {}): Promise<ListResponse> {
  return call<ListResponse>('GET', '/file', {
    query: {
      uri,
      page_size: options.pageSize ?? 200,
      order_by: options.orderBy ?? 'name',
      order_direction: options.direction ?? 'asc',
      next_page_token: options.nextToken,
    },
    signal: options.signal,
  });
}

/** Contract 11. */
export function createFolder(uri: string): Promise<FileResponse> {
  return call<FileResponse>('POST', '/file/create', { json: { uri, type: 'folder', err_on_conflict: true } });
}

/** Contract 11: an empty file (an upload of 0 bytes needs no session). */
export function createEmptyFile(uri: string): Promise<FileResponse> {
  return call<FileResponse>('POST', '/file/create', { json: { uri, type: 'file', err_on_conflict: true } });
}

/** Contract 12. */
export function renameFile(uri: string, newName: string): Promise<FileResponse> {
  return call<FileResponse>('POST', '/file/rename', { json: { uri, new_name: newName } });
}

/** Contract 13. */
export function moveFiles(uris: string[], dst: string, copy: boolean): Promise<void> {
  return call<void>('POST', '/file/move', { json: { uris, dst, copy } });
}

/** Contract 14.1 without `skip_soft_delete`: the entries move to the owner's trash (api/trash.ts). */
export function deleteFiles(uris: string[]): Promise<void> {
  return call<void>('DELETE', '/file', { json: { uris } });
}

/** Contract 9.1: a signed URL that works without a token; of one older version when `entity` names it. */
export function fileUrl(uri: string, download: boolean, entity?: string): Promise<FileUrlResponse> {
  return call<FileUrlResponse>('POST', '/file/url', { json: { uris: [uri], download, entity } });
}

/** What the server learnt of a photo's or a video's content (issue 12; `extended_info.media`). */
export interface MediaInfo {
  readonly kind: 'image' | 'video' | 'pdf' | 'other';
  readonly taken_at: string | null;
  readonly camera_make: string | null;
  readonly camera_model: string | null;
  readonly lens: string | null;
  readonly latitude: number | null;
  readonly longitude: number | null;
  readonly width: number | null;
  readonly height: number | null;
  readonly duration_ms: number | null;
}

/** Contract 8.1 with `extended=true`: the media metadata, when the file was indexed. */
export async function mediaInfo(uri: string, signal?: AbortSignal): Promise<MediaInfo | null> {
  const info = await call<{ extended_info?: { media?: MediaInfo } }>('GET', '/file/info', { query: { uri, extended: 'true' }, signal });
  return info.extended_info?.media ?? null;
}

/** Contract 10: a thumbnail URL, or 40077 when there is none. */
export function thumbnailUrl(uri: string, signal?: AbortSignal): Promise<{ url: string; expires: string | null }> {
  return call('GET', '/file/thumb', { query: { uri }, signal });
}

/** One lock in the way of a change (contract 14.2): where, its token, 0 exclusive or 1 shared. */
export interface LockInWay {
  readonly path: string;
  readonly token: string;
  readonly type: 0 | 1;
}

/** The locks a 40073 "Lock conflict" lists; empty for any other failure. */
export function locksInWay(error: unknown): LockInWay[] {
  if (!(error instanceof ApiError) || error.code !== CODES.lockConflict || !Array.isArray(error.data)) return [];
  return error.data as LockInWay[];
}

/** Contract 14.2: releases the user's own locks by token, all or none. */
export function releaseLocks(tokens: string[]): Promise<void> {
  return call<void>('DELETE', '/file/lock', { json: { tokens } });
}
