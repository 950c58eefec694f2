import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';

const run = promisify(execFile);

/** Whether a program is on this machine (tests that need it are skipped, saying so, without it). */
export async function hasProgram(name: string): Promise<boolean> {
  return run('which', [name]).then(
    () => true,
    () => false,
  );
}

/** A 1200×800 JPEG with EXIF: taken 2021-05-14 10:20:30, a Canon EOS R5, a lens, near the Eiffel tower. */
export function exifJpeg(colour = '#3060a0'): Promise<Buffer> {
  return sharp({ create: { width: 1200, height: 800, channels: 3, background: colour } })
    .withExif({
      IFD0: { Make: 'Canon', Model: 'EOS R5' },
      IFD2: { DateTimeOriginal: '2021:05:14 10:20:30', LensModel: 'RF 24-70mm' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 30/1', GPSLongitudeRef: 'E', GPSLongitude: '2/1 17/1 40/1' },
    })
    .jpeg()
    .toBuffer();
}

export function plainPng(width = 300, height = 600): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 4, background: '#20c040' } })
    .png()
    .toBuffer();
}

/** A PNG that declares side×side pixels (900 MP by default) in a few dozen bytes: a decompression bomb. */
export function pngBomb(side = 30000): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A one-page PDF written by hand (200×100 pt, blank). */
export function minimalPdf(): Buffer {
  const objects = [
    '<</Type/Catalog/Pages 2 0 R>>',
    '<</Type/Pages/Kids[3 0 R]/Count 1>>',
    '<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]/Contents 4 0 R>>',
    '<</Length 35>>stream\n0 0 1 rg 10 10 180 80 re f\nendstream',
  ];
  let text = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, index) => {
    offsets.push(text.length);
    text += `${index + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = text.length;
  text += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) text += `${String(offset).padStart(10, '0')} 00000 n \n`;
  text += `trailer\n<</Size ${objects.length + 1}/Root 1 0 R>>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(text, 'latin1');
}

/** Runs `make(dir)` in a private temporary directory and returns the file it names. */
async function madeWith(make: (dir: string) => Promise<string>): Promise<Buffer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cumulus-sample-'));
  try {
    return readFileSync(await make(dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A one-second 320×240 MP4 from ffmpeg's test source. */
export function testMp4(): Promise<Buffer> {
  return madeWith(async (dir) => {
    const file = path.join(dir, 'clip.mp4');
    await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=duration=1:size=320x240:rate=10', '-pix_fmt', 'yuv420p', file]);
    return file;
  });
}

/** A HEIC (HEVC) made by heif-enc from a 640×480 JPEG. */
export function testHeic(): Promise<Buffer> {
  return madeWith(async (dir) => {
    const source = path.join(dir, 'in.jpg');
    writeFileSync(
      source,
      await sharp({ create: { width: 640, height: 480, channels: 3, background: '#a04020' } })
        .jpeg()
        .toBuffer(),
    );
    const file = path.join(dir, 'photo.heic');
    await run('heif-enc', ['-o', file, source]);
    return file;
  });
}
