import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cumulus, serveCumulus, type ServedCumulus } from '../support/cli.js';
import { tempDir } from '../support/databases.js';
import { expectLitmusSuitePasses } from '../support/litmus.js';

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
    await expectLitmusSuitePasses(`${server.url}/dav/`, email, password, suite, logs.path);
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
