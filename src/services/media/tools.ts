import { execFile, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** The external programs the media indexer may use; each is optional (Debian packages). */
export const MEDIA_TOOLS = ['ffmpeg', 'ffprobe', 'heif-thumbnailer', 'heif-convert', 'pdftoppm'] as const;
export type MediaTool = (typeof MEDIA_TOOLS)[number];

export interface ToolLimits {
  readonly timeoutMs: number;
  /** Most bytes of output kept; more kills the tool. */
  readonly maxOutputBytes: number;
  readonly signal?: AbortSignal;
}

/** Which tools this machine has, looked up once (a tool installed later needs a restart). */
export async function detectTools(): Promise<ReadonlySet<MediaTool>> {
  const found = await Promise.all(
    MEDIA_TOOLS.map(
      (tool) =>
        new Promise<MediaTool | null>((resolve) => {
          execFile('which', [tool], (error) => resolve(error ? null : tool));
        }),
    ),
  );
  return new Set(found.filter((tool): tool is MediaTool => tool !== null));
}

export class ToolFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolFailedError';
  }
}

/**
 * Runs a tool with `input` on its standard input (or none) and returns its standard output,
 * killed past the time or output limit. No shell; the arguments are ours, never user input.
 */
export function runTool(command: string, args: readonly string[], input: Readable | null, limits: ToolLimits): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'], signal: limits.signal });
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = '';
    let failure: string | null = null;
    const stop = (why: string) => {
      failure ??= why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => stop(`${command} ran longer than ${limits.timeoutMs} ms`), limits.timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxOutputBytes) stop(`${command} wrote more than ${limits.maxOutputBytes} bytes`);
      else chunks.push(chunk);
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      if (stderr.length < 2000) stderr += chunk.toString('utf8');
    });
    if (input && child.stdin) {
      // A tool that has what it needs (ffmpeg after one frame) closes its input early: not an error.
      child.stdin.on('error', () => undefined);
      input.on('error', (error) => stop(`reading the content failed: ${error.message}`));
      input.pipe(child.stdin);
    }
    child.on('error', (error) => {
      clearTimeout(timer);
      input?.destroy();
      reject(new ToolFailedError(`${command}: ${error.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      input?.destroy();
      if (failure) reject(new ToolFailedError(failure));
      else if (code !== 0) reject(new ToolFailedError(`${command} exited with ${code}: ${stderr.trim().slice(0, 500)}`));
      else resolve(Buffer.concat(chunks));
    });
  });
}

/**
 * For tools that insist on a file name (libheif's, and ffmpeg on an MP4 whose index is at the
 * end): a private copy of the content in a private directory (0700, made by mkdtemp) that only
 * this call knows, removed afterwards whatever happens. The tool gets that path and no other.
 */
export async function withPrivateCopy<T>(
  input: Readable,
  extension: string,
  maxBytes: number,
  use: (file: string, directory: string) => Promise<T>,
): Promise<T> {
  const directory = await mkdtemp(path.join(tmpdir(), 'cumulus-media-'));
  try {
    const file = path.join(directory, `input${extension}`);
    let size = 0;
    input.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) input.destroy(new ToolFailedError(`the content is larger than ${maxBytes} bytes`));
    });
    await pipeline(input, createWriteStream(file, { mode: 0o600 }));
    return await use(file, directory);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
