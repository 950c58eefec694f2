// Cumulus refuses an unsupported Node.js at once, with one readable line (not a dlopen error later).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MIN_NODE_MAJOR, unsupportedRuntime } from '../../src/cli/runtime.js';

describe('the supported runtime', () => {
  it('accepts Node.js 24 and newer, refuses older ones by name', () => {
    expect(unsupportedRuntime('24.0.0')).toBeNull();
    expect(unsupportedRuntime('26.1.0')).toBeNull();
    expect(unsupportedRuntime('20.20.2')).toMatch(/Node\.js 20\.20\.2 is not supported.*Node\.js 24 or newer/);
    expect(unsupportedRuntime('22.3.0')).not.toBeNull();
  });

  it('runs the tests on the runtime users get', () => {
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(MIN_NODE_MAJOR);
  });

  it.runIf(
    existsSync('/usr/bin/node') &&
      Number(spawnSync('/usr/bin/node', ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).stdout) < MIN_NODE_MAJOR,
  )('started by an older system Node.js, the CLI exits 2 with one line', () => {
    const result = spawnSync('/usr/bin/node', ['--import', 'tsx', 'src/cli/main.ts', '--version'], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('is not supported');
  });
});
