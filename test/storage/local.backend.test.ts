import { describe, expect, it } from 'vitest';
import { mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LocalBackend } from '../../src/storage/index.js';
import { blobBackendContract } from '../contract/blob-backend.contract.js';
import { tempDir } from '../support/databases.js';

blobBackendContract('local', async () => {
  const dir = tempDir();
  return { backend: new LocalBackend(dir.path), close: async () => dir.remove() };
});

describe('local backend', () => {
  it('removes only temporaries older than asked', async () => {
    const dir = tempDir();
    const backend = new LocalBackend(dir.path);
    mkdirSync(path.join(dir.path, '.tmp'));
    writeFileSync(path.join(dir.path, '.tmp', 'old.part'), 'x');
    writeFileSync(path.join(dir.path, '.tmp', 'new.part'), 'x');
    const hourAgo = new Date(Date.now() - 3600_000);
    utimesSync(path.join(dir.path, '.tmp', 'old.part'), hourAgo, hourAgo);
    expect(await backend.removeTemporaries(Date.now() - 60_000)).toBe(1);
    expect(readdirSync(path.join(dir.path, '.tmp'))).toEqual(['new.part']);
    dir.remove();
  });

  it('refuses keys that could leave its directory', async () => {
    const dir = tempDir();
    const backend = new LocalBackend(dir.path);
    await expect(backend.stat('../escape')).rejects.toThrow('Invalid blob key');
    await expect(backend.get('a/../../b')).rejects.toThrow('Invalid blob key');
    dir.remove();
  });
});
