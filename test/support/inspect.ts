import { expect } from 'vitest';
import type { App } from '../../src/app.js';
import type { DavServer } from './dav-server.js';

/**
 * What is stored right now: blob rows by state, and stored contents: objects in every backend
 * plus small blobs whose bytes are inline in their row.
 */
export async function storageState(app: App): Promise<{ ready: number; pending: number; objects: number; refs: number }> {
  const rows = await app.database.db
    .selectFrom('blobs')
    .select(['state', 'ref_count', (eb) => eb('content', 'is not', null).as('inline')])
    .execute();
  let objects = rows.filter((r) => Boolean(r.inline)).length;
  for (const backend of app.backends.values()) for await (const _object of backend.list()) objects++;
  return {
    ready: rows.filter((r) => r.state === 'ready').length,
    pending: rows.filter((r) => r.state === 'pending').length,
    objects,
    refs: rows.reduce((sum, r) => sum + Number(r.ref_count), 0),
  };
}

export async function storageUsed(app: App, userId: number): Promise<number> {
  const row = await app.database.db.selectFrom('users').select('storage_used').where('id', '=', userId).executeTakeFirstOrThrow();
  return Number(row.storage_used);
}

/** Every row a request could change: entries, dead properties, locks and blobs. */
export async function snapshot(dav: DavServer) {
  const db = dav.t.app.database.db;
  return {
    entries: await db
      .selectFrom('entries')
      .select(['id', 'parent_id', 'name', 'kind', 'size', 'etag', 'mtime', 'blob_id'])
      .orderBy('id')
      .execute(),
    properties: await db.selectFrom('dead_properties').selectAll().orderBy('entry_id').orderBy('namespace').orderBy('name').execute(),
    locks: await db.selectFrom('locks').select(['token', 'entry_id', 'expires_at', 'user_id']).orderBy('token').execute(),
    blobs: await db.selectFrom('blobs').select(['id', 'state', 'ref_count']).orderBy('id').execute(),
  };
}

/** Runs `act` and asserts that `state` reads the same after it as before: the one way every suite checks a refusal changed nothing. */
export async function unchangedBy<T>(state: () => Promise<unknown>, act: () => Promise<T>): Promise<T> {
  const before = await state();
  const result = await act();
  expect(await state()).toEqual(before);
  return result;
}

/** Runs a request and asserts that it changed nothing. */
export function unchanged<T>(dav: DavServer, act: () => Promise<T>): Promise<T> {
  return unchangedBy(() => snapshot(dav), act);
}
