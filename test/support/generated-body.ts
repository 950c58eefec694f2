import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ByteRange } from '../../src/storage/index.js';

const BLOCK = 1024 * 1024;

/**
 * `size` bytes made up on the fly, never held whole: every 1 MiB block is a repeating pattern
 * headed by the block's number, so a misplaced block or range shows. `range` yields only those bytes.
 */
export function generatedBody(size: number, range?: ByteRange): Readable {
  let position = range?.start ?? 0;
  const end = range ? range.end + 1 : size;
  return new Readable({
    read() {
      if (position >= end) return void this.push(null);
      const block = Math.floor(position / BLOCK);
      const upTo = Math.min(end, (block + 1) * BLOCK);
      const chunk = Buffer.from(PATTERN.subarray(position - block * BLOCK, upTo - block * BLOCK));
      // The block's number in its first bytes: a block out of place shows.
      for (let i = block * BLOCK; i < block * BLOCK + 8; i++)
        if (i >= position && i < upTo) chunk[i - position] = (block >> ((i % 4) * 8)) & 0xff;
      position = upTo;
      this.push(chunk);
    },
  });
}

/** Bytes that repeat with a period (251) that is not a power of two. */
const PATTERN = Buffer.from(Array.from({ length: BLOCK }, (_, i) => i % 251));

export async function sha256Of(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Uint8Array);
  return hash.digest('hex');
}

/** Runs `work` while sampling the resident set size; answers its result and the peak growth over the start. */
export async function peakRssGrowth<T>(work: () => Promise<T>): Promise<{ result: T; growth: number }> {
  const start = process.memoryUsage.rss();
  let peak = start;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 25);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, growth: peak - start };
  } finally {
    clearInterval(sampler);
  }
}
