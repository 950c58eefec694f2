/**
 * The core on each database, against the local file system measured in the same run.
 *
 * For a tree of 100,000 entries (the descendants of /big): list a 10,000-entry folder page by
 * page, resolve a 12-deep path, move the 100,000-descendant folder vs an empty one (the ratio
 * should be close to 1: a move changes one row), copy a 1 GiB file vs a 1 KiB file (close to 1:
 * a copy shares the blob), and write the 1 GiB file. The peer is node:fs on the same machine
 * and file system, doing the same work on a directory tree of the same shape.
 *
 * The bulk of the tree is inserted straight into `entries` in one transaction (seeding through
 * the vfs one entry at a time would dominate the run); every measured operation goes through
 * app.vfs.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql } from 'kysely';
import { parsePath, type VPath } from '../src/core/index.js';
import {
  GiB,
  KiB,
  MiB,
  count,
  fileSystemOf,
  formatBytes,
  formatDuration,
  formatRatio,
  formatThroughput,
  median,
  openBenchApp,
  printTable,
  progress,
  repeatedStream,
  sample,
  tempDir,
  timeIt,
  type BenchApp,
  type BenchOptions,
  type Benchmark,
  type DatabaseTarget,
  type TempDir,
} from './lib.js';

interface Sizes {
  /** Descendants of /big, the folder that is moved. */
  readonly treeEntries: number;
  /** Entries of /big/list, the folder that is listed. */
  readonly listEntries: number;
  readonly listPageSize: number;
  /** Names in the resolved path, /big included. */
  readonly depth: number;
  readonly bigFile: number;
  readonly smallFile: number;
  readonly listRuns: number;
  readonly resolveRuns: number;
  /** Even, so that every folder ends where it started. */
  readonly moveRuns: number;
  readonly copyRuns: number;
  readonly fsBigCopyRuns: number;
  readonly writeRuns: number;
}

const FULL: Sizes = {
  treeEntries: 100_000,
  listEntries: 10_000,
  listPageSize: 1000,
  depth: 12,
  bigFile: GiB,
  smallFile: KiB,
  listRuns: 7,
  resolveRuns: 1000,
  moveRuns: 20,
  copyRuns: 20,
  fsBigCopyRuns: 3,
  writeRuns: 3,
};

const QUICK: Sizes = {
  treeEntries: 10_000,
  listEntries: 1_000,
  listPageSize: 100,
  depth: 12,
  bigFile: 64 * MiB,
  smallFile: KiB,
  listRuns: 5,
  resolveRuns: 300,
  moveRuns: 10,
  copyRuns: 10,
  fsBigCopyRuns: 3,
  writeRuns: 3,
};

const SEED_CONTENT = Buffer.from('seed\n');
const INSERT_BATCH = 500;

/** The shape of /big, shared by the Cumulus tree and the file-system peer. */
interface TreePlan {
  readonly descendants: number;
  readonly listFiles: number;
  /** Names below /big leading to the resolved leaf (a file); the resolved path is ['big', ...chain]. */
  readonly chain: readonly string[];
  /** The rest of the tree: /big/tree/t-NNNN folders holding f-NNNNNN files round-robin. */
  readonly fillerFolders: number;
  readonly fillerFiles: number;
}

function planTree(sizes: Sizes): TreePlan {
  const chain: string[] = [];
  for (let level = 2; level < sizes.depth; level++) chain.push(`level-${String(level).padStart(2, '0')}`);
  chain.push(`leaf-${sizes.depth}.txt`);
  // /big/list and its files, the chain, /big/tree; the filler makes up the rest.
  const rest = sizes.treeEntries - (1 + sizes.listEntries) - chain.length - 1;
  if (rest < 2) throw new Error(`A tree of ${sizes.treeEntries} entries cannot hold a ${sizes.listEntries}-entry folder`);
  const fillerFolders = Math.max(1, Math.round(rest / 100));
  return { descendants: sizes.treeEntries, listFiles: sizes.listEntries, chain, fillerFolders, fillerFiles: rest - fillerFolders };
}

const listFileName = (i: number) => `file-${String(i).padStart(6, '0')}.dat`;
const fillerFolderName = (i: number) => `t-${String(i).padStart(4, '0')}`;
const fillerFileName = (i: number) => `f-${String(i).padStart(6, '0')}.dat`;

/** One measured workload: Cumulus and peer samples (ms). */
interface Pair {
  readonly cumulus: number[];
  readonly peer: number[];
}

interface Results {
  readonly writeBig: Pair;
  readonly maxRssGrowth: number;
  /** Hashing the big file's bytes in memory, per algorithm, for scale: the vfs hashes what it stores. */
  readonly hashMs: Readonly<Record<string, number>>;
  readonly list: Pair;
  readonly listPages: number;
  readonly listFirstPage: number[];
  readonly listLastPage: number[];
  readonly resolve: Pair;
  readonly moveBig: Pair;
  readonly moveEmpty: Pair;
  readonly copyBig: Pair;
  readonly copySmall: Pair;
  readonly seedMs: number;
}

const benchmark: Benchmark = {
  name: 'core',
  description: 'vfs list / resolve / move / copy / write on a 100,000-entry tree vs node:fs',
  async run(options: BenchOptions): Promise<void> {
    const sizes = options.quick ? QUICK : FULL;
    const plan = planTree(sizes);
    const peer = await buildPeerTree(plan);
    try {
      for (const target of options.databases) {
        const results = await runOn(target, sizes, plan, peer.path);
        report(target, sizes, plan, results, fileSystemOf(peer.path));
      }
    } finally {
      progress('removing the file-system peer tree');
      peer.remove();
    }
  },
};

export default benchmark;

// ---------------------------------------------------------------------------------------
// The peer: the same tree on the local file system.

async function buildPeerTree(plan: TreePlan): Promise<TempDir> {
  const dir = tempDir('cumulus-bench-fs-');
  const started = performance.now();
  progress(`building the file-system peer tree (${count(plan.descendants)} entries) in ${dir.path}`);
  const big = path.join(dir.path, 'big');
  fs.mkdirSync(path.join(big, 'list'), { recursive: true });
  for (let i = 0; i < plan.listFiles; i++) fs.writeFileSync(path.join(big, 'list', listFileName(i)), SEED_CONTENT);
  fs.mkdirSync(path.join(big, ...plan.chain.slice(0, -1)), { recursive: true });
  fs.writeFileSync(path.join(big, ...plan.chain), SEED_CONTENT);
  for (let f = 0; f < plan.fillerFolders; f++) fs.mkdirSync(path.join(big, 'tree', fillerFolderName(f)), { recursive: true });
  for (let i = 0; i < plan.fillerFiles; i++) {
    fs.writeFileSync(path.join(big, 'tree', fillerFolderName(i % plan.fillerFolders), fillerFileName(i)), SEED_CONTENT);
    if ((i + 1) % 25_000 === 0) progress(`  fs: ${count(i + 1)} / ${count(plan.fillerFiles)} filler files`);
  }
  for (const name of ['empty', 'dest', 'files']) fs.mkdirSync(path.join(dir.path, name));
  const found = countDescendants(big);
  if (found !== plan.descendants) throw new Error(`The peer tree has ${found} descendants, expected ${plan.descendants}`);
  progress(`  fs tree ready in ${formatDuration(performance.now() - started)}`);
  return dir;
}

function countDescendants(dir: string): number {
  let n = 0;
  for (const dirent of fs.readdirSync(dir, { withFileTypes: true })) {
    n++;
    if (dirent.isDirectory()) n += countDescendants(path.join(dir, dirent.name));
  }
  return n;
}

// ---------------------------------------------------------------------------------------
// Cumulus: seed, then measure each workload next to its peer.

async function runOn(target: DatabaseTarget, sizes: Sizes, plan: TreePlan, peerDir: string): Promise<Results> {
  progress(`${target.label}: opening a fresh App`);
  const bench = await openBenchApp(target);
  try {
    const seedMs = await seed(bench, plan, target);
    return { ...(await measure(bench, sizes, plan, peerDir, target)), seedMs };
  } finally {
    progress(`${target.label}: closing and removing the App's data`);
    await bench.close();
  }
}

async function seed(bench: BenchApp, plan: TreePlan, target: DatabaseTarget): Promise<number> {
  const { app, principal } = bench;
  const { vfs } = app;
  const started = performance.now();
  progress(`${target.label}: seeding ${count(plan.descendants)} entries under /big`);

  // The scaffolding goes through the vfs; the bulk is inserted below.
  const seedFile = await vfs.write(principal, parsePath('/seed.txt'), Readable.from([SEED_CONTENT]));
  await vfs.mkdir(principal, parsePath('/big/list'), { parents: true });
  await vfs.mkdir(principal, parsePath('/big/tree'));
  const leaf: VPath = ['big', ...plan.chain];
  await vfs.mkdir(principal, leaf.slice(0, -1), { parents: true });
  await vfs.write(principal, leaf, Readable.from([SEED_CONTENT]));
  for (const name of ['/empty', '/dest', '/files']) await vfs.mkdir(principal, parsePath(name));
  const list = await vfs.stat(principal, parsePath('/big/list'));
  const tree = await vfs.stat(principal, parsePath('/big/tree'));

  // Every seeded file shares the seed blob, with its reference count and the user's storage
  // kept true, so the tree is one the vfs could have written.
  const blobId = seedFile.entry.blobId!;
  const fileSize = seedFile.entry.size;
  const ownerId = list.ownerId;
  const total = plan.listFiles + plan.fillerFolders + plan.fillerFiles;
  let inserted = 0;
  let reported = 0;
  const tick = (n: number) => {
    inserted += n;
    if (inserted - reported >= 20_000 || inserted === total) {
      reported = inserted;
      progress(`  ${target.label}: ${count(inserted)} / ${count(total)} rows inserted`);
    }
  };

  await app.database.transaction(async (tx) => {
    const now = Date.now();
    const file = (parentId: number, name: string) => ({
      parent_id: parentId,
      owner_id: ownerId,
      name,
      kind: 'file',
      size: fileSize,
      blob_id: blobId,
      mtime: now,
      ctime: now,
      etag: blobId,
    });
    const folder = (parentId: number, name: string) => ({
      parent_id: parentId,
      owner_id: ownerId,
      name,
      kind: 'folder',
      size: 0,
      blob_id: null,
      mtime: now,
      ctime: now,
      etag: randomUUID().replaceAll('-', ''),
    });

    for (let i = 0; i < plan.listFiles; i += INSERT_BATCH) {
      const rows = [];
      for (let j = i; j < Math.min(i + INSERT_BATCH, plan.listFiles); j++) rows.push(file(list.id, listFileName(j)));
      await tx.insertInto('entries').values(rows).execute();
      tick(rows.length);
    }

    const folderIds: number[] = [];
    for (let i = 0; i < plan.fillerFolders; i += INSERT_BATCH) {
      const names: string[] = [];
      for (let j = i; j < Math.min(i + INSERT_BATCH, plan.fillerFolders); j++) names.push(fillerFolderName(j));
      const rows = await tx
        .insertInto('entries')
        .values(names.map((name) => folder(tree.id, name)))
        .returning(['id', 'name'])
        .execute();
      const idOf = new Map(rows.map((row) => [row.name, Number(row.id)]));
      for (const name of names) folderIds.push(idOf.get(name)!);
      tick(rows.length);
    }

    for (let i = 0; i < plan.fillerFiles; i += INSERT_BATCH) {
      const rows = [];
      for (let j = i; j < Math.min(i + INSERT_BATCH, plan.fillerFiles); j++)
        rows.push(file(folderIds[j % plan.fillerFolders]!, fillerFileName(j)));
      await tx.insertInto('entries').values(rows).execute();
      tick(rows.length);
    }

    const files = plan.listFiles + plan.fillerFiles;
    await tx
      .updateTable('blobs')
      .set({ ref_count: sql`ref_count + ${files}` })
      .where('id', '=', blobId)
      .execute();
    await tx
      .updateTable('users')
      .set({ storage_used: sql`storage_used + ${files * fileSize}` })
      .where('id', '=', ownerId)
      .execute();
  });

  // PostgreSQL's autovacuum would analyse a table after such a load within a minute; do it
  // now so the planner does not judge a 100,000-row table by its empty-table statistics.
  if (app.database.dialect === 'postgres') await sql`analyze`.execute(app.database.db);

  const summary = await vfs.summary(principal, parsePath('/big'));
  const descendants = summary.files + summary.folders - 1;
  if (descendants !== plan.descendants) throw new Error(`/big has ${descendants} descendants, expected ${plan.descendants}`);
  const elapsed = performance.now() - started;
  progress(`  ${target.label}: tree ready in ${formatDuration(elapsed)}`);
  return elapsed;
}

async function measure(
  bench: BenchApp,
  sizes: Sizes,
  plan: TreePlan,
  peerDir: string,
  target: DatabaseTarget,
): Promise<Omit<Results, 'seedMs'>> {
  const { app, principal } = bench;
  const { vfs } = app;
  const peerPath = (...names: string[]) => path.join(peerDir, ...names);
  const step = (what: string) => progress(`${target.label}: ${what}`);

  // --- write the big and the small file ------------------------------------------------
  step(`writing a ${formatBytes(sizes.bigFile)} file ${sizes.writeRuns} times (node:fs, then the vfs)`);
  const chunk = randomBytes(MiB);
  const peerBig = peerPath('files', 'big.bin');
  const peerSmall = peerPath('files', 'small.bin');
  const bigPath = parsePath('/files/big.bin');
  const smallPath = parsePath('/files/small.bin');
  const writeBig: Pair = { cumulus: [], peer: [] };
  const rssBefore = process.resourceUsage().maxRSS * KiB;
  for (let i = 0; i < sizes.writeRuns; i++) {
    // Each run creates the file: the previous one is removed, untimed, on both sides.
    await fsp.rm(peerBig, { force: true });
    if (i > 0) await vfs.delete(principal, bigPath);
    writeBig.peer.push(
      await timeIt(() =>
        // flush: fsync before close, as the local blob backend does.
        pipeline(repeatedStream(sizes.bigFile, chunk), fs.createWriteStream(peerBig, { flush: true, highWaterMark: MiB })),
      ),
    );
    let written!: Awaited<ReturnType<typeof vfs.write>>;
    writeBig.cumulus.push(
      await timeIt(async () => {
        written = await vfs.write(principal, bigPath, repeatedStream(sizes.bigFile, chunk));
      }),
    );
    if (written.entry.size !== sizes.bigFile) throw new Error(`The big file has ${written.entry.size} bytes, expected ${sizes.bigFile}`);
  }
  const maxRssGrowth = process.resourceUsage().maxRSS * KiB - rssBefore;
  const hashMs: Record<string, number> = {};
  for (const algorithm of ['sha256', 'sha1']) {
    hashMs[algorithm] = await timeIt(() => {
      const hash = createHash(algorithm);
      for (let left = sizes.bigFile; left > 0; left -= chunk.length) hash.update(left >= chunk.length ? chunk : chunk.subarray(0, left));
      hash.digest();
    });
  }
  fs.writeFileSync(peerSmall, chunk.subarray(0, sizes.smallFile));
  await vfs.write(principal, smallPath, Readable.from([chunk.subarray(0, sizes.smallFile)]));

  // --- list ----------------------------------------------------------------------------
  step(`listing a ${count(plan.listFiles)}-entry folder page by page`);
  const listPath = parsePath('/big/list');
  const listFirstPage: number[] = [];
  const listLastPage: number[] = [];
  let listPages = 0;
  const listCumulus = await sample(
    sizes.listRuns,
    async (run) => {
      let cursor: string | undefined;
      let entries = 0;
      let pages = 0;
      do {
        const started = performance.now();
        const page = await vfs.list(principal, listPath, { limit: sizes.listPageSize, cursor });
        const took = performance.now() - started;
        if (run >= 0 && pages === 0) listFirstPage.push(took);
        entries += page.entries.length;
        pages++;
        cursor = page.nextCursor ?? undefined;
        if (run >= 0 && !cursor) listLastPage.push(took);
      } while (cursor);
      if (entries !== plan.listFiles) throw new Error(`Listing returned ${entries} entries, expected ${plan.listFiles}`);
      listPages = pages;
    },
    1,
  );
  const peerListDir = peerPath('big', 'list');
  const listPeer = await sample(
    sizes.listRuns,
    () => {
      let entries = 0;
      for (const dirent of fs.readdirSync(peerListDir, { withFileTypes: true })) {
        fs.statSync(path.join(peerListDir, dirent.name));
        entries++;
      }
      if (entries !== plan.listFiles) throw new Error(`readdir returned ${entries} entries, expected ${plan.listFiles}`);
    },
    1,
  );

  // --- resolve -------------------------------------------------------------------------
  step(`resolving a ${sizes.depth}-deep path ${count(sizes.resolveRuns)} times`);
  const deep: VPath = ['big', ...plan.chain];
  if (deep.length !== sizes.depth) throw new Error(`The resolved path has ${deep.length} names, expected ${sizes.depth}`);
  const leaf = await vfs.stat(principal, deep);
  if (leaf.kind !== 'file' || leaf.name !== plan.chain[plan.chain.length - 1]) throw new Error('Resolved the wrong entry');
  const resolveCumulus = await sample(sizes.resolveRuns, () => vfs.stat(principal, deep), 50);
  const peerDeep = peerPath(...deep);
  const resolvePeer = await sample(sizes.resolveRuns, () => fs.statSync(peerDeep), 50);

  // --- move ----------------------------------------------------------------------------
  step(`moving the ${count(plan.descendants)}-descendant folder and an empty one ${sizes.moveRuns} times each`);
  const moveCumulus = { big: [] as number[], empty: [] as number[] };
  const movePeer = { big: [] as number[], empty: [] as number[] };
  const warmMoves = 2;
  for (let i = 0; i < sizes.moveRuns + warmMoves; i++) {
    for (const name of ['big', 'empty'] as const) {
      // Alternately into /dest and back, so an even number of moves ends where it started.
      const [from, to] = i % 2 === 0 ? [[name], ['dest', name]] : [['dest', name], [name]];
      const took = await timeIt(() => vfs.move(principal, from, to));
      const peerTook = await timeIt(() => fs.renameSync(peerPath(...from), peerPath(...to)));
      if (i >= warmMoves) {
        moveCumulus[name].push(took);
        movePeer[name].push(peerTook);
      }
    }
  }
  const moved = await vfs.summary(principal, parsePath('/big'));
  if (moved.files + moved.folders - 1 !== plan.descendants) throw new Error('/big lost descendants while moving');

  // --- copy ----------------------------------------------------------------------------
  step(`copying the ${formatBytes(sizes.bigFile)} and the ${formatBytes(sizes.smallFile)} file ${sizes.copyRuns} times each`);
  const copyCumulus = { big: [] as number[], small: [] as number[] };
  for (let i = 0; i < sizes.copyRuns + 1; i++) {
    for (const [name, source, size] of [
      ['big', bigPath, sizes.bigFile],
      ['small', smallPath, sizes.smallFile],
    ] as const) {
      const target = parsePath(`/files/${name}-copy.bin`);
      let copied!: Awaited<ReturnType<typeof vfs.copy>>;
      const took = await timeIt(async () => {
        copied = await vfs.copy(principal, source, target);
      });
      if (copied.entry.size !== size) throw new Error(`The ${name} copy has ${copied.entry.size} bytes, expected ${size}`);
      await vfs.delete(principal, target);
      if (i >= 1) copyCumulus[name].push(took);
    }
  }
  step(`copying the ${formatBytes(sizes.bigFile)} file with node:fs ${sizes.fsBigCopyRuns} times`);
  const copyPeer = { big: [] as number[], small: [] as number[] };
  const peerCopy = (source: string, runs: number, into: number[]) => {
    const target = `${source}.copy`;
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      // Clone (reflink) where the file system can, as Cumulus shares the blob; else a copy.
      fs.copyFileSync(source, target, fs.constants.COPYFILE_FICLONE);
      into.push(performance.now() - started);
      fs.unlinkSync(target);
    }
  };
  peerCopy(peerSmall, 1, []);
  peerCopy(peerBig, sizes.fsBigCopyRuns, copyPeer.big);
  peerCopy(peerSmall, sizes.copyRuns, copyPeer.small);

  await fsp.rm(peerBig, { force: true });
  await fsp.rm(peerSmall, { force: true });

  return {
    writeBig,
    maxRssGrowth,
    hashMs,
    list: { cumulus: listCumulus, peer: listPeer },
    listPages,
    listFirstPage,
    listLastPage,
    resolve: { cumulus: resolveCumulus, peer: resolvePeer },
    moveBig: { cumulus: moveCumulus.big, peer: movePeer.big },
    moveEmpty: { cumulus: moveCumulus.empty, peer: movePeer.empty },
    copyBig: { cumulus: copyCumulus.big, peer: copyPeer.big },
    copySmall: { cumulus: copyCumulus.small, peer: copyPeer.small },
  };
}

// ---------------------------------------------------------------------------------------
// Report.

function report(target: DatabaseTarget, sizes: Sizes, plan: TreePlan, r: Results, fileSystem: string): void {
  const m = (samples: readonly number[]) => median(samples);
  const runs = (pair: Pair) =>
    pair.cumulus.length === pair.peer.length ? String(pair.cumulus.length) : `${pair.cumulus.length} / ${pair.peer.length}`;
  const row = (workload: string, pair: Pair): string[] => [
    workload,
    formatDuration(m(pair.cumulus)),
    formatDuration(m(pair.peer)),
    formatRatio(m(pair.cumulus) / m(pair.peer)),
    runs(pair),
  ];
  const big = formatBytes(sizes.bigFile);
  const small = formatBytes(sizes.smallFile);
  const writeCumulus = m(r.writeBig.cumulus);
  const writePeer = m(r.writeBig.peer);

  printTable(
    `core on ${target.label}${sizes === QUICK ? ' (--quick)' : ''}: tree of ${count(plan.descendants)} entries under /big; peer: node:fs on ${fileSystem}, same machine, same run`,
    ['workload', 'Cumulus', 'peer (node:fs)', 'ratio', 'runs'],
    [
      row(`list ${count(plan.listFiles)}-entry folder (${r.listPages} pages of ${count(sizes.listPageSize)})`, r.list),
      row(`resolve ${sizes.depth}-deep path (stat)`, r.resolve),
      row(`move folder with ${count(plan.descendants)} descendants`, r.moveBig),
      row('move empty folder', r.moveEmpty),
      row(`copy ${big} file`, r.copyBig),
      row(`copy ${small} file`, r.copySmall),
      [
        `write ${big} file (throughput)`,
        formatThroughput(sizes.bigFile, writeCumulus),
        formatThroughput(sizes.bigFile, writePeer),
        formatRatio(writeCumulus / writePeer),
        runs(r.writeBig),
      ],
    ],
    [
      'Figures are medians; ratio = Cumulus time / peer time (above 1: Cumulus is slower).',
      `list: median first page ${formatDuration(m(r.listFirstPage))}, last page ${formatDuration(m(r.listLastPage))}` +
        ` (a flat cost per page means keyset paging seeks; a growing one means it rescans).`,
      `write: ${formatDuration(writeCumulus)} vs ${formatDuration(writePeer)}; both fsync before publishing; the vfs also hashes` +
        ` (in memory on this CPU: ${Object.entries(r.hashMs)
          .map(([algorithm, ms]) => `${algorithm.toUpperCase().replace('SHA', 'SHA-')} ${formatThroughput(sizes.bigFile, ms)}`)
          .join(', ')}).` +
        ` Peak RSS grew by ${Math.max(0, Math.round(r.maxRssGrowth / MiB))} MiB over the writes.`,
      'peer: readdirSync(withFileTypes) + statSync each; statSync; renameSync; copyFileSync(COPYFILE_FICLONE); createWriteStream(flush).',
      `seeding the tree took ${formatDuration(r.seedMs)} (bulk insert in one transaction; not a measured figure).`,
    ],
  );

  const moveRatio = (pair: 'cumulus' | 'peer') => m(r.moveBig[pair]) / m(r.moveEmpty[pair]);
  const copyRatio = (pair: 'cumulus' | 'peer') => m(r.copyBig[pair]) / m(r.copySmall[pair]);
  printTable(
    `core on ${target.label}: cost vs size (close to 1 = independent of what is moved or copied)`,
    ['ratio', 'Cumulus', 'peer (node:fs)'],
    [
      [
        `move ${count(plan.descendants)}-descendant folder / empty folder`,
        formatRatio(moveRatio('cumulus')),
        formatRatio(moveRatio('peer')),
      ],
      [`copy ${big} file / ${small} file`, formatRatio(copyRatio('cumulus')), formatRatio(copyRatio('peer'))],
    ],
  );
}
