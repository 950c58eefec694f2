/**
 * The timed workloads of bench/webdav.bench.ts. Each takes one server and returns milliseconds
 * (or several); every answer is checked, so a server that fails cannot look fast.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { KiB, MiB, repeatedStream } from '../lib.js';
import {
  NAMED_PROPS,
  call,
  content,
  destination,
  expectListing,
  expectStatus,
  inParallel,
  mkcol,
  propfind,
  putSmall,
  seededRandom,
  type DavServer,
} from './client.js';

const fileName = (i: number) => `f-${String(i).padStart(5, '0')}.txt`;

/** The same short warm-up for every server: connections, hot paths, each method once or more. */
export async function warmUp(server: DavServer, files: number, clients: number): Promise<void> {
  await mkcol(server, 'warmup/');
  await inParallel(files, clients, (i) => putSmall(server, `warmup/${fileName(i)}`, content(i, 4 * KiB)));
  await inParallel(files, clients, async (i) => {
    const reply = await call(server, 'GET', `warmup/${fileName(i)}`);
    expectStatus(server, reply, [200], 'GET warmup file');
    if (reply.bytes !== 4 * KiB) throw new Error(`${server.label}: GET warmup file gave ${reply.bytes} bytes`);
  });
  await inParallel(4 * clients, clients, () => expectListing(server, 'warmup/', files).then(() => undefined));
  const to = (name: string) => ({ Destination: destination(server, `${name}/`), Overwrite: 'F' });
  expectStatus(server, await call(server, 'MOVE', 'warmup/', { headers: to('warmup-moved') }), [201], 'MOVE warmup/');
  const copy = await call(server, 'COPY', 'warmup-moved/', { headers: { ...to('warmup-copy'), Depth: 'infinity' } });
  expectStatus(server, copy, [201], 'COPY warmup');
  for (const name of ['warmup-moved/', 'warmup-copy/']) expectStatus(server, await call(server, 'DELETE', name), [204], `DELETE ${name}`);
}

/** PUTs `files` new files of `size` bytes into a new folder; the time of the PUTs alone. */
export async function putFiles(server: DavServer, folder: string, files: number, size: number, clients: number): Promise<number> {
  await mkcol(server, `${folder}/`);
  const started = performance.now();
  await inParallel(files, clients, (i) => putSmall(server, `${folder}/${fileName(i)}`, content(i, size)));
  const took = performance.now() - started;
  await expectListing(server, `${folder}/`, files);
  return took;
}

/** `requests` PROPFIND Depth 1 (five properties) of a folder of `entries`, from `clients` at once. */
export async function propfindMany(server: DavServer, folder: string, entries: number, requests: number, clients: number): Promise<number> {
  const started = performance.now();
  await inParallel(requests, clients, () => expectListing(server, `${folder}/`, entries).then(() => undefined));
  return performance.now() - started;
}

/** `requests` GETs of the files of a folder (round robin), from `clients` at once. */
export async function getMany(
  server: DavServer,
  folder: string,
  files: number,
  size: number,
  requests: number,
  clients: number,
): Promise<number> {
  const started = performance.now();
  await inParallel(requests, clients, async (i) => {
    const reply = await call(server, 'GET', `${folder}/${fileName(i % files)}`);
    expectStatus(server, reply, [200], 'GET small file');
    if (reply.bytes !== size) throw new Error(`${server.label}: GET small file gave ${reply.bytes} bytes, expected ${size}`);
  });
  return performance.now() - started;
}

const BIG_CHUNK = randomBytes(MiB);

/** The expected bytes at `offset` of the big file (BIG_CHUNK repeated). */
function expectedAt(offset: number, length: number): Buffer {
  const start = offset % BIG_CHUNK.length;
  return BIG_CHUNK.subarray(start, Math.min(start + length, BIG_CHUNK.length));
}

export async function putBig(server: DavServer, relative: string, size: number): Promise<number> {
  const started = performance.now();
  const reply = await call(server, 'PUT', relative, {
    body: repeatedStream(size, BIG_CHUNK),
    headers: { 'Content-Length': String(size), 'Content-Type': 'application/octet-stream' },
  });
  const took = performance.now() - started;
  expectStatus(server, reply, [201, 204], `PUT ${relative}`);
  const stat = await propfind(server, relative, '0', NAMED_PROPS);
  const length = /getcontentlength>(\d+)</.exec(stat.text)?.[1];
  if (Number(length) !== size) throw new Error(`${server.label}: ${relative} has ${length} bytes after PUT, expected ${size}`);
  return took;
}

export async function getBig(server: DavServer, relative: string, size: number): Promise<number> {
  let head: Buffer | undefined;
  const started = performance.now();
  const reply = await call(server, 'GET', relative, {
    onChunk: (chunk, offset) => {
      if (offset === 0) head = Buffer.from(chunk.subarray(0, 64));
    },
  });
  const took = performance.now() - started;
  expectStatus(server, reply, [200], `GET ${relative}`);
  if (reply.bytes !== size) throw new Error(`${server.label}: GET ${relative} gave ${reply.bytes} bytes, expected ${size}`);
  if (!head?.equals(expectedAt(0, head.length))) throw new Error(`${server.label}: GET ${relative} gave the wrong bytes`);
  return took;
}

export function rangeOffsets(n: number, fileSize: number, rangeSize: number, seed: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => Math.floor(random() * (fileSize - rangeSize + 1)));
}

/** GETs of `rangeSize`-byte ranges at the given offsets, from `clients` at once; each is checked. */
export async function getRanges(
  server: DavServer,
  relative: string,
  offsets: readonly number[],
  rangeSize: number,
  fileSize: number,
  clients: number,
): Promise<number> {
  const started = performance.now();
  await inParallel(offsets.length, clients, async (i) => {
    const start = offsets[i]!;
    const end = start + rangeSize - 1;
    let head: Buffer | undefined;
    const reply = await call(server, 'GET', relative, {
      headers: { Range: `bytes=${start}-${end}` },
      onChunk: (chunk, offset) => {
        if (offset === 0) head = Buffer.from(chunk.subarray(0, 32));
      },
    });
    expectStatus(server, reply, [206], `GET ${relative} Range ${start}-${end}`);
    if (reply.bytes !== rangeSize) throw new Error(`${server.label}: a ${rangeSize}-byte range gave ${reply.bytes} bytes`);
    if (reply.headers['content-range'] !== `bytes ${start}-${end}/${fileSize}`) {
      throw new Error(`${server.label}: Content-Range ${reply.headers['content-range']} for bytes ${start}-${end}`);
    }
    if (!head?.equals(expectedAt(start, head.length))) throw new Error(`${server.label}: range ${start}-${end} gave the wrong bytes`);
  });
  return performance.now() - started;
}

export interface TreeShape {
  readonly folders: number;
  readonly filesPerFolder: number;
  readonly fileSize: number;
  readonly clients: number;
}

export interface TreeResult {
  readonly move: number;
  readonly copy: number;
  readonly deleteCopy: number;
  readonly deleteOriginal: number;
}

/** Seeds a tree (untimed), then times MOVE, COPY Depth infinity, DELETE of the copy and of the original. */
export async function treeRound(server: DavServer, round: number, shape: TreeShape): Promise<TreeResult> {
  const [tree, moved, copied] = [`tree-${round}`, `moved-${round}`, `copied-${round}`];
  const folderName = (f: number) => `s-${String(f).padStart(2, '0')}`;
  const files = shape.folders * shape.filesPerFolder;
  await mkcol(server, `${tree}/`);
  for (let f = 0; f < shape.folders; f++) await mkcol(server, `${tree}/${folderName(f)}/`);
  await inParallel(files, shape.clients, (i) =>
    putSmall(server, `${tree}/${folderName(i % shape.folders)}/${fileName(i)}`, content(i, shape.fileSize)),
  );

  const timed = async (method: string, relative: string, headers: Record<string, string>, expected: number) => {
    const started = performance.now();
    const reply = await call(server, method, relative, { headers });
    const took = performance.now() - started;
    expectStatus(server, reply, [expected], `${method} ${relative}`);
    return took;
  };
  const move = await timed('MOVE', `${tree}/`, { Destination: destination(server, `${moved}/`), Overwrite: 'F' }, 201);
  const copy = await timed('COPY', `${moved}/`, { Destination: destination(server, `${copied}/`), Overwrite: 'F', Depth: 'infinity' }, 201);

  // The source is gone, every folder arrived, the copy is whole.
  expectStatus(server, await call(server, 'PROPFIND', `${tree}/`, { headers: { Depth: '0' } }), [404], `PROPFIND moved-away ${tree}/`);
  for (const folder of [moved, copied]) {
    await expectListing(server, `${folder}/`, shape.folders);
    for (const f of [0, shape.folders - 1]) await expectListing(server, `${folder}/${folderName(f)}/`, shape.filesPerFolder);
  }
  const deleteCopy = await timed('DELETE', `${copied}/`, {}, 204);
  const deleteOriginal = await timed('DELETE', `${moved}/`, {}, 204);
  for (const folder of [moved, copied]) {
    expectStatus(server, await call(server, 'PROPFIND', `${folder}/`, { headers: { Depth: '0' } }), [404], `PROPFIND deleted ${folder}/`);
  }
  return { move, copy, deleteCopy, deleteOriginal };
}
