import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parsePath, type Principal, type User } from '../../src/core/index.js';
import { DIALECTS } from '../support/databases.js';
import { bodyOf, startTestApp, type TestApp } from '../support/app.js';

// DESIGN.md, security decisions: share passwords are sealed with the server key, so a dump of
// the database does not reveal them, while links and the API still carry them.

const PASSWORD = 'Qx7Rv2Lm9';
const LEGACY = 'Pl4inLegacy';

describe.each(DIALECTS)('share passwords on %s', (dialect) => {
  let t: TestApp;
  let user: User;
  let me: Principal;

  beforeAll(async () => {
    t = await startTestApp(dialect);
    ({ user, principal: me } = await t.newUser());
    await t.app.vfs.write(me, parsePath('/a.txt'), bodyOf('alpha'));
    await t.app.vfs.write(me, parsePath('/b.txt'), bodyOf('bravo'));
  });
  afterAll(() => t.close());

  const dumpShares = async () => JSON.stringify(await t.app.database.db.selectFrom('shares').selectAll().execute());

  it('are not in a dump of the shares table, yet links and visitors still use them', async () => {
    const share = await t.app.shares.create(user, me, parsePath('/a.txt'), { password: PASSWORD });
    expect(share.password).toBe(PASSWORD);
    expect(t.app.shares.link(share, 'https://cloud.example')).toBe(`https://cloud.example/s/${share.key}/${PASSWORD}`);
    expect((await t.app.shares.list(user.id, { direction: 'asc', limit: 10 })).shares[0]!.password).toBe(PASSWORD);

    const dump = await dumpShares();
    expect(dump).toContain(share.key);
    expect(dump).not.toContain(PASSWORD);
    if (dialect === 'sqlite') {
      // The database files themselves (with the WAL), as a file copy or backup would hold them.
      const files = readdirSync(t.dataDir).filter((name) => name.startsWith('test.db'));
      for (const name of files) expect(readFileSync(path.join(t.dataDir, name)).includes(PASSWORD), name).toBe(false);
    }

    const visitor = { address: '192.0.2.1' };
    expect((await t.app.shares.info(share.key, { ...visitor, password: PASSWORD })).unlocked).toBe(true);
    expect((await t.app.shares.info(share.key, { ...visitor, password: 'wrong1' })).unlocked).toBe(false);
    await expect(t.app.shares.open(share.key, PASSWORD, visitor)).resolves.toMatchObject({ share: { key: share.key } });
  });

  it('stored in clear by an older version are sealed at the next start and keep working', async () => {
    const share = await t.app.shares.create(user, me, parsePath('/b.txt'), {});
    await t.app.database.db.updateTable('shares').set({ password: LEGACY }).where('link_key', '=', share.key).execute();
    // Readable before the start-up step has run: the service takes both forms.
    expect((await t.app.shares.info(share.key, { address: '192.0.2.2', password: LEGACY })).unlocked).toBe(true);
    expect(await dumpShares()).toContain(LEGACY);

    const restarted = await t.reopen();
    expect(await dumpShares()).not.toContain(LEGACY);
    const after = await restarted.shares.info(share.key, { address: '192.0.2.3', password: LEGACY });
    expect(after).toMatchObject({ unlocked: true, share: { password: LEGACY, revision: share.revision } });
  });
});
