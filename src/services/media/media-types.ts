import type { MediaKind } from '../../db/index.js';

/** How a content is read, by the extension of its name. */
export type MediaFormat = 'raster' | 'raw' | 'heif' | 'video' | 'pdf' | 'other';

const FORMATS: Record<string, MediaFormat> = {};
const add = (format: MediaFormat, extensions: string) => {
  for (const extension of extensions.split(' ')) FORMATS[extension] = format;
};
// sharp's bundled libvips decodes these.
add('raster', 'jpg jpeg jpe png webp avif gif tif tiff');
// Camera RAW: the embedded JPEG preview (exifr).
add('raw', 'dng cr2 cr3 nef nrw arw srf sr2 orf rw2 raf pef srw 3fr erf kdc mrw x3f');
// HEVC inside: sharp cannot decode it, libheif's tools can.
add('heif', 'heic heif hif');
add('video', 'mp4 m4v mov qt mkv webm avi 3gp 3g2 mts m2ts ts mpg mpeg wmv flv ogv');
add('pdf', 'pdf');

export function formatOf(name: string): MediaFormat {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? 'other' : (FORMATS[name.slice(dot + 1).toLowerCase()] ?? 'other');
}

export function kindOf(format: MediaFormat): MediaKind {
  if (format === 'video') return 'video';
  if (format === 'pdf') return 'pdf';
  if (format === 'other') return 'other';
  return 'image';
}
