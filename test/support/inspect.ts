import type { App } from '../../src/app.js';

/** What is stored right now: blob rows by state and objects in every backend. */
export async function storageState(app: App): Promise<{ ready: number; pending: number; objects: number; refs: number }> {
  const rows = await app.database.db.selectFrom('blobs').select(['state', 'ref_count']).execute();
  let objects = 0;
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
