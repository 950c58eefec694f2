import type { Readable } from 'node:stream';
import exifr from 'exifr';
import sharp from 'sharp';
import type { MediaMetadata } from '../../db/index.js';
import type { MediaFormat } from './media-types.js';
import type { MediaSource } from './thumbnailer.js';
import { VIDEO_DEMUXERS } from './thumbnailer.js';
import { runTool, type ToolLimits } from './tools.js';

export const NO_METADATA: MediaMetadata = {
  takenAt: null,
  cameraMake: null,
  cameraModel: null,
  lens: null,
  latitude: null,
  longitude: null,
  width: null,
  height: null,
  orientation: null,
  durationMs: null,
};

/** EXIF lives near the start of a HEIF file: this much is read for it. */
const HEIF_HEAD_BYTES = 4 * 1024 * 1024;

/** Metadata of a content; what cannot be read stays null (never an error for a damaged EXIF block). */
export async function readMetadata(format: MediaFormat, source: MediaSource, tool: ToolLimits, hasProbe: boolean): Promise<MediaMetadata> {
  switch (format) {
    case 'raster':
    case 'raw':
      return imageMetadata(await source.bytes(), format === 'raster');
    case 'heif':
      return imageMetadata(await readHead(await source.open(), HEIF_HEAD_BYTES), false);
    case 'video':
      return hasProbe ? videoMetadata(await source.open(), tool) : NO_METADATA;
    default:
      return NO_METADATA;
  }
}

async function imageMetadata(bytes: Buffer, decodable: boolean): Promise<MediaMetadata> {
  const exif = (await exifr
    .parse(bytes, { tiff: true, exif: true, gps: true, ifd1: false, xmp: false, translateValues: false })
    .catch(() => undefined)) as Record<string, unknown> | undefined;
  const header = decodable
    ? await sharp(bytes)
        .metadata()
        .catch(() => undefined)
    : undefined;
  const date = exif?.DateTimeOriginal ?? exif?.CreateDate ?? exif?.ModifyDate;
  return {
    takenAt: date instanceof Date && !Number.isNaN(date.getTime()) ? date.getTime() : null,
    cameraMake: text(exif?.Make),
    cameraModel: text(exif?.Model),
    lens: text(exif?.LensModel) ?? text(exif?.Lens),
    latitude: finite(exif?.latitude),
    longitude: finite(exif?.longitude),
    width: header?.width ?? finite(exif?.ExifImageWidth),
    height: header?.height ?? finite(exif?.ExifImageHeight),
    orientation: header?.orientation ?? finite(exif?.Orientation),
    durationMs: null,
  };
}

async function videoMetadata(input: Readable, tool: ToolLimits): Promise<MediaMetadata> {
  const args = ['-v', 'error', '-protocol_whitelist', 'pipe', '-format_whitelist', VIDEO_DEMUXERS];
  const output = await runTool(
    'ffprobe',
    [...args, '-show_entries', 'format=duration:stream=codec_type,width,height', '-of', 'json', '-i', 'pipe:0'],
    input,
    { ...tool, maxOutputBytes: 1024 * 1024 },
  ).catch(() => null);
  if (!output) return NO_METADATA;
  const probe = JSON.parse(output.toString('utf8')) as {
    format?: { duration?: string };
    streams?: Array<{ codec_type?: string; width?: number; height?: number }>;
  };
  const video = probe.streams?.find((stream) => stream.codec_type === 'video');
  const seconds = Number(probe.format?.duration);
  return {
    ...NO_METADATA,
    width: finite(video?.width),
    height: finite(video?.height),
    durationMs: Number.isFinite(seconds) ? Math.round(seconds * 1000) : null,
  };
}

async function readHead(source: Readable, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size >= maxBytes) break;
  }
  source.destroy();
  return Buffer.concat(chunks);
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, 200) : null;
}

function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
