import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/databases.js';
import { startDavServer, type DavServer } from '../support/dav-server.js';
import { expectLitmusSuitePasses } from '../support/litmus.js';

/**
 * Debian's litmus, all five default suites, inside a local-directory mount (issue 11 item 6):
 * the same zero failures as in managed storage, with the bytes on a real directory.
 */
describe('litmus inside a local-directory mount', () => {
  let dav: DavServer;
  const logs = tempDir('cumulus-litmus-');
  const disk = tempDir('cumulus-litmus-mount-');
  let mountedWrites = 0;

  beforeAll(async () => {
    dav = await startDavServer('sqlite');
    const app = dav.t.app;
    await app.users.create({ email: 'mount-admin@example.test', password: 'correct horse battery', group: 'Admin' });
    await app.mounts.add({ name: 'Shared', dir: disk.path });
    await app.memberships.join(dav.email, 'Shared');
    // Proof that the suites ran in the mount: what they write is written there, on disk.
    app.events.on((event) => {
      if (event.type === 'file.written' && event.entry.mountId !== undefined) mountedWrites++;
    });
  });
  afterAll(async () => {
    await dav.close();
    logs.remove();
    disk.remove();
  });

  it.each(['basic', 'copymove', 'props', 'locks', 'http'])('passes the %s suite with no failures', async (suite) => {
    const before = mountedWrites;
    await expectLitmusSuitePasses(`${dav.url}Shared/`, dav.email, dav.password, suite, logs.path);
    if (suite !== 'http') expect(mountedWrites).toBeGreaterThan(before);
    expect(readdirSync(disk.path).filter((name) => name.startsWith('.cumulus-'))).toEqual([]);
  });
});
