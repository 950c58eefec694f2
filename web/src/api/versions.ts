import { call } from './session';
import type { FileResponse, User } from './types';

/** One stored content of a file (contract 8.1, `extended_info.entities[]`; type 0 is a version). */
export interface Entity {
  readonly id: string;
  readonly size: number;
  readonly type: number;
  readonly created_at: string;
  /** Cloudreve sends the user who wrote it; a name or an id is taken as it is. */
  readonly created_by?: User | string | null;
}

export interface Version extends Entity {
  /** The file's content now (its `primary_entity`). */
  readonly current: boolean;
}

/** Who wrote a version, for display. */
export function authorOf(version: Entity): string | null {
  const by = version.created_by;
  if (!by) return null;
  if (typeof by === 'string') return by;
  return by.nickname || by.email || by.id;
}

/** A file's versions, newest first (contract 8.1 with `extended=true`). */
export async function listVersions(uri: string, signal?: AbortSignal): Promise<Version[]> {
  const info = await call<FileResponse & { primary_entity?: string; extended_info?: { entities?: Entity[] } }>('GET', '/file/info', {
    query: { uri, extended: 'true' },
    signal,
  });
  return (info.extended_info?.entities ?? [])
    .filter((entity) => entity.type === 0)
    .map((entity) => ({ ...entity, current: entity.id === info.primary_entity }))
    .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
}

/** Cloudreve's `POST /file/version/current`: an older version becomes the file's content again. */
export function restoreVersion(uri: string, version: string): Promise<void> {
  return call<void>('POST', '/file/version/current', { json: { uri, version } });
}

/** Cloudreve's `DELETE /file/version`: one older version, gone (the current one cannot be). */
export function deleteVersion(uri: string, version: string): Promise<void> {
  return call<void>('DELETE', '/file/version', { json: { uri, version } });
}
