import type { Command } from 'commander';
import { endProgress, formatSize, output, progressReporter, withApp } from '../context.js';

export function registerMaintenance(program: Command): void {
  program
    .command('gc')
    .description('remove orphan blobs and temporary files left by crashes or failed deletes')
    .option('--grace <seconds>', 'leave pending writes and temporary files younger than this alone (default: config gc.graceSeconds)')
    .action(async (options: { grace?: string }, command: Command) => {
      await withApp(command, async (app, json) => {
        const graceSeconds = options.grace === undefined ? app.config.gc.graceSeconds : Number(options.grace);
        if (!Number.isFinite(graceSeconds) || graceSeconds < 0)
          throw Object.assign(new Error('--grace takes a number of seconds'), { name: 'ConfigError' });
        const progress = progressReporter();
        const report = await app.gc.run({ graceMs: graceSeconds * 1000, onProgress: (step, done) => progress(`gc: ${step} ${done}`) });
        endProgress();
        output(json, report, () =>
          [
            `Removed ${report.stalePending} abandoned uploads, ${report.unreferenced} unreferenced blobs,`,
            `${report.orphanObjects} orphan stored objects and ${report.temporaries} temporary files; freed ${formatSize(report.freedBytes)}.`,
          ].join(' '),
        );
      });
    });

  program
    .command('doctor')
    .description(
      "check that the entries form a tree, that every file's content exists with the right size, and that counters match the tree",
    )
    .option(
      '--repair',
      "move entries cut off from their tree (cycles, lost parents) under lost+found in their owner's root, and fix reference counts and storage-used counters (lost content cannot be repaired)",
    )
    .action(async (options: { repair?: boolean }, command: Command) => {
      await withApp(command, async (app, json) => {
        const progress = progressReporter();
        const report = await app.doctor.run({
          repair: options.repair,
          onProgress: (done, total) => progress(`doctor: checked ${done} files (${total} entries)`),
        });
        endProgress();
        output(json, report, () =>
          report.problems.length === 0
            ? `All ${report.checkedFiles} files are intact.`
            : [
                `${report.problems.length} problem(s) in ${report.checkedFiles} files:`,
                ...report.problems.map((p) => `  - ${p.message}`),
                ...(options.repair ? [`Repaired ${report.repaired}.`] : []),
              ].join('\n'),
        );
        if (report.problems.length > report.repaired) process.exitCode = 4;
      });
    });
}
