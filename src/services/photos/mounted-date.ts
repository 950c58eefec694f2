import exifr from 'exifr';
import type { Entry } from '../../core/index.js';
import type { Vfs } from '../../vfs/index.js';
import { formatOf } from '../media/index.js';

/** EXIF sits at the start of a JPEG, TIFF or RAW file: this much is read for its date. */
const HEAD_BYTES = 256 * 1024;

/**
 * When a file of a mounted directory was taken (a mounted file has no blob, so the media
 * indexer, which works on blobs, has no row for it): the EXIF date at the head of the file,
 * read through the vfs; null when there is none.
 */
export async function mountedTakenAt(vfs: Vfs, entry: Entry): Promise<number | null> {
  const format = formatOf(entry.name);
  if ((format !== 'raster' && format !== 'raw') || entry.size === 0) return null;
  const stream = await vfs.open(entry, { start: 0, end: Math.min(entry.size, HEAD_BYTES) - 1 });
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const exif = (await exifr.parse(Buffer.concat(chunks), { pick: ['DateTimeOriginal', 'CreateDate'] }).catch(() => undefined)) as
    Record<string, unknown> | undefined;
  const date = exif?.DateTimeOriginal ?? exif?.CreateDate;
  return date instanceof Date && !Number.isNaN(date.getTime()) ? date.getTime() : null;
}
