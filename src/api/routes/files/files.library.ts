import { z } from 'zod';
import type { Authentication, LibraryView } from '../../../services/index.js';
import { MAX_TIMELINE_PAGE } from '../../../services/index.js';
import { defineRoute, type ApiDependencies } from '../../context.js';
import { ApiError, CODES } from '../../errors.js';
import { isoTime, presentFile } from '../../present.js';
import { locate, type Space } from '../../space.js';
import { renderFileUri } from '../../uri.js';
import { mediaInfoSchema } from './files.media.js';
import { fileSchema } from './files.schema.js';

const uri = z.string().min(1).describe('cloudreve://my/… of a folder');

const librarySchema = z.object({
  id: z.number().int(),
  uri: z.string().describe("The library's folder"),
  import_uri: z.string().nullable().describe('Files put here are moved into the library as YYYY/MM/name'),
  pending: z.number().int().describe('Changed files waiting for the next run (a safety delay after writes settle)'),
  created_at: z.string(),
});

const timelineItemSchema = z
  .object({
    file: fileSchema,
    kind: z.enum(['image', 'video']),
    taken_at: z.string().describe('When it was taken (its modification time when unknown)'),
  })
  .extend(
    mediaInfoSchema.pick({
      width: true,
      height: true,
      duration_ms: true,
      camera_make: true,
      camera_model: true,
      lens: true,
      latitude: true,
      longitude: true,
    }).shape,
  );

const present = (library: LibraryView) => ({
  id: library.id,
  uri: renderFileUri({ fs: 'my' }, library.path),
  import_uri: library.importPath === null ? null : renderFileUri({ fs: 'my' }, library.importPath),
  pending: library.pending,
  created_at: isoTime(library.createdAt),
});

/** A folder of the caller's own space (`my`): libraries are marked by their users, in their tree. */
async function ownFolder(text: string, auth: Authentication | null, deps: ApiDependencies) {
  const located = await locate(text, auth, deps.users);
  if (located.uri.fs !== 'my' || !located.space.owned) throw new ApiError(CODES.forbidden, 'A photo library is a folder of your own files');
  return located;
}

const mySpace = async (auth: Authentication | null, deps: ApiDependencies): Promise<Space> =>
  (await locate('cloudreve://my', auth, deps.users)).space;

/**
 * Issue 12: photo libraries (the web UI's "Photo library…" in the folder menu and its
 * Timeline page). Marking a folder starts nothing at once: its changes are indexed, and its
 * import folder emptied into YYYY/MM, a safety delay after writes under it settle.
 */
export const libraryRoutes = [
  defineRoute({
    method: 'GET',
    url: '/file/library',
    summary: "The caller's photo libraries",
    tag: 'file',
    auth: 'required',
    response: z.array(librarySchema),
    handler: async ({ auth, deps }) => (await deps.libraries.list((await mySpace(auth, deps)).principal)).map(present),
  }),
  defineRoute({
    method: 'PUT',
    url: '/file/library',
    summary: 'Mark a folder as a photo library, with an optional import folder (created when missing)',
    tag: 'file',
    auth: 'required',
    body: z.strictObject({ uri, import_uri: uri.nullable().optional() }),
    response: librarySchema,
    handler: async ({ body, auth, deps }) => {
      const { space, path } = await ownFolder(body.uri, auth, deps);
      const importPath = body.import_uri ? (await ownFolder(body.import_uri, auth, deps)).path : null;
      return present(await deps.libraries.add(space.principal, path, importPath));
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/file/library',
    summary: 'Unmark a photo library (its files stay where they are)',
    tag: 'file',
    auth: 'required',
    body: z.strictObject({ uri }),
    response: librarySchema,
    handler: async ({ body, auth, deps }) => {
      const { space, path } = await ownFolder(body.uri, auth, deps);
      return present(await deps.libraries.remove(space.principal, path));
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/file/library/timeline',
    summary: "A library's photos and videos, newest first, in pages linked by next_token",
    tag: 'file',
    auth: 'required',
    query: z.object({
      id: z.coerce.number().int().min(1),
      page_size: z.coerce.number().int().min(1).max(MAX_TIMELINE_PAGE).optional(),
      next_page_token: z.string().max(200).optional(),
    }),
    response: z.object({ items: z.array(timelineItemSchema), next_token: z.string().nullable() }),
    handler: async ({ query, auth, deps }) => {
      const space = await mySpace(auth, deps);
      const page = await deps.libraries.timeline(space.principal, query.id, {
        limit: query.page_size ?? 100,
        cursor: query.next_page_token || undefined,
      });
      return {
        items: page.items.map((item) => ({
          file: presentFile(item.entry, space, item.path),
          kind: item.kind === 'video' ? ('video' as const) : ('image' as const),
          taken_at: isoTime(item.takenAt),
          width: item.width,
          height: item.height,
          duration_ms: item.durationMs,
          camera_make: item.cameraMake,
          camera_model: item.cameraModel,
          lens: item.lens,
          latitude: item.latitude,
          longitude: item.longitude,
        })),
        next_token: page.nextCursor,
      };
    },
  }),
];
