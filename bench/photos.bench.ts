/**
 * Photo libraries (issue 12). First, thumbnails per second over generated 12-megapixel JPEGs
 * through our media indexer (read from the blob store, metadata, thumbnail, stored as a blob
 * with its row) beside a plain sharp resize loop over the same files in memory (the ceiling);
 * the ratio says what the indexer costs beyond the resize. Second, the time from the last of N
 * uploads into a library's import folder to all N imported (YYYY/MM), beyond the safety delay
 * (set small here, and printed).
 */
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { parsePath } from '../src/core/index.js';
import { count, formatDuration, formatRatio, openBenchApp, printTable, progress, type Benchmark } from './lib.js';

const WIDTH = 4000;
const HEIGHT = 3000;
const THUMB = 400;
const SAFETY_DELAY_S = 2;

/**
 * One 12-MP JPEG that compresses like a photo (smooth noise, ~2 MB) with an EXIF date; each
 * file is that image with a few distinct trailing bytes (after the end marker: every decoder
 * ignores them), so each is its own content at no extra encoding cost.
 */
async function basePhoto(): Promise<Buffer> {
  const small = await sharp({
    create: { width: 400, height: 300, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 60 } },
  })
    .png()
    .toBuffer();
  return sharp(small)
    .resize(WIDTH, HEIGHT, { kernel: 'cubic' })
    .withExif({ IFD0: { Make: 'Bench', Model: 'Twelve' }, IFD2: { DateTimeOriginal: '2024:06:15 12:00:00' } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

const variant = (base: Buffer, index: number) => Buffer.concat([base, Buffer.from(`cumulus-bench-${index}`)]);

async function thumbnails(n: number, base: Buffer, target: Parameters<typeof openBenchApp>[0]) {
  const bench = await openBenchApp(target);
  try {
    const { app, principal } = bench;
    await app.vfs.mkdir(principal, parsePath('/Pictures'));
    const files: Array<{ blobId: string; name: string }> = [];
    for (let i = 0; i < n; i++) {
      const { entry } = await app.vfs.write(principal, parsePath(`/Pictures/p${i}.jpg`), Readable.from([variant(base, i)]));
      files.push({ blobId: entry.blobId!, name: entry.name });
    }
    progress(`indexing ${n} photos with the media indexer`);
    let started = performance.now();
    for (const file of files) await app.media.index(file.blobId, file.name);
    const indexerMs = performance.now() - started;
    progress(`resizing ${n} photos with a plain sharp loop`);
    started = performance.now();
    for (let i = 0; i < n; i++) {
      await sharp(variant(base, i)).rotate().resize(THUMB, THUMB, { fit: 'inside' }).jpeg({ quality: 80 }).toBuffer();
    }
    const sharpMs = performance.now() - started;
    return { indexerMs, sharpMs };
  } finally {
    await bench.close();
  }
}

async function importLatency(n: number, base: Buffer, target: Parameters<typeof openBenchApp>[0]) {
  const bench = await openBenchApp(target, { photos: { safetyDelaySeconds: SAFETY_DELAY_S }, jobs: { pollMs: 100 } });
  try {
    const { app, principal } = bench;
    await app.vfs.mkdir(principal, parsePath('/Photos'));
    const library = await app.libraries.add(principal, parsePath('/Photos'), parsePath('/Photos/Import'));
    app.jobs.runner.start();
    for (let i = 0; i < n; i++) {
      await app.vfs.write(principal, parsePath(`/Photos/Import/p${i}.jpg`), Readable.from([variant(base, 100_000 + i)]));
    }
    const lastUpload = performance.now();
    progress(`waiting for ${n} photos to be imported`);
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const page = await app.vfs.list(principal, parsePath('/Photos/Import'), { limit: 1 });
      const left = (await app.libraries.list(principal)).find((candidate) => candidate.id === library.id)!.pending;
      if (page.entries.length === 0 && left === 0) break;
    }
    const ms = performance.now() - lastUpload;
    const imported = await app.vfs.summary(principal, parsePath('/Photos/2024/06'));
    if (imported.files !== n) throw new Error(`${imported.files} of ${n} photos were imported`);
    return ms;
  } finally {
    await bench.close();
  }
}

const benchmark: Benchmark = {
  name: 'photos',
  description: 'thumbnails/s of 12-MP JPEGs: media indexer vs a plain sharp loop; last upload to imported in a photo library',
  async run(options) {
    const n = options.quick ? 20 : 1000;
    progress('generating the 12-megapixel photo');
    const base = await basePhoto();
    const target = options.databases[0]!;
    const { indexerMs, sharpMs } = await thumbnails(n, base, target);
    const perSecond = (ms: number) => (n / ms) * 1000;
    printTable(
      `Thumbnails of ${count(n)} 12-megapixel JPEGs (${(base.length / 1e6).toFixed(1)} MB each, one at a time, ${target.label})`,
      ['path', 'thumbnails/s', 'per photo', 'vs sharp'],
      [
        ['media indexer', perSecond(indexerMs).toFixed(1), formatDuration(indexerMs / n), formatRatio(sharpMs / indexerMs)],
        ['plain sharp loop (ceiling)', perSecond(sharpMs).toFixed(1), formatDuration(sharpMs / n), '1.00×'],
      ],
      ['The indexer also reads the blob, the EXIF block and the header, and stores the thumbnail and its row.'],
    );
    const rows: string[][] = [];
    for (const database of options.databases) {
      progress(`import of ${n} photos on ${database.label}`);
      const ms = await importLatency(n, base, database);
      rows.push([database.label, count(n), formatDuration(ms), formatDuration(ms - SAFETY_DELAY_S * 1000)]);
    }
    printTable(
      `Last upload to imported (YYYY/MM), photos.safetyDelaySeconds = ${SAFETY_DELAY_S}`,
      ['database', 'photos', 'last upload → imported', 'beyond the delay'],
      rows,
      ['Uploads are vfs writes (every surface ends there); the run indexes each photo and moves it.'],
    );
  },
};

export default benchmark;
