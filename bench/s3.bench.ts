/**
 * The S3 backend against its ceiling: PUT and GET of one large body through S3Backend beside
 * the same transfer done with the plain AWS SDK (lib-storage's Upload with the same part size,
 * a bare GetObject), against the same s3rver in the same run. Ratios near 1 mean the backend
 * adds nothing; the peak growth of this process's resident memory shows the body is streamed.
 * s3rver (a child process, test/support/s3-server.ts) is the bottleneck here, so the figures
 * compare the two clients, not S3 itself.
 *
 * Then the same size over WebDAV through a running Cumulus server (bench/s3/through-server.ts):
 * into a folder on the local policy, one bound to an S3 policy with proxied downloads and one
 * with redirect downloads (the GET follows the 302 to s3rver), each beside the plain SDK
 * transfer as the ceiling, with the peak RSS of the server's processes.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import os from 'node:os';
import type { Readable } from 'node:stream';
import { S3Backend } from '../src/storage/index.js';
import { createS3Client } from '../src/storage/backends/s3/s3-client.js';
import { startS3Server } from '../test/support/s3-server.js';
import { throughServer, type ServerRun } from './s3/through-server.js';
import {
  GiB,
  MiB,
  formatBytes,
  formatDuration,
  formatRatio,
  formatThroughput,
  onCleanup,
  printTable,
  progress,
  repeatedStream,
  type Benchmark,
} from './lib.js';

const PART_SIZE = 16 * MiB;

async function drain(stream: Readable): Promise<number> {
  let bytes = 0;
  for await (const chunk of stream) bytes += (chunk as Buffer).length;
  return bytes;
}

/** Wall time and peak growth of the resident set over its value at the start. */
async function measure(work: () => Promise<unknown>): Promise<{ ms: number; rss: number }> {
  const start = process.memoryUsage.rss();
  let peak = start;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  const began = performance.now();
  try {
    await work();
    return { ms: performance.now() - began, rss: Math.max(peak, process.memoryUsage.rss()) - start };
  } finally {
    clearInterval(sampler);
  }
}

/** The server rows, each against the plain SDK's time for the same direction (the ceiling). */
function printServerTable(size: number, run: ServerRun, ceiling: { put: number; get: number }, load: string): void {
  const mib = (bytes: number) => `${Math.round(bytes / MiB)} MiB`;
  const ceilingRow = (kind: 'PUT' | 'GET', ms: number) => [
    `${kind} plain SDK → s3rver (ceiling)`,
    `${formatDuration(ms)} (${formatThroughput(size, ms)})`,
    '1.00×',
    '-',
  ];
  const rows = (['PUT', 'GET'] as const).flatMap((kind) => [
    ceilingRow(kind, kind === 'PUT' ? ceiling.put : ceiling.get),
    ...run.transfers
      .filter((transfer) => transfer.kind === kind)
      .map((transfer) => [
        `${kind} WebDAV → Cumulus ${SERVER_FOLDERS[transfer.label] ?? transfer.label}`,
        `${formatDuration(transfer.ms)} (${formatThroughput(size, transfer.ms)})`,
        formatRatio(transfer.ms / (kind === 'PUT' ? ceiling.put : ceiling.get)),
        `${mib(transfer.peak.total)} (${transfer.peak.processes} proc, largest ${mib(transfer.peak.max)})`,
      ]),
  ]);
  printTable(
    `s3: ${formatBytes(size)} over WebDAV through a Cumulus server (SQLite) vs the plain AWS SDK against the same s3rver, same run`,
    ['transfer', 'time', 'ratio to ceiling', 'server peak RSS (sum over processes)'],
    rows,
    [
      'ratio: time / the plain SDK time of the same direction (the ceiling for anything that ends in s3rver; local rows never touch it).',
      'redirect GET: the time of the 302 from Cumulus and of the presigned GET from s3rver, followed by the client.',
      `server memory when ready: ${mib(run.atReady.total)} over ${run.atReady.processes} process(es); ${load}; the machine is shared, so figures are noisy.`,
      `Cumulus: ${run.startedAs}`,
    ],
  );
}

const SERVER_FOLDERS: Record<string, string> = {
  '/local': '/local (local policy)',
  '/proxy': '/proxy (S3 policy, download: proxy)',
  '/redirect': '/redirect (S3 policy, download: redirect)',
};

const benchmark: Benchmark = {
  name: 's3',
  description: 'S3 PUT/GET of a large body: S3Backend and a Cumulus server (local, S3 proxy, S3 redirect) vs the plain AWS SDK',
  async run(options) {
    const size = options.quick ? 64 * MiB : GiB;
    progress('starting s3rver');
    const server = await startS3Server('bench');
    const unregister = onCleanup(() => void server.kill());
    try {
      const settings = server.settings('bench/', { partSizeBytes: PART_SIZE });
      const backend = new S3Backend(settings);
      const client = createS3Client(settings);
      const chunk = Buffer.alloc(MiB, 0x5a);
      const sdkUpload = (bytes: number) =>
        new Upload({
          client,
          params: { Bucket: settings.bucket, Key: 'bench/sdk', Body: repeatedStream(bytes, chunk) },
          partSize: PART_SIZE,
          queueSize: 2,
        }).done();
      // Warm-up: both clients' first transfer pays for the heap's and s3rver's first growth.
      progress('warm-up: 64 MiB each way, both clients');
      await sdkUpload(64 * MiB);
      await backend.put('cumulus', repeatedStream(64 * MiB, chunk));
      await drain(await backend.get('cumulus'));
      progress(`PUT ${formatBytes(size)}: plain SDK`);
      const sdkPut = await measure(() => sdkUpload(size));
      progress(`PUT ${formatBytes(size)}: S3Backend`);
      const ourPut = await measure(() => backend.put('cumulus', repeatedStream(size, chunk)));
      progress(`GET ${formatBytes(size)}: plain SDK`);
      const sdkGet = await measure(async () =>
        drain((await client.send(new GetObjectCommand({ Bucket: settings.bucket, Key: 'bench/sdk' }))).Body as Readable),
      );
      progress(`GET ${formatBytes(size)}: S3Backend`);
      const ourGet = await measure(async () => drain(await backend.get('cumulus')));
      backend.close();
      client.destroy();
      const row = (name: string, ours: { ms: number; rss: number }, sdk: { ms: number; rss: number }) => [
        name,
        `${formatDuration(ours.ms)} (${formatThroughput(size, ours.ms)})`,
        `${formatDuration(sdk.ms)} (${formatThroughput(size, sdk.ms)})`,
        formatRatio(ours.ms / sdk.ms),
        formatBytes(Math.round(ours.rss / MiB) * MiB),
        formatBytes(Math.round(sdk.rss / MiB) * MiB),
      ];
      printTable(
        `s3: ${formatBytes(size)} through S3Backend vs the plain AWS SDK, same s3rver (child process), same run; parts of ${formatBytes(PART_SIZE)}, 2 in flight`,
        ['transfer', 'S3Backend', 'plain SDK', 'ratio', 'peak RSS growth', 'SDK peak RSS growth'],
        [row(`PUT ${formatBytes(size)}`, ourPut, sdkPut), row(`GET ${formatBytes(size)}`, ourGet, sdkGet)],
        ['ratio: S3Backend time / plain SDK time (1 = no overhead). RSS growth is over the value before each transfer, in this process.'],
      );
      const loadBefore = os.loadavg()[0]!;
      const run = await throughServer(server, size, { kind: 'sqlite', label: 'SQLite' });
      const load = `load average ${loadBefore.toFixed(2)} before, ${os.loadavg()[0]!.toFixed(2)} after, on ${os.cpus().length} CPU(s)`;
      printServerTable(size, run, { put: sdkPut.ms, get: sdkGet.ms }, load);
    } finally {
      unregister();
      await server.close();
    }
  },
};

export default benchmark;
