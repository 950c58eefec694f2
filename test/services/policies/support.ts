import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { App } from '../../../src/app.js';
import { storageKeyOf } from '../../../src/vfs/index.js';

/** Adds a local policy in DATA/<name> that keeps no file inline (bytes land on disk, to be checked there). */
export async function localPolicy(app: App, dataDir: string, name: string): Promise<{ id: number; dir: string }> {
  const dir = path.join(dataDir, name);
  const view = await app.policies.add({ name, type: 'local', settings: { path: dir, inlineMaxBytes: 0 } });
  return { id: view.id, dir };
}

/** Lets every member of the User group use these policies (default first). */
export async function allowForUsers(app: App, ids: readonly number[]): Promise<void> {
  await app.groups.update('User', { storagePolicyIds: ids });
}

/** Where a file's content lives: its blob's policy, and whether its bytes are on disk under `dir`. */
export async function placeOf(app: App, blobId: string): Promise<{ policyId: number; key: string }> {
  const row = await app.database.db
    .selectFrom('blobs')
    .select(['policy_id', 'storage_key'])
    .where('id', '=', blobId)
    .executeTakeFirstOrThrow();
  return { policyId: Number(row.policy_id), key: row.storage_key };
}

export function storedIn(dir: string, blobId: string): boolean {
  return existsSync(path.join(dir, storageKeyOf(blobId)));
}

/** Files stored under a local policy's directory (its temporary folder aside). */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as Array<{ isFile(): boolean; name: string; parentPath: string }>)
    .filter((entry) => entry.isFile() && !entry.parentPath.includes('.tmp'))
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)));
}
