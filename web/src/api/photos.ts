import type { FileResponse } from './types';
import { call } from './session';

// Photo libraries and their timeline (src/api/routes/files/files.library.ts).

export interface PhotoLibrary {
  readonly id: number;
  readonly uri: string;
  readonly import_uri: string | null;
  /** Changed files waiting for the next run. */
  readonly pending: number;
  readonly created_at: string;
}

export interface TimelineItem {
  readonly file: FileResponse;
  readonly kind: 'image' | 'video';
  readonly taken_at: string;
  readonly width: number | null;
  readonly height: number | null;
  readonly duration_ms: number | null;
  readonly camera_make: string | null;
  readonly camera_model: string | null;
  readonly lens: string | null;
  readonly latitude: number | null;
  readonly longitude: number | null;
}

export function listLibraries(): Promise<PhotoLibrary[]> {
  return call('GET', '/file/library');
}

export function markLibrary(uri: string, importUri: string | null): Promise<PhotoLibrary> {
  return call('PUT', '/file/library', { json: { uri, import_uri: importUri } });
}

export function unmarkLibrary(uri: string): Promise<PhotoLibrary> {
  return call('DELETE', '/file/library', { json: { uri } });
}

export function timelinePage(id: number, token?: string): Promise<{ items: TimelineItem[]; next_token: string | null }> {
  return call('GET', '/file/library/timeline', { query: { id, page_size: 100, ...(token && { next_page_token: token }) } });
}
