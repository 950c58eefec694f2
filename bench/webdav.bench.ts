/**
 * The WebDAV server against `rclone serve webdav`, both measured in the same run, over HTTP on
 * loopback, by the same client code (node:http with a keep-alive agent per server).
 *
 * Cumulus runs in a child process (bench/webdav-server.ts: a real App on a fresh database,
 * logging silent) so that its CPU and memory are its own; rclone serves a temporary directory
 * with Basic auth (`--user/--pass`), so both sides pay for authentication on every request.
 *
 * Workloads (full size; --quick scales down):
 *  1. PUT 1,000 × 4 KiB files, one client (sequential) and 16 clients, each into a fresh folder.
 *  2. PROPFIND Depth 1 of a 10,000-entry folder (seeded by PUT through WebDAV on both sides,
 *     16 clients; the seeding is reported as a row of its own): five named properties, and allprop.
 *  3. PUT and GET of a 1 GiB file (streamed from a generator and counted, never held).
 *  4. 200 GETs of 1 MiB ranges at seeded random offsets of that file.
 *  5. MOVE, COPY (Depth infinity) and DELETE of a 1,000-file tree (10 folders × 100 files).
 *  6. Peak RSS of each server process during the 1 GiB PUT (and GET), from /proc/PID/status.
 *
 * Every response is checked (status codes, byte counts, multistatus sizes, range contents), so
 * a broken server cannot look fast.
 *
 * Environment: CUMULUS_BENCH_RCLONE (the rclone binary, default /usr/bin/rclone);
 * CUMULUS_BENCH_LOADER=tsx (run the server under tsx instead of transpiled plain JS);
 * CUMULUS_BENCH_SERVER_NODE_ARGS (extra node flags for the server, e.g. V8 heap sizes).
 * Set CUMULUS_BENCH_PROFILE=DIR to write a V8 CPU profile of the Cumulus server per workload
 * into DIR (the profiler slows the server: figures of such a run are not comparable); read one
 * with `npx tsx bench/profile-summary.ts DIR/NAME.cpuprofile`.
 */
import { fork, spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
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
  onCleanup,
  printTable,
  progress,
  repeatedStream,
  tempDir,
  type BenchOptions,
  type Benchmark,
  type DatabaseTarget,
  type TempDir,
} from './lib.js';

// ---------------------------------------------------------------------------------------
// Sizes.

interface Sizes {
  /** PUTs (and GETs) of small files before anything is timed. */
  readonly warmupFiles: number;
  readonly smallFiles: number;
  readonly smallFileSize: number;
  readonly putRounds: number;
  readonly clients: number;
  readonly listEntries: number;
  readonly listEntrySize: number;
  readonly listRuns: number;
  readonly bigFile: number;
  readonly bigRuns: number;
  readonly ranges: number;
  readonly rangeSize: number;
  readonly rangeRounds: number;
  readonly treeFolders: number;
  readonly treeFilesPerFolder: number;
  readonly treeRounds: number;
}

const FULL: Sizes = {
  // V8 keeps optimising a request path over the first few thousand requests; a server that
  // has run for a while is past that, and the rows should show it so.
  warmupFiles: 3000,
  smallFiles: 1000,
  smallFileSize: 4 * KiB,
  putRounds: 3,
  clients: 16,
  listEntries: 10_000,
  listEntrySize: 16,
  listRuns: 7,
  bigFile: GiB,
  bigRuns: 3,
  ranges: 200,
  rangeSize: MiB,
  rangeRounds: 3,
  treeFolders: 10,
  treeFilesPerFolder: 100,
  treeRounds: 3,
};

const QUICK: Sizes = {
  warmupFiles: 200,
  smallFiles: 200,
  smallFileSize: 4 * KiB,
  putRounds: 3,
  clients: 16,
  listEntries: 1000,
  listEntrySize: 16,
  listRuns: 5,
  bigFile: 64 * MiB,
  bigRuns: 5,
  ranges: 200,
  rangeSize: MiB,
  rangeRounds: 3,
  treeFolders: 10,
  treeFilesPerFolder: 20,
  treeRounds: 2,
};

/** The memory target for the Cumulus server while it streams a large body. */
const RSS_TARGET = 150 * MiB;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SERVER_SCRIPT = path.join(ROOT, 'bench', 'webdav-server.ts');
const RCLONE = process.env.CUMULUS_BENCH_RCLONE ?? '/usr/bin/rclone';
/** Extra node flags for the Cumulus server only, e.g. '--max-semi-space-size=2' (space-separated). */
const SERVER_NODE_ARGS = [...shippedNodeFlags(), ...(process.env.CUMULUS_BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean)];

/**
 * The node flags the server ships with (package.json's `start` script, which the `cumulus`
 * bin's shebang repeats): a young generation of 2 MiB semi-spaces keeps streaming garbage
 * from piling up between scavenges, and --expose-gc lets uploads ask for a minor GC every few
 * MiB (src/vfs/meter.ts), for about 20-30 MiB less RSS each. With both, V8's parallel GC helper
 * threads tripled the CPU time of a large GET (measured: 1.2 s against 0.4 s per 512 MiB);
 * --single-threaded-gc brings it back. The bench runs the server as shipped.
 */
function shippedNodeFlags(): string[] {
  const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const flags = /\bnode ((?:--\S+ )*)dist\/cli\/main\.js serve/.exec(scripts.start ?? '')?.[1] ?? '';
  return flags.split(' ').filter(Boolean);
}
/** 'js' (default): the server runs as plain JavaScript, transpiled for the run; 'tsx': under the tsx loader. */
const LOADER = process.env.CUMULUS_BENCH_LOADER === 'tsx' ? 'tsx' : 'js';

/**
 * Transpiles src/, bench/lib.ts and bench/webdav-server.ts to JavaScript in a temporary
 * directory (the layout of dist/, node_modules linked), so the server child runs as it would in
 * production: without the tsx loader, whose transforms and source maps cost tens of MiB of RSS.
 */
function transpileServer(into?: string): { dir: TempDir; entry: string } {
  let dir: TempDir;
  if (into) {
    // Kept after the run, so CPU profiles can be mapped back to src/ (bench/profile-summary.ts).
    fs.rmSync(into, { recursive: true, force: true });
    fs.mkdirSync(into, { recursive: true });
    dir = { path: into, remove: () => undefined };
  } else {
    dir = tempDir('cumulus-bench-webdav-js-');
  }
  const sources: string[] = [path.join(ROOT, 'bench', 'lib.ts'), SERVER_SCRIPT];
  const walk = (folder: string) => {
    for (const dirent of fs.readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, dirent.name);
      if (dirent.isDirectory()) walk(full);
      else if (dirent.name.endsWith('.ts') && !dirent.name.endsWith('.d.ts')) sources.push(full);
    }
  };
  walk(path.join(ROOT, 'src'));
  for (const source of sources) {
    const { outputText, sourceMapText } = ts.transpileModule(fs.readFileSync(source, 'utf8'), {
      fileName: source,
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, sourceMap: true },
    });
    const target = path.join(dir.path, path.relative(ROOT, source)).replace(/\.ts$/, '.js');
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, outputText);
    if (sourceMapText) {
      const map = JSON.parse(sourceMapText) as { sources: string[] };
      map.sources = [source];
      fs.writeFileSync(`${target}.map`, JSON.stringify(map));
    }
  }
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(dir.path, 'package.json'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir.path, 'node_modules'), 'dir');
  return { dir, entry: path.join(dir.path, 'bench', 'webdav-server.js') };
}

// ---------------------------------------------------------------------------------------
// The two servers.

type Side = 'cumulus' | 'rclone';

interface Server {
  readonly side: Side;
  readonly label: string;
  readonly host: string;
  readonly port: number;
  /** Path prefix of the WebDAV root: '/dav/' or '/'. */
  readonly prefix: string;
  readonly authorization: string;
  /** The server process, for /proc/PID/status. */
  readonly pid: number;
  readonly agent: http.Agent;
  /** Cumulus only, when CUMULUS_BENCH_PROFILE is set. */
  readonly profiler?: { start(): Promise<void>; stop(file: string): Promise<void> };
  /** How the server runs, for the report. */
  readonly runtime: string;
  /** Cumulus only: the server's process.memoryUsage(), after a full GC when `gc`. */
  memoryUsage?(gc?: boolean): Promise<NodeJS.MemoryUsage>;
  stop(): Promise<void>;
}

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

function newAgent(clients: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: clients, maxFreeSockets: clients });
}

async function waitForExit(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function startCumulus(target: DatabaseTarget, clients: number, profileDir: string | undefined): Promise<Server> {
  const compiled = LOADER === 'js' ? transpileServer(profileDir && path.join(profileDir, `server-js-${target.kind}`)) : undefined;
  // Explicit execArgv: the bench itself runs under the tsx CLI, whose flags fork() would copy.
  const child = fork(compiled?.entry ?? SERVER_SCRIPT, [JSON.stringify(target)], {
    cwd: ROOT,
    // --expose-gc only makes gc() callable: the bench asks for one full collection before the
    // large PUTs, so their memory figures do not carry garbage of the workloads before them.
    execArgv: [...(compiled ? ['--expose-gc'] : ['--expose-gc', '--import', 'tsx']), ...SERVER_NODE_ARGS],
    stdio: ['pipe', 'pipe', 'inherit', 'ipc'],
  });
  const unregister = onCleanup(() => child.kill('SIGTERM'));
  let info: { origin: string; email: string; password: string; dataDir: string; pid: number };
  try {
    info = await new Promise((resolve, reject) => {
      let buffered = '';
      const timer = setTimeout(() => reject(new Error('The Cumulus server did not start within 60 s')), 60_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        const newline = buffered.indexOf('\n');
        if (newline < 0) return;
        clearTimeout(timer);
        try {
          resolve(JSON.parse(buffered.slice(0, newline)));
        } catch (error) {
          reject(new Error(`The Cumulus server printed ${JSON.stringify(buffered.slice(0, 200))}`, { cause: error }));
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`The Cumulus server exited (${signal ?? code}) before it was ready`));
      });
    });
  } catch (error) {
    child.kill('SIGTERM');
    await waitForExit(child, 10_000);
    compiled?.dir.remove();
    unregister();
    throw error;
  }
  const url = new URL(info.origin);
  const agent = newAgent(clients);

  /** Sends a command over IPC and waits for the answer of type `answer`. */
  const ask = <T>(command: object, answer: string) =>
    new Promise<T>((resolve, reject) => {
      const listener = (message: { type: string; message?: string }) => {
        if (message.type === answer) {
          child.off('message', listener);
          resolve(message as T);
        } else if (message.type === 'error') {
          child.off('message', listener);
          reject(new Error(`Cumulus server: ${message.message}`));
        }
      };
      child.on('message', listener);
      child.send(command);
    });
  const profiler = profileDir
    ? {
        async start() {
          await ask({ type: 'profile-start' }, 'profile-started');
        },
        async stop(file: string) {
          await ask({ type: 'profile-stop', file }, 'profile-stopped');
        },
      }
    : undefined;

  return {
    side: 'cumulus',
    label: 'Cumulus',
    host: url.hostname,
    port: Number(url.port),
    prefix: '/dav/',
    authorization: basic(info.email, info.password),
    pid: info.pid,
    agent,
    profiler,
    runtime: `node, ${compiled ? 'plain JS' : 'tsx loader'}${SERVER_NODE_ARGS.length > 0 ? `, ${SERVER_NODE_ARGS.join(' ')}` : ''}`,
    async memoryUsage(gc = false) {
      return (await ask<{ usage: NodeJS.MemoryUsage }>({ type: 'memory', gc }, 'memory')).usage;
    },
    async stop() {
      agent.destroy();
      child.kill('SIGTERM');
      await waitForExit(child, 30_000);
      // The child removes its data directory; make sure, should it have been killed.
      fs.rmSync(info.dataDir, { recursive: true, force: true });
      compiled?.dir.remove();
      unregister();
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function rcloneVersion(): string {
  try {
    return execFileSync(RCLONE, ['version'], { encoding: 'utf8' }).split('\n')[0]!.trim();
  } catch {
    throw new Error(`rclone is needed as the peer and was not found at ${RCLONE} (set CUMULUS_BENCH_RCLONE)`);
  }
}

async function startRclone(clients: number): Promise<Server & { readonly root: string }> {
  const dir = tempDir('cumulus-bench-rclone-');
  const root = path.join(dir.path, 'root');
  fs.mkdirSync(root);
  const config = path.join(dir.path, 'rclone.conf');
  fs.writeFileSync(config, '');
  const port = await freePort();
  const user = 'bench';
  const password = randomBytes(12).toString('base64url');
  // Defaults otherwise: --vfs-cache-mode off (bodies stream straight to the file), and no
  // per-request logging at --log-level ERROR.
  const child = spawn(
    RCLONE,
    [
      'serve',
      'webdav',
      root,
      '--addr',
      `127.0.0.1:${port}`,
      '--user',
      user,
      '--pass',
      password,
      '--config',
      config,
      '--log-level',
      'ERROR',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const unregister = onCleanup(() => child.kill('SIGTERM'));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    if (stderr.length > 10_000) stderr = stderr.slice(-10_000);
  });
  const agent = newAgent(clients);
  const server: Server & { root: string } = {
    side: 'rclone',
    label: 'rclone',
    host: '127.0.0.1',
    port,
    prefix: '/',
    authorization: basic(user, password),
    pid: child.pid!,
    agent,
    runtime: 'Go',
    root,
    async stop() {
      agent.destroy();
      child.kill('SIGTERM');
      await waitForExit(child, 10_000);
      dir.remove();
      unregister();
    },
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) {
      dir.remove();
      unregister();
      throw new Error(`rclone serve webdav exited (${child.exitCode}): ${stderr.trim()}`);
    }
    try {
      const answer = await call(server, 'PROPFIND', '', { headers: { Depth: '0' } });
      if (answer.status === 207) return server;
      throw new Error(`rclone answered PROPFIND with ${answer.status}`);
    } catch (error) {
      if (Date.now() > deadline) {
        await server.stop();
        throw new Error(`rclone serve webdav did not become ready: ${(error as Error).message}; ${stderr.trim()}`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

// ---------------------------------------------------------------------------------------
// The client: the same for both servers.

interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  /** Body bytes received. */
  readonly bytes: number;
  /** The whole body when `collect`, else its first 4 KiB (for error messages). */
  readonly text: string;
  /** Milliseconds from sending the request to the first body byte (or the end, when empty). */
  readonly firstByteMs: number;
}

interface CallOptions {
  readonly headers?: Record<string, string>;
  /** A whole body, or a stream (give Content-Length in headers). */
  readonly body?: Buffer | string | Readable;
  /** Keep the whole body as text. */
  readonly collect?: boolean;
  /** Sees every body chunk. */
  readonly onChunk?: (chunk: Buffer, offset: number) => void;
}

function call(server: Server, method: string, relative: string, options: CallOptions = {}): Promise<Reply> {
  return new Promise<Reply>((resolve, reject) => {
    const started = performance.now();
    const headers: Record<string, string> = { Authorization: server.authorization, ...options.headers };
    const body = options.body;
    if ((typeof body === 'string' || Buffer.isBuffer(body)) && headers['Content-Length'] === undefined) {
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    const request = http.request(
      { agent: server.agent, host: server.host, port: server.port, method, path: server.prefix + relative, headers },
      (response) => {
        let bytes = 0;
        let firstByteMs = -1;
        const chunks: Buffer[] = [];
        let kept = 0;
        response.on('data', (chunk: Buffer) => {
          if (firstByteMs < 0) firstByteMs = performance.now() - started;
          options.onChunk?.(chunk, bytes);
          bytes += chunk.length;
          if (options.collect || kept < 4 * KiB) {
            chunks.push(chunk);
            kept += chunk.length;
          }
        });
        response.once('error', reject);
        response.once('end', () => {
          if (firstByteMs < 0) firstByteMs = performance.now() - started;
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            bytes,
            text: Buffer.concat(chunks).toString('utf8'),
            firstByteMs,
          });
        });
      },
    );
    request.once('error', reject);
    if (body === undefined) request.end();
    else if (typeof body === 'string' || Buffer.isBuffer(body)) request.end(body);
    else pipeline(body, request).catch(reject);
  });
}

function expectStatus(server: Server, reply: Reply, expected: readonly number[], what: string): void {
  if (!expected.includes(reply.status)) {
    throw new Error(`${server.label}: ${what} answered ${reply.status}, expected ${expected.join(' or ')}: ${reply.text.slice(0, 300)}`);
  }
}

/** Runs work(0..n-1) on `clients` concurrent workers. */
async function inParallel(n: number, clients: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(clients, n) }, worker));
}

const RESPONSE = /<(?:[A-Za-z_][\w.-]*:)?response[\s>]/g;

/** The number of D:response elements of a multistatus. */
function responsesIn(xml: string): number {
  return xml.match(RESPONSE)?.length ?? 0;
}

const NAMED_PROPS =
  '<?xml version="1.0" encoding="utf-8"?>\n<D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/><D:getcontentlength/>' +
  '<D:getlastmodified/><D:getetag/><D:getcontenttype/></D:prop></D:propfind>';
const XML_HEADERS = { 'Content-Type': 'application/xml; charset=utf-8' };

async function propfindCount(server: Server, relative: string, depth: '0' | '1', body?: string): Promise<Reply & { responses: number }> {
  const reply = await call(server, 'PROPFIND', relative, {
    headers: body === undefined ? { Depth: depth } : { Depth: depth, ...XML_HEADERS },
    body,
    collect: true,
  });
  expectStatus(server, reply, [207], `PROPFIND ${relative}`);
  return { ...reply, responses: responsesIn(reply.text) };
}

async function mkcol(server: Server, relative: string): Promise<void> {
  expectStatus(server, await call(server, 'MKCOL', relative), [201], `MKCOL ${relative}`);
}

async function putSmall(server: Server, relative: string, content: Buffer): Promise<void> {
  const reply = await call(server, 'PUT', relative, { body: content, headers: { 'Content-Type': 'application/octet-stream' } });
  expectStatus(server, reply, [201], `PUT ${relative}`);
}

/**
 * What durability costs per small file on this file system, for reading the PUT rows: write
 * 4 KiB, fsync the file, fsync its directory (what Cumulus's local backend does per blob,
 * besides a rename), measured with node:fs in a scratch directory next to rclone's.
 */
function fsyncCostMs(besides: string, files = 100): number {
  const dir = fs.mkdtempSync(path.join(path.dirname(besides), 'fsync-'));
  try {
    const content = smallContent(0, 4 * KiB);
    const samples: number[] = [];
    for (let i = 0; i < files; i++) {
      const started = performance.now();
      const fd = fs.openSync(path.join(dir, `f-${i}`), 'wx');
      fs.writeSync(fd, content);
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      const dirFd = fs.openSync(dir, 'r');
      fs.fsyncSync(dirFd);
      fs.closeSync(dirFd);
      samples.push(performance.now() - started);
    }
    return median(samples);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------
// Memory: /proc/PID/status.

function procStatus(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * KiB : NaN;
  } catch {
    return NaN;
  }
}

/** CPU time (user + system, every thread) a process has used so far, in ms, from /proc/PID/stat. */
function cpuMs(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** Samples a process's RSS every `intervalMs` while `work` runs; VmHWM is reset first where the kernel allows. */
async function withRssSampling<T>(
  pid: number,
  work: () => Promise<T>,
  intervalMs = 20,
): Promise<{ result: T; peakSampled: number; hwm: number }> {
  let hwmReset = false;
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    hwmReset = true;
  } catch {
    // Not allowed here: VmHWM then covers the process's whole life.
  }
  let peak = procStatus(pid, 'VmRSS');
  const timer = setInterval(() => {
    const rss = procStatus(pid, 'VmRSS');
    if (rss > peak) peak = rss;
  }, intervalMs);
  try {
    const result = await work();
    const rss = procStatus(pid, 'VmRSS');
    if (rss > peak) peak = rss;
    return { result, peakSampled: peak, hwm: hwmReset ? procStatus(pid, 'VmHWM') : NaN };
  } finally {
    clearInterval(timer);
  }
}

// ---------------------------------------------------------------------------------------
// Workloads. Each takes one server and returns milliseconds; the caller runs Cumulus, then
// rclone, workload by workload, so both meet the same machine state.

/** Same bytes for both servers: file i of a batch is a 4 KiB window of one random pool. */
const POOL = randomBytes(4 * MiB);
function smallContent(i: number, size: number): Buffer {
  const start = (i * size) % (POOL.length - size);
  return POOL.subarray(start, start + size);
}

async function warmUp(server: Server, clients: number, files: number): Promise<void> {
  // The first request pays for the password KDF on Cumulus (then cached), connections are
  // opened, and both runtimes get their hot paths compiled.
  await mkcol(server, 'warmup/');
  await inParallel(files, clients, (i) => putSmall(server, `warmup/w-${i}.txt`, smallContent(i, 4 * KiB)));
  await inParallel(files, clients, async (i) => {
    const reply = await call(server, 'GET', `warmup/w-${i}.txt`);
    expectStatus(server, reply, [200], 'GET warmup file');
    if (reply.bytes !== 4 * KiB) throw new Error(`${server.label}: GET warmup file gave ${reply.bytes} bytes`);
  });
  for (let i = 0; i < 20; i++) {
    const listing = await propfindCount(server, 'warmup/', '1', NAMED_PROPS);
    if (listing.responses !== files + 1) {
      throw new Error(`${server.label}: warmup PROPFIND gave ${listing.responses} responses, expected ${files + 1}`);
    }
  }
  // MOVE and COPY of a folder too, so that no workload below is the first of its kind (on
  // Cumulus, the first run of a query prepares its statement and compiles its code paths).
  const to = (name: string) => ({ Destination: `http://${server.host}:${server.port}${server.prefix}${name}/`, Overwrite: 'F' });
  expectStatus(server, await call(server, 'MOVE', 'warmup/', { headers: to('warmup-moved') }), [201], 'MOVE warmup/');
  expectStatus(
    server,
    await call(server, 'COPY', 'warmup-moved/', { headers: { ...to('warmup-copy'), Depth: 'infinity' } }),
    [201],
    'COPY warmup',
  );
  for (const name of ['warmup-moved/', 'warmup-copy/']) expectStatus(server, await call(server, 'DELETE', name), [204], `DELETE ${name}`);
}

async function putFiles(server: Server, folder: string, files: number, size: number, clients: number): Promise<number> {
  await mkcol(server, `${folder}/`);
  const started = performance.now();
  await inParallel(files, clients, (i) => putSmall(server, `${folder}/f-${String(i).padStart(5, '0')}.txt`, smallContent(i, size)));
  const took = performance.now() - started;
  const listing = await propfindCount(server, `${folder}/`, '1', NAMED_PROPS);
  if (listing.responses !== files + 1)
    throw new Error(`${server.label}: ${folder} holds ${listing.responses - 1} entries after ${files} PUTs`);
  return took;
}

interface PropfindRun {
  readonly ms: number;
  readonly firstByteMs: number;
  readonly bytes: number;
}

async function propfindFolder(server: Server, folder: string, entries: number, body: string | undefined): Promise<PropfindRun> {
  const started = performance.now();
  const listing = await propfindCount(server, `${folder}/`, '1', body);
  const ms = performance.now() - started;
  if (listing.responses !== entries + 1) {
    throw new Error(`${server.label}: PROPFIND of ${folder} gave ${listing.responses} responses, expected ${entries + 1}`);
  }
  return { ms, firstByteMs: listing.firstByteMs, bytes: listing.bytes };
}

const BIG_CHUNK = randomBytes(MiB);

/** The expected bytes at `offset` of the big file (BIG_CHUNK repeated). */
function expectedAt(offset: number, length: number): Buffer {
  const start = offset % BIG_CHUNK.length;
  return BIG_CHUNK.subarray(start, Math.min(start + length, BIG_CHUNK.length));
}

async function putBig(server: Server, relative: string, size: number): Promise<number> {
  const started = performance.now();
  const reply = await call(server, 'PUT', relative, {
    body: repeatedStream(size, BIG_CHUNK),
    headers: { 'Content-Length': String(size), 'Content-Type': 'application/octet-stream' },
  });
  const took = performance.now() - started;
  expectStatus(server, reply, [201], `PUT ${relative}`);
  const stat = await propfindCount(server, relative, '0', NAMED_PROPS);
  const length = /getcontentlength>(\d+)</.exec(stat.text)?.[1];
  if (Number(length) !== size) throw new Error(`${server.label}: ${relative} has ${length} bytes after PUT, expected ${size}`);
  return took;
}

async function getBig(server: Server, relative: string, size: number): Promise<number> {
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
  if (!head || !head.equals(expectedAt(0, head.length))) throw new Error(`${server.label}: GET ${relative} gave the wrong bytes`);
  return took;
}

/** A small seeded PRNG (mulberry32), so both servers are asked for the same ranges. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function rangeOffsets(n: number, fileSize: number, rangeSize: number): number[] {
  const random = seededRandom(0x5eed);
  return Array.from({ length: n }, () => Math.floor(random() * (fileSize - rangeSize + 1)));
}

async function getRanges(
  server: Server,
  relative: string,
  offsets: readonly number[],
  rangeSize: number,
  fileSize: number,
): Promise<number> {
  const started = performance.now();
  for (const start of offsets) {
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
    if (!head || !head.equals(expectedAt(start, head.length)))
      throw new Error(`${server.label}: range ${start}-${end} gave the wrong bytes`);
  }
  return performance.now() - started;
}

interface TreeResult {
  readonly seed: number;
  readonly move: number;
  readonly copy: number;
  readonly deleteCopy: number;
  readonly deleteOriginal: number;
}

async function treeRound(server: Server, round: number, sizes: Sizes): Promise<TreeResult> {
  const tree = `tree-${round}`;
  const moved = `moved-${round}`;
  const copied = `copied-${round}`;
  const folderName = (f: number) => `s-${String(f).padStart(2, '0')}`;
  const files = sizes.treeFolders * sizes.treeFilesPerFolder;
  const destination = (relative: string) => `http://${server.host}:${server.port}${server.prefix}${relative}`;

  const seedStarted = performance.now();
  await mkcol(server, `${tree}/`);
  for (let f = 0; f < sizes.treeFolders; f++) await mkcol(server, `${tree}/${folderName(f)}/`);
  await inParallel(files, sizes.clients, (i) =>
    putSmall(
      server,
      `${tree}/${folderName(i % sizes.treeFolders)}/f-${String(i).padStart(5, '0')}.txt`,
      smallContent(i, sizes.smallFileSize),
    ),
  );
  const seed = performance.now() - seedStarted;

  const timed = async (what: string, method: string, relative: string, headers: Record<string, string>, expected: number) => {
    const started = performance.now();
    const reply = await call(server, method, relative, { headers });
    const took = performance.now() - started;
    expectStatus(server, reply, [expected], `${what} ${relative}`);
    return took;
  };
  const move = await timed('MOVE', 'MOVE', `${tree}/`, { Destination: destination(`${moved}/`), Overwrite: 'F' }, 201);
  const copy = await timed('COPY', 'COPY', `${moved}/`, { Destination: destination(`${copied}/`), Overwrite: 'F', Depth: 'infinity' }, 201);

  // Check the results: the source is gone, every folder arrived, the copy is whole.
  expectStatus(server, await call(server, 'PROPFIND', `${tree}/`, { headers: { Depth: '0' } }), [404], `PROPFIND moved-away ${tree}/`);
  for (const folder of [moved, copied]) {
    const top = await propfindCount(server, `${folder}/`, '1', NAMED_PROPS);
    if (top.responses !== sizes.treeFolders + 1) throw new Error(`${server.label}: ${folder}/ holds ${top.responses - 1} entries`);
    for (const f of [0, sizes.treeFolders - 1]) {
      const sub = await propfindCount(server, `${folder}/${folderName(f)}/`, '1', NAMED_PROPS);
      if (sub.responses !== sizes.treeFilesPerFolder + 1) {
        throw new Error(
          `${server.label}: ${folder}/${folderName(f)}/ holds ${sub.responses - 1} files, expected ${sizes.treeFilesPerFolder}`,
        );
      }
    }
  }
  const probe = await call(server, 'GET', `${copied}/${folderName(3)}/f-${String(3).padStart(5, '0')}.txt`, { collect: true });
  expectStatus(server, probe, [200], 'GET a copied file');
  if (probe.bytes !== sizes.smallFileSize) throw new Error(`${server.label}: a copied file has ${probe.bytes} bytes`);

  const deleteCopy = await timed('DELETE', 'DELETE', `${copied}/`, {}, 204);
  const deleteOriginal = await timed('DELETE', 'DELETE', `${moved}/`, {}, 204);
  for (const folder of [moved, copied]) {
    expectStatus(server, await call(server, 'PROPFIND', `${folder}/`, { headers: { Depth: '0' } }), [404], `PROPFIND deleted ${folder}/`);
  }
  return { seed, move, copy, deleteCopy, deleteOriginal };
}

// ---------------------------------------------------------------------------------------
// The run.

type Pair = Record<Side, number[]>;

interface Memory {
  readonly runtime: string;
  /** RSS once the server is ready, before any request. */
  readonly started: number;
  /** RSS before the large PUTs, as the earlier workloads left it. */
  readonly before: number;
  /** RSS before the large PUTs after a full GC (Cumulus; rclone: same as before). */
  idle: number;
  putPeak: number;
  putHwm: number;
  getPeak: number;
  /** Cumulus: process.memoryUsage() before and after the big PUTs. */
  usageIdle?: NodeJS.MemoryUsage;
  usageAfterPut?: NodeJS.MemoryUsage;
}

interface Results {
  putSequential: Pair;
  putParallel: Pair;
  seedList: Pair;
  propfindNamed: { samples: Pair; firstByte: Pair; bytes: Pair };
  propfindAll: { samples: Pair; firstByte: Pair; bytes: Pair };
  putBig: Pair;
  getBig: Pair;
  ranges: Pair;
  treeSeed: Pair;
  move: Pair;
  copy: Pair;
  deleteCopy: Pair;
  deleteOriginal: Pair;
  memory: Record<Side, Memory>;
  /** Median ms to write, fsync and dir-fsync one 4 KiB file with node:fs on rclone's file system. */
  fsyncMs: number;
  /** Server CPU time (all threads) per round of each workload, by workload key. */
  cpu: Map<string, Record<Side, number[]>>;
}

async function measure(
  servers: { readonly cumulus: Server; readonly rclone: Server & { readonly root: string } },
  sizes: Sizes,
  target: DatabaseTarget,
  profileDir: string | undefined,
): Promise<Results> {
  const step = (what: string) => progress(`${target.label}: ${what}`);
  /**
   * Runs a workload `n` times on both servers, alternating which goes first, so that a
   * machine that gets busier or quieter (other processes, page cache, CPU clocks) meets both
   * sides alike. The first round on Cumulus is CPU-profiled when asked.
   */
  const rounds = async <T>(n: number, key: string, work: (server: Server, round: number) => Promise<T>): Promise<Record<Side, T[]>> => {
    const out: Record<Side, T[]> = { cumulus: [], rclone: [] };
    const used: Record<Side, number[]> = { cumulus: [], rclone: [] };
    cpu.set(key, used);
    for (let round = 0; round < n; round++) {
      for (const side of round % 2 === 0 ? (['cumulus', 'rclone'] as const) : (['rclone', 'cumulus'] as const)) {
        const server = servers[side];
        const profiler = side === 'cumulus' && round === 0 && profileDir ? server.profiler : undefined;
        await profiler?.start();
        try {
          const before = cpuMs(server.pid);
          out[side].push(await work(server, round));
          used[side].push(cpuMs(server.pid) - before);
        } finally {
          await profiler?.stop(path.join(profileDir ?? '', `${target.kind}-${key}.cpuprofile`));
        }
      }
    }
    return out;
  };
  const field = <T, K extends keyof T>(values: Record<Side, T[]>, key: K): Record<Side, T[K][]> => ({
    cumulus: values.cumulus.map((v) => v[key]),
    rclone: values.rclone.map((v) => v[key]),
  });

  const cpu = new Map<string, Record<Side, number[]>>();
  const started = { cumulus: procStatus(servers.cumulus.pid, 'VmRSS'), rclone: procStatus(servers.rclone.pid, 'VmRSS') };
  step('warming up both servers');
  await rounds(1, 'warmup', (server) => warmUp(server, sizes.clients, sizes.warmupFiles));

  const small = `${count(sizes.smallFiles)} × ${formatBytes(sizes.smallFileSize)}`;
  step(`PUT ${small}, 1 client, ${sizes.putRounds} rounds (a fresh folder each)`);
  const putSequential = await rounds(sizes.putRounds, 'put-1-client', (server, round) =>
    putFiles(server, `put-sequential-${round}`, sizes.smallFiles, sizes.smallFileSize, 1),
  );
  step(`PUT ${small}, ${sizes.clients} clients, ${sizes.putRounds} rounds (a fresh folder each)`);
  const putParallel = await rounds(sizes.putRounds, `put-${sizes.clients}-clients`, (server, round) =>
    putFiles(server, `put-parallel-${round}`, sizes.smallFiles, sizes.smallFileSize, sizes.clients),
  );

  step(`seeding a ${count(sizes.listEntries)}-entry folder by PUT (${sizes.clients} clients)`);
  const seedList = await rounds(1, 'seed-list', (server) =>
    putFiles(server, 'list', sizes.listEntries, sizes.listEntrySize, sizes.clients),
  );
  step(`PROPFIND Depth 1 of the ${count(sizes.listEntries)}-entry folder, ${sizes.listRuns} runs × 2 bodies`);
  await rounds(1, 'propfind-warmup', (server) => propfindFolder(server, 'list', sizes.listEntries, NAMED_PROPS));
  const propfindNamed = await rounds(sizes.listRuns, 'propfind-named', (server) =>
    propfindFolder(server, 'list', sizes.listEntries, NAMED_PROPS),
  );
  const propfindAll = await rounds(sizes.listRuns, 'propfind-allprop', (server) =>
    propfindFolder(server, 'list', sizes.listEntries, undefined),
  );

  step(`PUT a ${formatBytes(sizes.bigFile)} file ${sizes.bigRuns} times, sampling the servers' RSS`);
  const memory = {} as Record<Side, Memory>;
  for (const side of ['cumulus', 'rclone'] as const) {
    const server = servers[side];
    const before = procStatus(server.pid, 'VmRSS');
    const usageIdle = await server.memoryUsage?.(true);
    memory[side] = {
      runtime: server.runtime,
      started: started[side],
      before,
      idle: procStatus(server.pid, 'VmRSS'),
      usageIdle,
      putPeak: 0,
      putHwm: 0,
      getPeak: 0,
    };
  }
  const putBigResult = await rounds(sizes.bigRuns, 'put-big', async (server, round) => {
    // Each run creates the file: the previous one is deleted, untimed.
    if (round > 0) expectStatus(server, await call(server, 'DELETE', 'big.bin'), [204], 'DELETE big.bin');
    const { result, peakSampled, hwm } = await withRssSampling(server.pid, () => putBig(server, 'big.bin', sizes.bigFile));
    const record = memory[server.side];
    record.putPeak = Math.max(record.putPeak, peakSampled);
    record.putHwm = Math.max(record.putHwm, Number.isNaN(hwm) ? 0 : hwm);
    return result;
  });
  memory.cumulus.usageAfterPut = await servers.cumulus.memoryUsage?.();

  step(`GET the ${formatBytes(sizes.bigFile)} file ${sizes.bigRuns} times`);
  const getBigResult = await rounds(sizes.bigRuns, 'get-big', async (server) => {
    const { result, peakSampled } = await withRssSampling(server.pid, () => getBig(server, 'big.bin', sizes.bigFile));
    memory[server.side].getPeak = Math.max(memory[server.side].getPeak, peakSampled);
    return result;
  });

  step(`GET ${sizes.ranges} random ${formatBytes(sizes.rangeSize)} ranges, ${sizes.rangeRounds} rounds`);
  const offsets = rangeOffsets(sizes.ranges, sizes.bigFile, sizes.rangeSize);
  const ranges = await rounds(sizes.rangeRounds, 'ranges', (server) =>
    getRanges(server, 'big.bin', offsets, sizes.rangeSize, sizes.bigFile),
  );
  await rounds(1, 'delete-big', async (server) => expectStatus(server, await call(server, 'DELETE', 'big.bin'), [204], 'DELETE big.bin'));

  const files = sizes.treeFolders * sizes.treeFilesPerFolder;
  step(`MOVE / COPY / DELETE of a ${count(files)}-file tree, ${sizes.treeRounds} rounds`);
  const tree = await rounds(sizes.treeRounds, 'tree', (server, round) => treeRound(server, round, sizes));

  return {
    putSequential,
    putParallel,
    seedList,
    propfindNamed: {
      samples: field(propfindNamed, 'ms'),
      firstByte: field(propfindNamed, 'firstByteMs'),
      bytes: field(propfindNamed, 'bytes'),
    },
    propfindAll: { samples: field(propfindAll, 'ms'), firstByte: field(propfindAll, 'firstByteMs'), bytes: field(propfindAll, 'bytes') },
    putBig: putBigResult,
    getBig: getBigResult,
    ranges,
    treeSeed: field(tree, 'seed'),
    move: field(tree, 'move'),
    copy: field(tree, 'copy'),
    deleteCopy: field(tree, 'deleteCopy'),
    deleteOriginal: field(tree, 'deleteOriginal'),
    memory,
    fsyncMs: fsyncCostMs(servers.rclone.root),
    cpu,
  };
}

// ---------------------------------------------------------------------------------------
// Report.

const kib = (bytes: number) => `${count(Math.round(bytes / KiB))} KiB`;
const mib = (bytes: number) => (Number.isFinite(bytes) && bytes > 0 ? `${Math.round(bytes / MiB)} MiB` : 'n/a');

function report(
  target: DatabaseTarget,
  sizes: Sizes,
  r: Results,
  versions: { rclone: string },
  fileSystem: string,
  profiled: boolean,
  load: string,
): void {
  const m = median;
  interface Row {
    readonly label: string;
    readonly cumulus: number;
    readonly rclone: number;
    readonly cells: [string, string];
    readonly runs: number;
  }
  const rows: Row[] = [];
  const timeRow = (label: string, p: Pair, per?: { n: number; unit: string }) => {
    const cell = (ms: number) =>
      per ? `${formatDuration(ms)} (${count(Math.round((per.n * 1000) / ms))} ${per.unit}/s)` : formatDuration(ms);
    rows.push({
      label,
      cumulus: m(p.cumulus),
      rclone: m(p.rclone),
      cells: [cell(m(p.cumulus)), cell(m(p.rclone))],
      runs: p.cumulus.length,
    });
  };
  const throughputRow = (label: string, p: Pair, bytes: number) => {
    rows.push({
      label,
      cumulus: m(p.cumulus),
      rclone: m(p.rclone),
      cells: [formatThroughput(bytes, m(p.cumulus)), formatThroughput(bytes, m(p.rclone))],
      runs: p.cumulus.length,
    });
  };
  const files = sizes.treeFolders * sizes.treeFilesPerFolder;
  const small = formatBytes(sizes.smallFileSize);
  const big = formatBytes(sizes.bigFile);

  timeRow(`PUT ${count(sizes.smallFiles)} × ${small}, 1 client`, r.putSequential, { n: sizes.smallFiles, unit: 'files' });
  timeRow(`PUT ${count(sizes.smallFiles)} × ${small}, ${sizes.clients} clients`, r.putParallel, { n: sizes.smallFiles, unit: 'files' });
  timeRow(`PUT ${count(sizes.listEntries)} × ${formatBytes(sizes.listEntrySize)}, ${sizes.clients} clients (list seed)`, r.seedList, {
    n: sizes.listEntries,
    unit: 'files',
  });
  timeRow(`PROPFIND Depth 1, ${count(sizes.listEntries)} entries, 5 props`, r.propfindNamed.samples);
  timeRow(`PROPFIND Depth 1, ${count(sizes.listEntries)} entries, allprop`, r.propfindAll.samples);
  throughputRow(`PUT ${big} file (throughput)`, r.putBig, sizes.bigFile);
  throughputRow(`GET ${big} file (throughput)`, r.getBig, sizes.bigFile);
  timeRow(`GET ${sizes.ranges} × ${formatBytes(sizes.rangeSize)} random ranges, 1 client`, r.ranges, { n: sizes.ranges, unit: 'req' });
  timeRow(`MOVE folder of ${count(files)} files (${sizes.treeFolders} × ${sizes.treeFilesPerFolder})`, r.move);
  timeRow(`COPY folder of ${count(files)} files, Depth infinity`, r.copy);
  timeRow(`DELETE the copy (${count(files)} files)`, r.deleteCopy);
  timeRow(`DELETE the original (${count(files)} files)`, r.deleteOriginal);

  printTable(
    `webdav on ${target.label}${sizes === QUICK ? ' (--quick)' : ''}: Cumulus vs ${versions.rclone} (serve webdav), loopback HTTP/1.1, same client, same run`,
    ['workload', 'Cumulus', 'rclone', 'ratio', 'runs'],
    rows.map((row) => [row.label, ...row.cells, formatRatio(row.cumulus / row.rclone), String(row.runs)]),
    [
      'ratio = Cumulus time / rclone time, also for throughput rows (= rclone MiB/s / Cumulus MiB/s): below 1 Cumulus is ahead, above 1 behind.',
      'Figures are medians where runs > 1. Cumulus runs in its own node process (SQLite/PostgreSQL per the title, logging silent);' +
        ` rclone serves a directory on ${fileSystem} (--vfs-cache-mode off, --log-level ERROR); both with Basic auth on every request.`,
      `PROPFIND: response ${kib(m(r.propfindNamed.bytes.cumulus))} vs ${kib(m(r.propfindNamed.bytes.rclone))} (5 props),` +
        ` ${kib(m(r.propfindAll.bytes.cumulus))} vs ${kib(m(r.propfindAll.bytes.rclone))} (allprop);` +
        ` median time to first byte ${formatDuration(m(r.propfindNamed.firstByte.cumulus))} vs ${formatDuration(m(r.propfindNamed.firstByte.rclone))} (5 props).`,
      `The list folder was seeded by PUT through WebDAV on both sides (${sizes.clients} clients); the tree rounds seed by MKCOL + PUT` +
        ` (median ${formatDuration(m(r.treeSeed.cumulus))} vs ${formatDuration(m(r.treeSeed.rclone))}, untimed in the rows).`,
      'Durability: Cumulus keeps files up to storage.inlineMaxBytes (64 KiB) in their database row, committed with the entry in one' +
        ' SQLite transaction (WAL, synchronous=NORMAL: no fsync per commit), and fsyncs larger blobs and their directory before' +
        ' answering; rclone (local backend) writes in place without fsync.' +
        ` Writing + fsyncing a 4 KiB file and its directory with node:fs here takes ${formatDuration(r.fsyncMs)}` +
        ` (Cumulus 1-client PUT: ${formatDuration(m(r.putSequential.cumulus) / sizes.smallFiles)} a file, rclone ${formatDuration(m(r.putSequential.rclone) / sizes.smallFiles)}).`,
      'COPY: Cumulus copies rows and shares blobs; rclone copies every file. DELETE of the copy on Cumulus only drops references;' +
        ' of the original it also removes the blob files.',
      `Sides alternate which goes first from round to round; ${load} (other processes on the machine add noise).`,
      ...(profiled
        ? ['CPU profiling of the Cumulus server was on (CUMULUS_BENCH_PROFILE): its figures are slowed and not comparable.']
        : []),
    ],
  );

  printTable(
    `webdav on ${target.label}: server CPU time per round (user + system, all threads, from /proc/PID/stat)`,
    ['workload (key)', 'Cumulus', 'rclone', 'ratio'],
    [...r.cpu]
      .filter(([key]) => !key.includes('warmup'))
      .map(([key, used]) => [
        key,
        formatDuration(m(used.cumulus)),
        formatDuration(m(used.rclone)),
        formatRatio(m(used.cumulus) / m(used.rclone)),
      ]),
    [
      'CPU time is work done whatever else runs on the machine, so it compares the servers even when wall times are noisy.',
      'Cumulus serves requests on one thread (node); rclone (Go) spreads them over every core, so with 16 clients its wall time can be under its CPU time.',
    ],
  );

  const mem = r.memory;
  printTable(
    `webdav on ${target.label}: server memory (RSS from /proc/PID/status), target for Cumulus ${mib(RSS_TARGET)} while streaming`,
    ['process', 'at start', 'before PUTs', 'idle', `peak during ${big} PUT`, 'VmHWM over PUTs', `peak during ${big} GET`],
    (['cumulus', 'rclone'] as const).map((side) => [
      `${side === 'cumulus' ? 'Cumulus' : 'rclone'} (${mem[side].runtime})`,
      mib(mem[side].started),
      mib(mem[side].before),
      mib(mem[side].idle),
      mib(mem[side].putPeak),
      mib(mem[side].putHwm),
      mib(mem[side].getPeak),
    ]),
    [
      'at start: once ready, before any request; before PUTs: as the earlier workloads left it; idle: then, for Cumulus, after one full GC' +
        ' (gc() via --expose-gc; rclone is left to its own GC).',
      'Peak = largest VmRSS sampled every 20 ms; VmHWM is read after resetting it (clear_refs 5) before each PUT.',
      ...(['usageIdle', 'usageAfterPut'] as const).map((when) => {
        const usage = mem.cumulus[when];
        if (!usage) return '';
        const parts = (['rss', 'heapTotal', 'heapUsed', 'external', 'arrayBuffers'] as const).map((key) => `${key} ${mib(usage[key])}`);
        return `Cumulus process.memoryUsage() ${when === 'usageIdle' ? 'idle, after the GC' : 'after the PUTs'}: ${parts.join(', ')}`;
      }),
    ].filter(Boolean),
  );

  const lines = rows.map((row) => {
    const ratio = row.cumulus / row.rclone;
    const verdict = ratio <= 1 ? `ahead of rclone (${formatRatio(ratio)} its time)` : `behind rclone (${formatRatio(ratio)} its time)`;
    return `  ${row.label}: Cumulus ${verdict}`;
  });
  const peak = Math.max(mem.cumulus.putPeak, mem.cumulus.putHwm);
  lines.push(
    `  peak RSS during the ${big} PUT: Cumulus ${mib(peak)} (${peak <= RSS_TARGET ? 'within' : 'OVER'} the ${mib(RSS_TARGET)} target; ` +
      `${mib(peak - mem.cumulus.idle)} above idle), rclone ${mib(Math.max(mem.rclone.putPeak, mem.rclone.putHwm))}`,
  );
  process.stdout.write(`\nwebdav on ${target.label}: summary\n${lines.join('\n')}\n`);
}

// ---------------------------------------------------------------------------------------

const benchmark: Benchmark = {
  name: 'webdav',
  description: 'WebDAV server vs rclone serve webdav: PUT, PROPFIND, large GET/PUT, ranges, MOVE/COPY/DELETE, server RSS',
  async run(options: BenchOptions): Promise<void> {
    const sizes = options.quick ? QUICK : FULL;
    const versions = { rclone: rcloneVersion() };
    const profileDir = process.env.CUMULUS_BENCH_PROFILE ? path.resolve(process.env.CUMULUS_BENCH_PROFILE) : undefined;
    if (profileDir) fs.mkdirSync(profileDir, { recursive: true });
    for (const target of options.databases) {
      progress(`${target.label}: starting Cumulus (child process) and rclone serve webdav`);
      const cumulus = await startCumulus(target, sizes.clients, profileDir);
      let rclone: Awaited<ReturnType<typeof startRclone>> | undefined;
      try {
        rclone = await startRclone(sizes.clients);
        progress(`${target.label}: Cumulus pid ${cumulus.pid} on port ${cumulus.port}, rclone pid ${rclone.pid} on port ${rclone.port}`);
        const loadBefore = os.loadavg()[0]!;
        const results = await measure({ cumulus, rclone }, sizes, target, profileDir);
        const load = `load average ${loadBefore.toFixed(2)} before, ${os.loadavg()[0]!.toFixed(2)} after, on ${os.cpus().length} CPU(s)`;
        report(target, sizes, results, versions, fileSystemOf(rclone.root), profileDir !== undefined, load);
        if (profileDir) progress(`CPU profiles of the Cumulus server: ${profileDir}/${target.kind}-*.cpuprofile`);
      } finally {
        await rclone?.stop();
        await cumulus.stop();
      }
    }
  },
};

export default benchmark;
