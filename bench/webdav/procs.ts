/**
 * What a server costs, from /proc: a server is its process and every descendant (Cumulus's
 * primary and workers, Apache's parent and children), so memory and CPU are summed over the tree.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { KiB } from '../lib.js';

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** The fields of /proc/PID/stat after the command name (index 0 is field 3, the state). */
function statFields(pid: number): string[] | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(') ') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** `pid` and its live descendants. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const parent = Number(statFields(Number(name))?.[1]);
    if (!Number.isFinite(parent)) continue;
    const list = children.get(parent) ?? [];
    list.push(Number(name));
    children.set(parent, list);
  }
  const tree: number[] = [];
  const walk = (p: number) => {
    tree.push(p);
    for (const child of children.get(p) ?? []) walk(child);
  };
  if (statFields(pid)) walk(pid);
  return tree;
}

/** VmRSS of one process in bytes (NaN when it is gone). */
export function rssOf(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * KiB : NaN;
  } catch {
    return NaN;
  }
}

export interface TreeMemory {
  /** Sum of VmRSS over the tree (shared pages counted once per process). */
  readonly total: number;
  /** The largest VmRSS of one process of the tree. */
  readonly max: number;
  readonly processes: number;
}

export function treeMemory(pids: readonly number[]): TreeMemory {
  let total = 0;
  let max = 0;
  let processes = 0;
  for (const pid of pids) {
    const rss = rssOf(pid);
    if (!Number.isFinite(rss)) continue;
    total += rss;
    max = Math.max(max, rss);
    processes++;
  }
  return { total, max, processes };
}

/**
 * CPU time (user + system, all threads) the tree has used so far, in ms: each live process's
 * own time, plus the root's time of children it has reaped (a worker that was replaced).
 */
export function treeCpuMs(root: number): number {
  let ticks = 0;
  for (const pid of processTree(root)) {
    const fields = statFields(pid);
    if (!fields) continue;
    ticks += Number(fields[11]) + Number(fields[12]);
    if (pid === root) ticks += Number(fields[13]) + Number(fields[14]);
  }
  return (ticks * 1000) / CLOCK_TICKS;
}

/** Peak memory of a process tree, sampled every `intervalMs` while work runs. */
export async function withMemorySampling<T>(
  root: number,
  work: () => Promise<T>,
  intervalMs = 50,
): Promise<{ result: T; peak: TreeMemory }> {
  let pids = processTree(root);
  let total = 0;
  let max = 0;
  let processes = 0;
  let ticks = 0;
  const sample = () => {
    // The tree is re-read now and then: workers may be replaced.
    if (ticks++ % 20 === 0) pids = processTree(root);
    const now = treeMemory(pids);
    total = Math.max(total, now.total);
    max = Math.max(max, now.max);
    processes = Math.max(processes, now.processes);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  try {
    const result = await work();
    sample();
    return { result, peak: { total, max, processes } };
  } finally {
    clearInterval(timer);
  }
}
