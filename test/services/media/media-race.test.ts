// Two server processes' worth of state (two Apps on one database) index the same content at
// once, repeatedly, on both databases: whatever the interleaving, one media row remains, its
// thumbnail opens, and after gc no thumbnail blob is left that no row points at.
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { DIALECTS } from '../../support/databases.js';
import { startTestApp, readAll, type TestApp } from '../../support/app.js';
import { exifJpeg } from '../../support/media-samples.js';
import { expectInvariants } from '../../support/invariants.js';

describe.each(DIALECTS)('concurrent indexing of one content (%s)', (dialect) => {
  let t: TestApp;
  let second: App;

  beforeAll(async () => {
    t = await startTestApp(dialect);
    second = await t.reopen();
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Blobs that are neither file contents nor pending: thumbnails. */
  async function thumbnailBlobs(): Promise<number> {
    const rows = await t.app.database.read((db) =>
      db
        .selectFrom('blobs as b')
        .select('b.id')
        .where('b.state', '=', 'ready')
        .where(({ not, exists, selectFrom }) => not(exists(selectFrom('entries as e').select('e.id').whereRef('e.blob_id', '=', 'b.id'))))
        .execute(),
    );
    return rows.length;
  }

  it('leaves one row and one live thumbnail per content, rounds after rounds', async () => {
    const { principal } = await t.newUser();
    for (let round = 0; round < 5; round++) {
      const { entry } = await t.app.vfs.write(principal, [`race-${round}.jpg`], Readable.from([await exifJpeg(`#${round}0${round}0ff`)]));
      const blobId = entry.blobId!;
      await Promise.all([
        t.app.media.index(blobId, entry.name),
        second.media.index(blobId, entry.name),
        t.app.media.ensureIndexed(blobId, entry.name),
      ]);
      await t.app.gc.run({ graceMs: 0 });
      const record = await second.media.recordOf(blobId);
      expect(record?.thumbState).toBe('ok');
      expect((await readAll(await t.app.media.openThumbnail(record!.thumbBlobId!))).length).toBeGreaterThan(100);
      // One thumbnail per indexed content, none left over.
      expect(await thumbnailBlobs()).toBe(round + 1);
      await expectInvariants(t.app.database);
    }
  });
});
