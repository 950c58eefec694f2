// A photo library inside an administrator's shared folder (a local directory): a photo put in
// its import folder on the disk itself, outside Cumulus, is seen by the mount's scanner, whose
// events mark it like any upload; a safety delay later it is moved into YYYY/MM on the disk.
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePath, type Principal } from '../../../src/core/index.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { tempDir } from '../../support/databases.js';
import { TestClock, jpeg, later, namesIn, settle } from './support.js';

describe('a photo library in a mounted directory (sqlite)', () => {
  const clock = new TestClock();
  let t: TestApp;
  let disk: ReturnType<typeof tempDir>;
  let principal: Principal;

  beforeAll(async () => {
    t = await startTestApp('sqlite', { clock: clock.read, config: { jobs: { pollMs: 50 } } });
    disk = tempDir('cumulus-photos-mount-');
    mkdirSync(path.join(disk.path, 'Camera', 'Inbox'), { recursive: true });
    await t.app.users.create({ email: 'mount-admin@example.test', password: 'correct horse battery', group: 'Admin' });
    await t.app.mounts.add({ name: 'Family', dir: disk.path });
    const member = await t.newUser();
    await t.app.memberships.join(member.user.id, 'Family');
    principal = member.principal;
    await t.app.libraries.add(principal, parsePath('/Family/Camera'), parsePath('/Family/Camera/Inbox'));
    t.app.jobs.runner.start();
  });
  afterAll(async () => {
    await t?.close();
    disk?.remove();
  });

  it('imports a file written on the disk into YYYY/MM by its time on disk', async () => {
    const file = path.join(disk.path, 'Camera', 'Inbox', 'from-disk.jpg');
    writeFileSync(file, await jpeg('#405060'));
    const taken = new Date(Date.UTC(2019, 7, 10, 12));
    utimesSync(file, taken, taken);
    // The scanner brings the folder in step with the disk when it is listed (or the watcher sees it).
    expect(await namesIn(t.app, principal, '/Family/Camera/Inbox')).toEqual(['from-disk.jpg']);
    await settle(clock, t.app);
    expect(existsSync(file)).toBe(true);
    await later(clock, 301, t.app);
    expect(await namesIn(t.app, principal, '/Family/Camera/2019/08')).toEqual(['from-disk.jpg']);
    expect(existsSync(path.join(disk.path, 'Camera', '2019', '08', 'from-disk.jpg'))).toBe(true);
    expect(existsSync(file)).toBe(false);
  });

  it('reads the EXIF date of a file on the disk (it has no blob for the media indexer)', async () => {
    const file = path.join(disk.path, 'Camera', 'Inbox', 'exif.jpg');
    writeFileSync(file, await jpeg('#605040', '2017:11:03 09:00:00'));
    expect(await namesIn(t.app, principal, '/Family/Camera/Inbox')).toEqual(['exif.jpg']);
    await later(clock, 301, t.app);
    expect(await namesIn(t.app, principal, '/Family/Camera/2017/11')).toEqual(['exif.jpg']);
  });
});
