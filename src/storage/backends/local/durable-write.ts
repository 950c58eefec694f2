import { createWriteStream, type WriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { translateFileSystemError } from './errors.js';

/**
 * Writes a file that exists whole or not at all and, once this resolves, survives a power cut:
 * `fill` streams into `temporary` (fsynced before it closes), which is then renamed over
 * `target` and the target's folder fsynced. On any failure, `fill`'s own checks included, the
 * temporary file is removed and the error translated (translateFileSystemError). Blobs and
 * upload chunks are made durable the same way, so both use this. Returns the bytes written.
 */
export async function writeDurably(
  temporary: string,
  target: string,
  fill: (sink: WriteStream) => Promise<void>,
  /** Runs after `fill`, before the rename (e.g. creating the target's folder). */
  beforeRename?: () => Promise<void>,
): Promise<number> {
  // flush: fsync before close, so the rename below publishes bytes that are on disk.
  const sink = createWriteStream(temporary, { flags: 'wx', mode: 0o600, flush: true, highWaterMark: 256 * 1024 });
  try {
    await fill(sink);
    const size = sink.bytesWritten;
    await beforeRename?.();
    await fs.rename(temporary, target);
    await syncDirectory(path.dirname(target));
    return size;
  } catch (error) {
    // A stream destroyed before its open() finished still creates the file when the open
    // lands: wait for it to close before removing, or the temporary file would survive.
    if (!sink.closed) await new Promise<void>((resolve) => sink.once('close', () => resolve()));
    await fs.rm(temporary, { force: true });
    throw translateFileSystemError(error);
  }
}

async function syncDirectory(folder: string): Promise<void> {
  const handle = await fs.open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
