#!/usr/bin/env -S node --max-semi-space-size=2 --expose-gc --single-threaded-gc
// Only the runtime check is imported statically: the program's modules (undici, the AWS SDK,
// native modules) may fail to load on an unsupported Node.js before any check could run.
import { unsupportedRuntime } from './runtime.js';

const runtimeProblem = unsupportedRuntime();
if (runtimeProblem) {
  process.stderr.write(`${runtimeProblem}\n`);
  process.exit(2);
}

await import('./program.js');
