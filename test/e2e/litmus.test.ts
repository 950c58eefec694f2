import { afterAll, beforeAll, describe, it } from 'vitest';
import { tempDir } from '../support/databases.js';
import { startDavServer, type DavServer } from '../support/dav-server.js';
import { expectLitmusSuitePasses } from '../support/litmus.js';

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
    await expectLitmusSuitePasses(dav.url, dav.email, dav.password, suite, logs.path);
  });
});
