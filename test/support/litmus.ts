import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'vitest';

/**
 * Runs one suite of Debian's litmus against a WebDAV URL and expects zero failures.
 * litmus writes debug.log into its working directory: `cwd` keeps it out of the repository.
 */
export async function expectLitmusSuitePasses(url: string, email: string, password: string, suite: string, cwd: string): Promise<void> {
  const run = await promisify(execFile)('litmus', [url, email, password], {
    env: { ...process.env, TESTS: suite },
    cwd,
    timeout: 600_000,
  }).catch((error: { code?: unknown; stdout?: string; stderr?: string; message: string }) => {
    if (error.code === 'ENOENT') throw new Error('litmus is not installed; scripts/test-all.sh installs it');
    return { stdout: error.stdout ?? '', stderr: error.stderr ?? error.message };
  });
  const output = `${run.stdout}${run.stderr}`;
  const summary = /summary for `(\w+)': of (\d+) tests run: (\d+) passed, (\d+) failed/.exec(output);
  expect(summary, output).not.toBeNull();
  const failures = output.split('\n').filter((line) => /FAIL/.test(line));
  expect({ suite, failed: Number(summary![4]), failures }).toEqual({ suite, failed: 0, failures: [] });
  expect(Number(summary![2])).toBeGreaterThan(0);
}
