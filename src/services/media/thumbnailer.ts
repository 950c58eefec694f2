import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import exifr from 'exifr';
import sharp from 'sharp';
import type { MediaFormat } from './media-types.js';
import { runTool, withPrivateCopy, type MediaTool, type ToolLimits } from './tools.js';

export interface ThumbnailLimits {
  /** Longest side of a thumbnail, in pixels. */
  readonly size: number;
  /** Images with more pixels than this are refused (decompression bombs). */
  readonly maxPixels: number;
  /** Images (and RAW, HEIF files) larger than this are not read. */
  readonly maxSourceBytes: number;
  readonly toolTimeoutMs: number;
}

/** Demuxers ffmpeg may use: no playlists (hls, concat) that could name other files. */
export const VIDEO_DEMUXERS = 'mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,mpegts,mpeg,flv,asf,ogg';

/** Why a thumbnail cannot exist (as opposed to a failure). */
export class NoThumbnail extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoThumbnail';
  }
}

/**
 * Makes thumbnails: a JPEG whose longest side is at most `size`, from images (sharp), RAW
 * previews (exifr), HEIF (heif-convert), video poster frames (ffmpeg) and PDF first pages
 * (pdftoppm). Every decoded image passes sharp's pixel limit.
 */
export class Thumbnailer {
  constructor(
    private readonly limits: ThumbnailLimits,
    private readonly tools: ReadonlySet<MediaTool>,
  ) {}

  /** Whether a thumbnail can be made for this format on this machine. */
  supports(format: MediaFormat): boolean {
    switch (format) {
      case 'raster':
      case 'raw':
        return true;
      case 'heif':
        return this.tools.has('heif-convert');
      case 'video':
        return this.tools.has('ffmpeg');
      case 'pdf':
        return this.tools.has('pdftoppm');
      case 'other':
        return false;
    }
  }

  /** A thumbnail of the content `open` gives (called once or twice), or NoThumbnail / an error. */
  async make(format: MediaFormat, source: MediaSource, signal?: AbortSignal): Promise<Buffer> {
    const open = () => source.open();
    if (!this.supports(format)) throw new NoThumbnail(`no thumbnail can be made of this type of file on this server`);
    const tool: ToolLimits = { timeoutMs: this.limits.toolTimeoutMs, maxOutputBytes: this.limits.maxSourceBytes, signal };
    switch (format) {
      case 'raster':
        return this.resize(await source.bytes());
      case 'raw': {
        const preview = await exifr.thumbnail(await source.bytes());
        if (!preview) throw new NoThumbnail('this RAW file holds no preview image');
        return this.resize(Buffer.from(preview));
      }
      case 'heif':
        // libheif's tools read only named files: a private copy (see withPrivateCopy).
        return withPrivateCopy(await open(), '.heic', this.limits.maxSourceBytes, async (file, directory) => {
          const output = path.join(directory, 'output.png');
          await runTool('heif-convert', [file, output], null, tool);
          return this.resize(await readFile(output));
        });
      case 'video':
        return this.resize(await this.posterFrame(open, tool));
      case 'pdf':
        return this.resize(
          await runTool(
            'pdftoppm',
            ['-f', '1', '-l', '1', '-singlefile', '-png', '-scale-to', String(this.limits.size), '-'],
            await open(),
            tool,
          ),
        );
      default:
        throw new NoThumbnail('no thumbnail can be made of this type of file');
    }
  }

  /** JPEG in the size box, upright (EXIF orientation applied), refusing too many pixels. */
  private resize(image: Buffer): Promise<Buffer> {
    const { size, maxPixels } = this.limits;
    return sharp(image, { limitInputPixels: maxPixels, animated: false })
      .rotate()
      .resize(size, size, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 80 })
      .toBuffer();
  }

  /**
   * The first frame, from standard input (only the pipe protocol allowed); an MP4 whose index
   * is at the end cannot be read from a pipe, so then from a private copy (only that file).
   */
  private async posterFrame(open: () => Promise<Readable>, tool: ToolLimits): Promise<Buffer> {
    const output = ['-frames:v', '1', '-f', 'image2pipe', '-c:v', 'png', 'pipe:1'];
    const common = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-format_whitelist', VIDEO_DEMUXERS];
    try {
      return await runTool(
        'ffmpeg',
        [...common.filter((a) => a !== '-nostdin'), '-protocol_whitelist', 'pipe', '-i', 'pipe:0', ...output],
        await open(),
        tool,
      );
    } catch {
      return withPrivateCopy(await open(), '', this.limits.maxSourceBytes, (file) =>
        runTool('ffmpeg', [...common, '-protocol_whitelist', 'file', '-i', file, ...output], null, tool),
      );
    }
  }
}

/** One content, opened as often as needed; its bytes read once (bounded) when a decoder needs them all. */
export class MediaSource {
  private whole: Promise<Buffer> | undefined;

  constructor(
    readonly open: () => Promise<Readable>,
    private readonly maxBytes: number,
  ) {}

  bytes(): Promise<Buffer> {
    this.whole ??= this.open().then((stream) => readBounded(stream, this.maxBytes));
    return this.whole;
  }
}

/** The whole content in memory (sharp decodes from memory anyway), refused past `maxBytes`. */
export async function readBounded(source: Readable, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      source.destroy();
      throw new NoThumbnail(`the file is larger than ${maxBytes} bytes, the most read for a thumbnail`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
