/**
 * The WebDAV server against two peers, all measured in the same run over HTTP/1.1 on loopback
 * by the same client code (bench/webdav/client.ts):
 *
 *  - Cumulus as `npm start` runs it (bench/webdav/servers/cumulus.ts), twice: `--workers auto`
 *    and `--workers 1`;
 *  - rclone: `rclone serve webdav` of a temporary directory (servers/rclone.ts);
 *  - Apache httpd with mod_dav + mod_dav_fs, its own minimal configuration (servers/apache.ts;
 *    Debian: `apt-get install -y apache2`).
 *
 * Every server uses Basic auth on every request and logs as it does by default (Cumulus: info,
 * per request; Apache: access log; rclone: NOTICE) to a file. Each gets the same warm-up, then
 * the workloads below (full size; --quick scales down), in rounds that rotate which server goes
 * first. Each server is its process and all its descendants: their CPU time (/proc/PID/stat) and
 * peak memory (VmRSS summed, and the largest process) are measured per workload.
 *
 * Environment: CUMULUS_BENCH_WEBDAV_ROUNDS=N runs every repeated workload N times (default 2, PROPFIND
 * of 10,000 entries 5); CUMULUS_BENCH_RCLONE, CUMULUS_BENCH_APACHE, CUMULUS_BENCH_APACHE_MODULES (binaries);
 * CUMULUS_BENCH_SERVER_NODE_ARGS (extra node flags for Cumulus, e.g.
 * '--cpu-prof --cpu-prof-dir=/tmp/prof': one profile per process, written when it stops; read
 * one with `npx tsx bench/profile-summary.ts FILE`). Such a run's figures are not comparable.
 */
import os from 'node:os';
import { GiB, KiB, MiB, count, formatBytes, median, progress, type BenchOptions, type Benchmark, type DatabaseTarget } from './lib.js';
import { call, expectStatus, type DavServer } from './webdav/client.js';
import { mixedLoad, type MixedResult } from './webdav/mixed.js';
import { processTree, treeCpuMs, treeMemory, withMemorySampling, type TreeMemory } from './webdav/procs.js';
import { mib, printCosts, printTimes, type Costs, type TimeRow } from './webdav/report.js';
import { apacheVersion, startApache } from './webdav/servers/apache.js';
import { ensureBuilt, startCumulus } from './webdav/servers/cumulus.js';
import { rcloneVersion, startRclone } from './webdav/servers/rclone.js';
import * as w from './webdav/workloads.js';

const FULL = {
  warmupFiles: 300,
  clients: 16,
  smallFiles: 1000,
  smallFileSize: 4 * KiB,
  putRounds: 2,
  tinyFiles: 10_000,
  tinyFileSize: 16,
  listRuns: 5,
  hotEntries: 100,
  hotClients: 32,
  hotRequests: 2000,
  hotRounds: 2,
  smallGets: 4000,
  getRounds: 2,
  bigFile: GiB,
  bigRuns: 2,
  ranges: 200,
  rangeSize: MiB,
  rangeClients: 8,
  rangeRounds: 2,
  tree: { folders: 10, filesPerFolder: 100, fileSize: 4 * KiB, clients: 16 },
  treeRounds: 2,
  mixedOperations: 150,
  mixedRounds: 2,
};
type Sizes = typeof FULL;

const QUICK: Sizes = {
  ...FULL,
  warmupFiles: 100,
  smallFiles: 200,
  putRounds: 1,
  tinyFiles: 1000,
  listRuns: 3,
  hotRequests: 300,
  hotRounds: 1,
  smallGets: 500,
  getRounds: 1,
  bigFile: 64 * MiB,
  bigRuns: 1,
  ranges: 40,
  rangeRounds: 1,
  tree: { ...FULL.tree, filesPerFolder: 20 },
  treeRounds: 1,
  mixedOperations: 30,
  mixedRounds: 1,
};

/** Every repeated workload `rounds` times (CUMULUS_BENCH_WEBDAV_ROUNDS), for a shorter full-size run. */
function withRounds(sizes: Sizes, rounds: number | undefined): Sizes {
  if (rounds === undefined) return sizes;
  const keys = ['putRounds', 'listRuns', 'hotRounds', 'getRounds', 'bigRuns', 'rangeRounds', 'treeRounds', 'mixedRounds'] as const;
  return { ...sizes, ...Object.fromEntries(keys.map((key) => [key, rounds])) };
}

/** The memory target for one Cumulus process while it streams a large body. */
const RSS_TARGET = 150 * MiB;

/** Runs workloads on every server in rounds, rotating who goes first; keeps CPU and peak memory per key. */
class Rounds {
  readonly costs: Costs = { cpu: new Map(), peaks: new Map() };
  private turn = 0;
  constructor(
    readonly servers: readonly DavServer[],
    private readonly target: DatabaseTarget,
  ) {}

  /** Per server (in column order), the results of `n` rounds of `work`. */
  async run<T>(n: number, key: string, what: string, work: (server: DavServer, round: number) => Promise<T>): Promise<T[][]> {
    progress(`${this.target.label}: ${what}${n > 1 ? `, ${n} rounds` : ''}`);
    const out: T[][] = this.servers.map(() => []);
    const cpu: number[][] = this.servers.map(() => []);
    const peaks: TreeMemory[] = this.servers.map(() => ({ total: 0, max: 0, processes: 0 }));
    for (let round = 0; round < n; round++) {
      const first = this.turn++ % this.servers.length;
      for (let k = 0; k < this.servers.length; k++) {
        const index = (first + k) % this.servers.length;
        const server = this.servers[index]!;
        const before = treeCpuMs(server.pid);
        const { result, peak } = await withMemorySampling(server.pid, () => work(server, round));
        cpu[index]!.push(treeCpuMs(server.pid) - before);
        const p = peaks[index]!;
        peaks[index] = {
          total: Math.max(p.total, peak.total),
          max: Math.max(p.max, peak.max),
          processes: Math.max(p.processes, peak.processes),
        };
        out[index]!.push(result);
      }
    }
    this.costs.cpu.set(key, cpu);
    this.costs.peaks.set(key, peaks);
    return out;
  }
}

async function measure(r: Rounds, s: Sizes): Promise<{ rows: TimeRow[]; mixed: MixedResult[][] }> {
  const rows: TimeRow[] = [];
  const small = `${count(s.smallFiles)} × ${formatBytes(s.smallFileSize)}`;
  await r.run(1, 'warmup', `warm-up (${s.warmupFiles} PUT + GET, PROPFIND, MOVE, COPY, DELETE)`, (server) =>
    w.warmUp(server, s.warmupFiles, s.clients),
  );

  const put1 = await r.run(s.putRounds, 'put-small-1', `PUT ${small}, 1 client`, (server, round) =>
    w.putFiles(server, `put-1-${round}`, s.smallFiles, s.smallFileSize, 1),
  );
  rows.push({ label: `PUT ${small}, 1 client`, samples: put1, show: { per: s.smallFiles, unit: 'files' } });
  const put16 = await r.run(s.putRounds, 'put-small-16', `PUT ${small}, ${s.clients} clients`, (server, round) =>
    w.putFiles(server, `put-16-${round}`, s.smallFiles, s.smallFileSize, s.clients),
  );
  rows.push({ label: `PUT ${small}, ${s.clients} clients`, samples: put16, show: { per: s.smallFiles, unit: 'files' } });
  const tiny = `${count(s.tinyFiles)} × ${formatBytes(s.tinyFileSize)}`;
  const putTiny = await r.run(1, 'put-tiny-16', `PUT ${tiny}, ${s.clients} clients`, (server) =>
    w.putFiles(server, 'list', s.tinyFiles, s.tinyFileSize, s.clients),
  );
  rows.push({ label: `PUT ${tiny}, ${s.clients} clients`, samples: putTiny, show: { per: s.tinyFiles, unit: 'files' } });

  const list = await r.run(s.listRuns, 'propfind-10k', `PROPFIND Depth 1 of ${count(s.tinyFiles)} entries`, (server) =>
    w.propfindMany(server, 'list', s.tinyFiles, 1, 1),
  );
  rows.push({ label: `PROPFIND Depth 1, ${count(s.tinyFiles)} entries, 1 client`, samples: list });

  await r.run(1, 'seed-hot', `seeding a ${s.hotEntries}-entry folder`, (server) =>
    w.putFiles(server, 'hot', s.hotEntries, s.smallFileSize, s.clients),
  );
  const hot = await r.run(
    s.hotRounds,
    'propfind-100-x32',
    `${count(s.hotRequests)} PROPFIND Depth 1 of ${s.hotEntries} entries, ${s.hotClients} clients`,
    (server) => w.propfindMany(server, 'hot', s.hotEntries, s.hotRequests, s.hotClients),
  );
  rows.push({
    label: `${count(s.hotRequests)} × PROPFIND Depth 1 of ${s.hotEntries} entries, ${s.hotClients} clients`,
    samples: hot,
    show: { per: s.hotRequests, unit: 'req' },
  });
  const gets = await r.run(
    s.getRounds,
    'get-small-16',
    `${count(s.smallGets)} GETs of ${formatBytes(s.smallFileSize)} files, ${s.clients} clients`,
    (server) => w.getMany(server, 'put-16-0', s.smallFiles, s.smallFileSize, s.smallGets, s.clients),
  );
  rows.push({
    label: `${count(s.smallGets)} × GET ${formatBytes(s.smallFileSize)} file, ${s.clients} clients`,
    samples: gets,
    show: { per: s.smallGets, unit: 'req' },
  });

  const mixedShape = {
    clients: s.clients,
    operations: s.mixedOperations,
    seedFiles: 10,
    shared: { folder: 'hot', files: s.hotEntries, size: s.smallFileSize },
  };
  const mixedOps = s.clients * s.mixedOperations;
  const mixed = await r.run(s.mixedRounds, 'mixed', `mixed load: ${count(mixedOps)} operations, ${s.clients} clients`, (server, round) =>
    mixedLoad(server, round, mixedShape),
  );
  rows.push({
    label: `mixed load, ${count(mixedOps)} ops (GET/PROPFIND/PUT/MOVE/DELETE), ${s.clients} clients`,
    samples: mixed.map((runs) => runs.map((m) => m.ms)),
    show: { per: mixedOps, unit: 'ops' },
    suffix: mixed.map((runs) => `, ${runs.reduce((sum, m) => sum + m.errors, 0)} err`),
  });

  const big = formatBytes(s.bigFile);
  const putBig = await r.run(s.bigRuns, 'put-1gib', `PUT a ${big} file`, async (server, round) => {
    if (round > 0) expectStatus(server, await call(server, 'DELETE', 'big.bin'), [204], 'DELETE big.bin');
    return w.putBig(server, 'big.bin', s.bigFile);
  });
  rows.push({ label: `PUT ${big} file (throughput)`, samples: putBig, show: { bytes: s.bigFile } });
  const getBig = await r.run(s.bigRuns, 'get-1gib', `GET the ${big} file`, (server) => w.getBig(server, 'big.bin', s.bigFile));
  rows.push({ label: `GET ${big} file (throughput)`, samples: getBig, show: { bytes: s.bigFile } });
  for (const clients of [1, s.rangeClients]) {
    const n = clients === 1 ? s.ranges : 2 * s.ranges;
    const offsets = w.rangeOffsets(n, s.bigFile, s.rangeSize, 0x5eed + clients);
    const what = `GET ${n} random ${formatBytes(s.rangeSize)} ranges, ${clients} client${clients > 1 ? 's' : ''}`;
    const ranges = await r.run(s.rangeRounds, `ranges-${clients}`, what, (server) =>
      w.getRanges(server, 'big.bin', offsets, s.rangeSize, s.bigFile, clients),
    );
    rows.push({ label: what, samples: ranges, show: { per: n, unit: 'req' } });
  }
  await r.run(1, 'delete-1gib', `DELETE the ${big} file`, async (server) =>
    expectStatus(server, await call(server, 'DELETE', 'big.bin'), [204], 'DELETE big.bin'),
  );

  const files = count(s.tree.folders * s.tree.filesPerFolder);
  const tree = await r.run(s.treeRounds, 'tree', `MOVE / COPY / DELETE of a ${files}-file tree (seeded untimed)`, (server, round) =>
    w.treeRound(server, round, s.tree),
  );
  const field = (key: keyof w.TreeResult) => tree.map((runs) => runs.map((t) => t[key]));
  rows.push({ label: `MOVE folder of ${files} files (${s.tree.folders} × ${s.tree.filesPerFolder})`, samples: field('move') });
  rows.push({ label: `COPY folder of ${files} files, Depth infinity`, samples: field('copy') });
  rows.push({ label: `DELETE the copy (${files} files)`, samples: field('deleteCopy') });
  rows.push({ label: `DELETE the original (${files} files)`, samples: field('deleteOriginal') });
  return { rows, mixed };
}

async function runOn(target: DatabaseTarget, s: Sizes, quick: boolean): Promise<void> {
  const extraNodeFlags = (process.env.CUMULUS_BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const servers: DavServer[] = [];
  try {
    for (const workers of ['auto', '1']) servers.push(await startCumulus({ target, workers, extraNodeFlags }));
    servers.push(await startRclone());
    servers.push(await startApache());
    const labels = servers.map((server) => server.label);
    const atStart = servers.map((server) => treeMemory(processTree(server.pid)));
    progress(`${target.label}: ${servers.map((server) => `${server.label} pid ${server.pid} port ${server.port}`).join('; ')}`);
    const loadBefore = os.loadavg()[0]!;
    const rounds = new Rounds(servers, target);
    const { rows, mixed } = await measure(rounds, s);
    const load = `load average ${loadBefore.toFixed(2)} before, ${os.loadavg()[0]!.toFixed(2)} after, on ${os.cpus().length} CPU(s)`;

    printTimes(
      `webdav on ${target.label}${quick ? ' (--quick)' : ''}: Cumulus vs rclone vs Apache mod_dav, loopback HTTP/1.1, same client, same run`,
      labels,
      2,
      rows,
      [
        'ratio = Cumulus time / peer time (throughput rows too): below 1 Cumulus is faster. Figures are medians where runs > 1.',
        `Servers rotate which goes first from round to round; ${load}; the machine is shared, so figures are noisy.`,
        'Durability differs: Cumulus fsyncs blobs over storage.inlineMaxBytes (64 KiB) and commits metadata in the database;' +
          ' rclone and Apache mod_dav_fs write files without fsync.',
        ...servers.map((server) => `${server.label}: ${server.startedAs}`),
      ],
    );
    printCosts(target.label, labels, rounds.costs);

    const lines = servers.map(
      (server, i) => `  ${server.label}: ${mib(atStart[i]!.total)} / ${mib(atStart[i]!.max)} (${atStart[i]!.processes} processes)`,
    );
    const putPeaks = rounds.costs.peaks.get('put-1gib')!;
    for (const i of [0, 1]) {
      const peak = putPeaks[i]!.max;
      lines.push(
        `  ${labels[i]}: largest process during the ${formatBytes(s.bigFile)} PUT ${mib(peak)}, ${peak <= RSS_TARGET ? 'within' : 'OVER'} the ${mib(RSS_TARGET)} target per process`,
      );
    }
    mixed.forEach((runs, i) => {
      const messages = runs.flatMap((m) => m.messages);
      const errors = runs.reduce((sum, m) => sum + m.errors, 0);
      lines.push(
        `  mixed load, ${labels[i]}: ${errors} error(s) in ${runs.length} run(s)${messages.length ? `: ${messages.slice(0, 3).join('; ')}` : ''}`,
      );
    });
    const ratios = rows.map((row) => row.samples.map((samples) => median(samples)));
    const behind = rows.filter((_, k) => ratios[k]![0]! > Math.min(ratios[k]![2]!, ratios[k]![3]!)).map((row) => row.label);
    lines.push(`  rows where Cumulus (--workers auto) is slower than the faster peer: ${behind.length ? behind.join('; ') : 'none'}`);
    process.stdout.write(`\nwebdav on ${target.label}: memory when ready (total / largest), targets, errors\n${lines.join('\n')}\n`);
  } finally {
    for (const server of servers.reverse())
      await server.stop().catch((error: unknown) => progress(`stopping ${server.label}: ${(error as Error).message}`));
  }
}

const benchmark: Benchmark = {
  name: 'webdav',
  description: 'WebDAV: Cumulus (--workers auto and 1) vs rclone serve webdav vs Apache mod_dav; time, CPU, RSS; mixed load',
  async run(options: BenchOptions): Promise<void> {
    // Fail early, before anything is started, when a peer is missing.
    rcloneVersion();
    apacheVersion();
    ensureBuilt();
    const sizes = withRounds(options.quick ? QUICK : FULL, Number(process.env.CUMULUS_BENCH_WEBDAV_ROUNDS) || undefined);
    for (const target of options.databases) await runOn(target, sizes, options.quick);
  },
};

export default benchmark;
