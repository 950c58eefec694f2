// The migration that starts charging dead properties to storage used charges what users already
// store (so that removing those properties later keeps usage exact), and its down gives it back.
import { afterEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { bodyOf, startTestApp, type TestApp } from '../support/app.js';
import { expectInvariants } from '../support/invariants.js';

describe.each(DIALECTS)('migration 20261207T0900_property_usage (%s)', (dialect) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
  });

  it('charges the properties users already have to their usage, and down gives the bytes back', async () => {
    t = await startTestApp(dialect);
    const { user, principal } = await t.newUser();
    await t.app.vfs.write(principal, ['notes.txt'], bodyOf('twelve bytes'));
    await t.app.vfs.properties.patch(
      principal,
      ['notes.txt'],
      [{ op: 'set', ns: 'urn:x', name: 'colour', value: '<colour xmlns="urn:x">grün</colour>' }],
    );
    const bytes = 'urn:x'.length + 'colour'.length + Buffer.byteLength('<colour xmlns="urn:x">grün</colour>');
    const used = async () =>
      Number(
        (await t!.app.database.db.selectFrom('users').select('storage_used').where('id', '=', user.id).executeTakeFirstOrThrow())
          .storage_used,
      );
    expect(await used()).toBe(12 + bytes);

    // Later migrations first, one at a time, until this one is rolled back.
    for (let down = await t.app.database.migrateDown(); ; down = await t.app.database.migrateDown()) {
      expect(down.error).toBeUndefined();
      expect(down.results).toHaveLength(1);
      if (down.results![0]!.migrationName === '20261207T0900_property_usage') break;
    }
    // As a database from before the migration counted it: file content only.
    expect(await used()).toBe(12);
    expect((await t.app.database.migrate()).error).toBeUndefined();
    expect(await used()).toBe(12 + bytes);
    await expectInvariants(t.app.database);
  });
});
