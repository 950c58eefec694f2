import { z } from 'zod';
import type { Entry, Principal, VPath } from '../../../core/index.js';
import { encodeId } from '../../../auth/index.js';
import type { ApiDependencies } from '../../context.js';
import { isoTime } from '../../present.js';

/** What the media indexer learnt of a file's content (issue 12), in `extended_info.media`. */
export const mediaInfoSchema = z.object({
  kind: z.enum(['image', 'video', 'pdf', 'other']),
  thumbnail: z.enum(['ok', 'none', 'failed']),
  taken_at: z.string().nullable(),
  camera_make: z.string().nullable(),
  camera_model: z.string().nullable(),
  lens: z.string().nullable(),
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
  width: z.number().nullable(),
  height: z.number().nullable(),
  orientation: z.number().nullable(),
  duration_ms: z.number().nullable(),
});

/** Contract 8.1 `extended_info`: the current content as the one entity (type 0), its size, and its media metadata once indexed. */
export const extendedInfoSchema = z.object({
  storage_used: z.number().int().nonnegative(),
  entities: z.array(
    z.object({
      id: z.string(),
      size: z.number().int().nonnegative(),
      type: z.number().int(),
      created_at: z.string(),
      storage_policy: z.object({ id: z.string() }).optional(),
      created_by: z.object({ id: z.string() }).optional(),
    }),
  ),
  /** The current content's entity id. */
  primary_entity: z.string().optional(),
  media: mediaInfoSchema.optional(),
});

/**
 * With `owner` (the owner's own view), every kept version is an entity too (issue 12), newest
 * first after the current one, and `storage_used` counts them all, as Cloudreve does.
 */
export async function extendedInfoOf(
  entry: Entry,
  deps: ApiDependencies,
  owner: { principal: Principal; path: VPath } | null = null,
): Promise<z.input<typeof extendedInfoSchema>> {
  if (entry.kind !== 'file' || entry.blobId === null) return { storage_used: 0, entities: [] };
  const record = await deps.media.recordOf(entry.blobId);
  const versions =
    owner && entry.mountId === undefined
      ? (await deps.vfs.history.versions(owner.principal, owner.path)).versions
      : [{ blobId: entry.blobId, size: entry.size, createdAt: entry.mtime, createdBy: null, current: true }];
  const entities = versions.map((v) => ({
    id: v.blobId ?? '0',
    size: v.size,
    type: 0,
    created_at: isoTime(v.createdAt),
    ...(v.createdBy !== null && { created_by: { id: encodeId('user', v.createdBy) } }),
  }));
  return {
    storage_used: entities.reduce((sum, e) => sum + e.size, 0),
    entities,
    primary_entity: entry.blobId,
    ...(record && {
      media: {
        kind: record.kind,
        thumbnail: record.thumbState,
        taken_at: record.takenAt === null ? null : isoTime(record.takenAt),
        camera_make: record.cameraMake,
        camera_model: record.cameraModel,
        lens: record.lens,
        latitude: record.latitude,
        longitude: record.longitude,
        width: record.width,
        height: record.height,
        orientation: record.orientation,
        duration_ms: record.durationMs,
      },
    }),
  };
}
