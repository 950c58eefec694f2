/** The tables bench/webdav.bench.ts prints: times with ratios, server CPU time, server memory. */
import { count, formatDuration, formatRatio, formatThroughput, median, MiB, printTable } from '../lib.js';
import type { TreeMemory } from './procs.js';

/** One printed row of the time table: per server (in column order), the samples in ms. */
export interface TimeRow {
  readonly label: string;
  readonly samples: readonly (readonly number[])[];
  /** How a median is shown: a duration (default), with a rate, or as throughput. */
  readonly show?: { readonly per: number; readonly unit: string } | { readonly bytes: number };
  /** Per server, a note after the figure (the mixed load's error count). */
  readonly suffix?: readonly string[];
}

/** Per measurement key, per server: CPU ms per round and the peak memory of its process tree. */
export interface Costs {
  readonly cpu: Map<string, number[][]>;
  readonly peaks: Map<string, TreeMemory[]>;
}

export const mib = (bytes: number): string => (Number.isFinite(bytes) && bytes > 0 ? `${Math.round(bytes / MiB)} MiB` : 'n/a');

function cell(row: TimeRow, ms: number): string {
  const show = row.show;
  if (show && 'bytes' in show) return formatThroughput(show.bytes, ms);
  if (show) return `${formatDuration(ms)} (${count(Math.round((show.per * 1000) / ms))} ${show.unit}/s)`;
  return formatDuration(ms);
}

/**
 * Columns: the servers in order; ratios of each Cumulus column (the first `cumulusColumns`)
 * against each peer column (the rest).
 */
export function printTimes(
  title: string,
  labels: readonly string[],
  cumulusColumns: number,
  rows: readonly TimeRow[],
  notes: readonly string[],
): void {
  const ratioPairs: [number, number][] = [];
  for (let c = 0; c < cumulusColumns; c++) for (let p = cumulusColumns; p < labels.length; p++) ratioPairs.push([c, p]);
  const short = (label: string) => label.replace(/^Cumulus \(--workers (\S+)\)$/, 'C-$1');
  const header = ['workload', ...labels, ...ratioPairs.map(([c, p]) => `${short(labels[c]!)}÷${short(labels[p]!)}`), 'runs'];
  printTable(
    title,
    header,
    rows.map((row) => {
      const medians = row.samples.map((s) => median(s));
      return [
        row.label,
        ...medians.map((ms, i) => cell(row, ms) + (row.suffix?.[i] ?? '')),
        ...ratioPairs.map(([c, p]) => formatRatio(medians[c]! / medians[p]!)),
        String(row.samples[0]!.length),
      ];
    }),
    notes,
  );
}

export function printCosts(target: string, labels: readonly string[], costs: Costs): void {
  printTable(
    `webdav on ${target}: server CPU time per round (user + system, all threads of all its processes, /proc/PID/stat), median`,
    ['workload (key)', ...labels],
    [...costs.cpu].map(([key, used]) => [key, ...used.map((rounds) => formatDuration(median(rounds)))]),
    ['CPU time is work done whatever else runs on the machine, so it compares the servers even when wall times are noisy.'],
  );
  printTable(
    `webdav on ${target}: server memory, peak while the workload ran (sampled every 50 ms): total RSS of all its processes / largest one (processes)`,
    ['workload (key)', ...labels],
    [...costs.peaks].map(([key, peaks]) => [key, ...peaks.map((p) => `${mib(p.total)} / ${mib(p.max)} (${p.processes})`)]),
    [
      'Total = sum of VmRSS over the server process and its descendants (Cumulus: primary + workers; Apache: parent + children),',
      'so pages shared between processes (forked code, shared libraries) count once per process.',
    ],
  );
}
