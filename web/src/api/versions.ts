import { call } from './session';
import type { FileResponse, User } from './types';

/** One stored content of a file (contract 8.1, `extended_info.entities[]`; type 0 is a version). */
export interface Entity {
  readonly id: string;
  readonly size: number;
  readonly type: number;
  readonly created_at: string;
  /** Who wrote it: Cloudreve sends the user, Cumulus its id only. */
  readonly created_by?: Partial<User> | null;
}

export interface Version extends Entity {
  /** The file's content now (its `primary_entity`). */
  readonly current: boolean;
}

/** Who wrote a version, for display: "You" for the signed-in user (`me`, a user id). */
export function authorOf(version: Entity, me: string | undefined): string | null {
  const by = version.created_by;
  if (!by?.id) return null;
  if (by.id === me) return 'You';
  return by.nickname || by.email || 'Another user';
}

type InfoWithEntities = FileResponse & {
  readonly primary_entity?: string;
  readonly extended_info?: { readonly entities?: Entity[]; readonly primary_entity?: string };
};

/**
 * A file's versions in the server's order (the current one first, then the newest first: their
 * times need not be in order, a client may set a file's time), from contract 8.1 with
 * `extended=true`. The current one is the file's `primary_entity` (Cloudreve puts it on the file,
 * Cumulus also in `extended_info`).
 */
export async function listVersions(uri: string, signal?: AbortSignal): Promise<Version[]> {
  const info = await call<InfoWithEntities>('GET', '/file/info', { query: { uri, extended: 'true' }, signal });
  const primary = info.primary_entity ?? info.extended_info?.primary_entity;
  return (info.extended_info?.entities ?? [])
    .filter((entity) => entity.type === 0)
    .map((entity) => ({ ...entity, current: entity.id === primary }));
}

/** Cloudreve's `POST /file/version/current`: an older version becomes the file's content again. */
export function restoreVersion(uri: string, version: string): Promise<void> {
  return call<void>('POST', '/file/version/current', { json: { uri, version } });
}

/** Cloudreve's `DELETE /file/version`: one older version, gone (the current one cannot be). */
export function deleteVersion(uri: string, version: string): Promise<void> {
  return call<void>('DELETE', '/file/version', { json: { uri, version } });
}
