// The web UI's escape hatch for a stuck WebDAV lock, in Debian's Chromium against a real server
// (SQLite: see UI_DIALECTS): a delete refused by a lock another client took names the locked file and
// offers to release it; releasing it and trying again deletes the file.
import { Readable } from 'node:stream';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/core/index.js';
import { startApiServer, type ApiServer } from '../support/api-server.js';
import { buildUi, launchChromium, openPage, row, signIn, DESKTOP, UI_DIALECTS } from './web-ui.support.js';

let browser: Browser;

beforeAll(async () => {
  const [launched] = await Promise.all([launchChromium(), buildUi()]);
  browser = launched;
}, 600_000);

afterAll(async () => {
  await browser?.close();
});

describe.each(UI_DIALECTS)('web UI and WebDAV locks in Chromium (%s)', (dialect) => {
  let api: ApiServer;
  let email: string;
  let principal: Principal;

  beforeAll(async () => {
    api = await startApiServer(dialect);
    const created = await api.t.newUser(`locks-${dialect}@example.test`);
    email = created.user.email;
    principal = created.principal;
  });
  afterAll(async () => {
    await api?.close();
  });

  it('a delete stopped by a WebDAV lock names the file, and "Release and try again" frees the lock and deletes it', async () => {
    await api.t.app.vfs.write(principal, ['report.docx'], Readable.from([Buffer.from('draft')]));
    // A lock left by a WebDAV client (another principal than the signed-in user).
    const account = (await api.t.app.davAccounts.create({ userId: principal.userId, name: 'office laptop' })).account;
    const client = { ...principal, label: `dav:${account.id}`, lockHolder: `dav:${account.id}` };
    await api.t.app.vfs.locks.lock(client, ['report.docx'], { scope: 'exclusive', depth: '0', owner: null, timeoutSeconds: 600 });

    const context = await browser.newContext({ viewport: DESKTOP });
    const { page } = await openPage(context);
    await signIn(page, api.origin, email);
    await row(page, 'report.docx').click();
    await page.getByRole('button', { name: 'Move to trash' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Move to trash' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Locked by a WebDAV client').waitFor();
    expect(await dialog.textContent()).toContain('/report.docx');
    const names = async () => (await api.t.app.vfs.list(principal, [], { limit: 100 })).entries.map((entry) => entry.name);
    expect(await names()).toContain('report.docx');

    await dialog.getByRole('button', { name: 'Release and try again' }).click();
    await expect.poll(names).not.toContain('report.docx');
    expect(await api.t.app.database.db.selectFrom('locks').select('token').execute()).toEqual([]);
    await context.close();
  });
});
