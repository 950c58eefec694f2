/**
 * Summarises a V8 CPU profile (.cpuprofile, as written by `node --cpu-prof` or by the webdav
 * benchmark with CUMULUS_BENCH_PROFILE=DIR): the functions with the most self time, the
 * functions with the most total (inclusive) time, and self time per file.
 *
 *   npx tsx bench/profile-summary.ts FILE.cpuprofile [--top N] [--filter TEXT] [--callers TEXT]
 *
 * --filter keeps only functions whose name or file contains TEXT in the inclusive list
 * (e.g. --filter src/ for the project's own code). --callers lists, for the functions whose
 * label contains TEXT, the call paths (up to the first frame in src/) their self time comes from.
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
  readonly timeDeltas?: readonly number[];
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const sourceMaps = new Map<string, SourceMap | null>();

/** The source map next to a generated file (the webdav bench's transpiled copy writes them). */
function sourceMapOf(file: string): SourceMap | null {
  if (!sourceMaps.has(file)) {
    const mapFile = `${file}.map`;
    sourceMaps.set(
      file,
      !file.includes('/node_modules/') && existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8'))) : null,
    );
  }
  return sourceMaps.get(file)!;
}

function where(frame: CallFrame): string {
  if (!frame.url) return '';
  let file = frame.url.startsWith('file://') ? fileURLToPath(frame.url) : frame.url;
  let line = frame.lineNumber + 1;
  const map = file.startsWith('/') ? sourceMapOf(file) : null;
  const original = map?.findEntry(frame.lineNumber, frame.columnNumber);
  if (original && 'originalSource' in original && original.originalSource) {
    file = original.originalSource.startsWith('file://') ? fileURLToPath(original.originalSource) : original.originalSource;
    line = original.originalLine + 1;
  }
  if (file.startsWith(ROOT)) file = path.relative(ROOT, file);
  file = file.replace(/^.*\/node_modules\//, 'node_modules/');
  return `${file}:${line}`;
}

function label(frame: CallFrame): string {
  const name = frame.functionName || '(anonymous)';
  const at = where(frame);
  return at ? `${name}  ${at}` : name;
}

function main(): void {
  const args = process.argv.slice(2);
  const file = args.find(
    (arg) => !arg.startsWith('--') && args[args.indexOf(arg) - 1] !== '--top' && args[args.indexOf(arg) - 1] !== '--filter',
  );
  const top = Number(args[args.indexOf('--top') + 1] ?? 25) || 25;
  const filter = args.includes('--filter') ? args[args.indexOf('--filter') + 1] : undefined;
  const callersOf = args.includes('--callers') ? args[args.indexOf('--callers') + 1] : undefined;
  if (!file) {
    process.stderr.write('Usage: npx tsx bench/profile-summary.ts FILE.cpuprofile [--top N] [--filter TEXT]\n');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  // Self time per node from the samples and their time deltas (µs).
  const selfOf = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const delta = deltas[i + 1] ?? 0;
    selfOf.set(samples[i]!, (selfOf.get(samples[i]!) ?? 0) + delta);
  }
  const total = [...selfOf.values()].reduce((a, b) => a + b, 0);

  const callerPaths = new Map<string, number>();
  const selfByFunction = new Map<string, number>();
  const selfByFile = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, micros] of selfOf) {
    const node = byId.get(id)!;
    const key = label(node.callFrame);
    selfByFunction.set(key, (selfByFunction.get(key) ?? 0) + micros);
    const fileKey = where(node.callFrame).replace(/:\d+$/, '') || node.callFrame.functionName;
    selfByFile.set(fileKey, (selfByFile.get(fileKey) ?? 0) + micros);
    if (callersOf && key.includes(callersOf)) {
      // The stack from the function up to (and including) the first frame of the project's src/.
      const names: string[] = [];
      for (let at = parent.get(id); at !== undefined && names.length < 12; at = parent.get(at)) {
        const name = label(byId.get(at)!.callFrame);
        names.push(name);
        if (name.includes(' src/')) break;
      }
      const pathKey = `${key}\n      <- ${names.join('\n      <- ')}`;
      callerPaths.set(pathKey, (callerPaths.get(pathKey) ?? 0) + micros);
    }
    // Inclusive: every distinct function on the stack gets the sample once.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = label(byId.get(at)!.callFrame);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + micros);
    }
  }

  const ms = (micros: number) => `${(micros / 1000).toFixed(1).padStart(9)} ms`;
  const pct = (micros: number) => `${((100 * micros) / total).toFixed(1).padStart(5)}%`;
  const print = (title: string, entries: Map<string, number>, keep: (key: string) => boolean = () => true) => {
    process.stdout.write(`\n${title}\n`);
    for (const [key, micros] of [...entries]
      .filter(([key]) => keep(key))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)) {
      process.stdout.write(`${ms(micros)} ${pct(micros)}  ${key}\n`);
    }
  };
  process.stdout.write(
    `${file}: ${(total / 1000).toFixed(0)} ms sampled over ${((profile.endTime - profile.startTime) / 1000).toFixed(0)} ms\n`,
  );
  if (callersOf) {
    print(`call paths of ${callersOf}`, callerPaths);
    return;
  }
  print('self time by function', selfByFunction);
  print('self time by file', selfByFile);
  print(
    `total (inclusive) time by function${filter ? ` matching ${filter}` : ''}`,
    inclusive,
    (key) => !['(root)', '(program)', '(idle)', '(garbage collector)'].includes(key) && (!filter || key.includes(filter)),
  );
}

main();
