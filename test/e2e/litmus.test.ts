import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { tempDir } from '../support/databases.js';
import { startDavServer, type DavServer } from '../support/dav-server.js';

/**
 * Debian's litmus, all five default suites, against a server on loopback: zero failures.
 * scripts/test-all.sh installs litmus.
 */
describe('litmus', () => {
  let dav: DavServer;
  // litmus writes debug.log into its working directory: keep it out of the repository.
  const logs = tempDir('cumulus-litmus-');

  beforeAll(async () => {
    dav = await startDavServer('sqlite');
  });
  afterAll(async () => {
    await dav.close();
    logs.remove();
  });

  it.each(['basic', 'copymove', 'props', 'locks', 'http'])('passes the %s suite with no failures', async (suite) => {
    // Asynchronously: the server under test runs in this same process.
    const run = await promisify(execFile)('litmus', [dav.url, dav.email, dav.password], {
      env: { ...process.env, TESTS: suite },
      cwd: logs.path,
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
  });
});
