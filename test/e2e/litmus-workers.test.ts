import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cumulus, serveCumulus, type ServedCumulus } from '../support/cli.js';
import { tempDir } from '../support/databases.js';

/**
 * litmus, all five suites, against `cumulus serve --workers 2` started as a user starts it:
 * consecutive requests land on either worker, so locks, properties and every other state
 * litmus relies on must live in the database, not in one process. Then both workers are
 * shown to have served requests.
 */
describe('litmus against serve --workers 2', () => {
  const data = tempDir('cumulus-litmus-workers-');
  const logs = tempDir('cumulus-litmus-workers-log-');
  let server: ServedCumulus;
  let password = '';
  const email = 'litmus@example.org';

  beforeAll(async () => {
    expect(cumulus(['--data', data.path, 'user', 'add', '--email', email, '--password', 'litmus password 1']).status).toBe(0);
    const created = cumulus(['--data', data.path, '--json', 'dav-account', 'create', '--user', email, '--name', 'litmus']);
    expect(created.status, created.stderr).toBe(0);
    password = created.json<{ password: string }>().password;
    server = await serveCumulus(data.path, { workers: 2, env: { CUMULUS_LOG_LEVEL: 'info' } });
  });
  afterAll(async () => {
    await server?.stop();
    data.remove();
    logs.remove();
  });

  it.each(['basic', 'copymove', 'props', 'locks', 'http'])('passes the %s suite with no failures', async (suite) => {
    const run = await promisify(execFile)('litmus', [`${server.url}/dav/`, email, password], {
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
  });

  it('spread the requests over both workers', () => {
    const served = new Set(
      server
        .logs()
        .filter((line) => line.msg === 'request completed')
        .map((line) => line.pid),
    );
    expect(served.size).toBe(2);
  });
});
