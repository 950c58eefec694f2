// Trash and versions in the web UI (issue 12), in Debian's Chromium against a real server on
// SQLite (see UI_DIALECTS). A folder moved to the trash from the file browser says so with a link to the
// Trash page, which shows where it came from and when it goes for good, and restores it whole;
// the page is in the navigation; deleting permanently and emptying the trash ask first and
// leave nothing behind. A file's version history (from its menu) lists every version with its
// size, downloads an older one byte for byte, makes it current again and deletes another.
import { readFileSync } from 'node:fs';
import { text } from 'node:stream/consumers';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/core/index.js';
import { call, login, startApiServer, writeFile, type ApiServer, type ListJson } from '../support/api-server.js';
import { DESKTOP, openPage, row, shoot, signIn, UI_DIALECTS, useChromium } from './web-ui.support.js';

const browser = useChromium();

describe.each(UI_DIALECTS)('web UI trash and versions in Chromium (%s)', (dialect) => {
  let api: ApiServer;
  let email: string;
  let principal: Principal;
  let token: string;
  const screenshots = dialect === 'sqlite';

  beforeAll(async () => {
    api = await startApiServer(dialect);
    const created = await api.t.newUser(`history-${dialect}@example.test`);
    email = created.user.email;
    principal = created.principal;
    token = (await login(api, email)).access_token;
  });
  afterAll(async () => {
    await api?.close();
  });

  const names = async (folder: string[]) =>
    (await api.t.app.vfs.list(principal, folder, { limit: 100 })).entries.map((entry) => entry.name).sort();
  const content = async (path: string[]) => text((await api.t.app.vfs.read(principal, path)).stream);
  /** The trash as the API lists it (contract 7 on cloudreve://trash): its top entries' names. */
  const trashed = async () => {
    const listing = await call<ListJson>(api, 'GET', '/file', { token, query: { uri: 'cloudreve://trash', page_size: 100 } });
    expect(listing.code, listing.msg).toBe(0);
    return listing.data!.files.map((file) => file.name).sort();
  };
  const versionIds = async (uri: string) => {
    const info = await call<{ extended_info: { entities: Array<{ id: string; type: number }> } }>(api, 'GET', '/file/info', {
      token,
      query: { uri, extended: 'true' },
    });
    expect(info.code, info.msg).toBe(0);
    return info.data!.extended_info.entities.filter((entity) => entity.type === 0).map((entity) => entity.id);
  };
  const trashRow = (page: Page, name: string) => page.getByRole('table', { name: 'Trash' }).locator(`tr[data-name="${name}"]`);

  it('moves a folder to the trash with a notice, restores it whole, deletes permanently and empties the trash after asking', async () => {
    await api.t.app.vfs.mkdir(principal, ['Reports']);
    await writeFile(api, principal, ['Reports', 'q1.txt'], 'first quarter\n');
    await writeFile(api, principal, ['scratch.txt'], 'scratch\n');
    const context = await browser().newContext({ viewport: DESKTOP });
    const { page, watch } = await openPage(context);
    await signIn(page, api.origin, email);

    // Moved to the trash from the file browser: the notice links to the Trash page.
    await row(page, 'Reports').click();
    await page.getByRole('button', { name: 'Move to trash' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('You can restore it from the Trash').waitFor();
    await dialog.getByRole('button', { name: 'Move to trash' }).click();
    await row(page, 'Reports').waitFor({ state: 'detached' });
    expect(await names([])).toEqual(['scratch.txt']);
    expect(await trashed()).toEqual(['Reports']);
    const notice = page.getByRole('alert').filter({ hasText: 'Moved to the trash' });
    if (screenshots) await shoot(page, 'trash-notice-desktop');
    await notice.getByRole('link', { name: 'Trash' }).click();
    await page.waitForURL(/\/trash$/);

    // Where it came from, and when it goes for good (the server's retention, 30 days by default).
    const reports = trashRow(page, 'Reports');
    await expect.poll(() => reports.textContent()).toContain('My files');
    expect(await reports.textContent()).toMatch(/in (29|30) days/);
    if (screenshots) await shoot(page, 'trash-desktop');
    await reports.getByRole('button', { name: 'Restore Reports' }).click();
    await reports.waitFor({ state: 'detached' });
    await page.getByText('The trash is empty').waitFor();
    expect(await names([])).toEqual(['Reports', 'scratch.txt']);
    expect(await content(['Reports', 'q1.txt'])).toBe('first quarter\n');
    expect(await trashed()).toEqual([]);

    // The page is in the navigation; two more entries trashed through the API show up there.
    await page.goto(`${api.origin}/home`);
    for (const uri of ['cloudreve://my/Reports', 'cloudreve://my/scratch.txt'])
      expect((await call(api, 'DELETE', '/file', { token, json: { uris: [uri] } })).code).toBe(0);
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Trash' }).click();
    await page.waitForURL(/\/trash$/);
    await trashRow(page, 'scratch.txt').waitFor();
    await trashRow(page, 'Reports').waitFor();

    // Delete permanently: Cancel keeps it; the confirmation removes it for good.
    await trashRow(page, 'scratch.txt').getByRole('button', { name: 'Delete permanently: scratch.txt' }).click();
    await dialog.getByText('cannot be undone').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await trashed()).toEqual(['Reports', 'scratch.txt']);
    await trashRow(page, 'scratch.txt').getByRole('button', { name: 'Delete permanently: scratch.txt' }).click();
    await dialog.getByRole('button', { name: 'Delete permanently' }).click();
    await trashRow(page, 'scratch.txt').waitFor({ state: 'detached' });
    expect(await trashed()).toEqual(['Reports']);

    // Empty the trash: asked first, then nothing is left, in the page or on the server.
    await page.getByRole('button', { name: 'Empty trash' }).click();
    await dialog.getByText('Everything in the trash is removed for good').waitFor();
    if (screenshots) await shoot(page, 'trash-empty-confirmation-desktop');
    await dialog.getByRole('button', { name: 'Empty trash' }).click();
    await page.getByText('The trash is empty').waitFor();
    await expect.poll(trashed).toEqual([]);
    expect(await names([])).toEqual([]);

    expect(watch.dialogs).toEqual([]);
    expect(watch.errors).toEqual([]);
    await context.close();
  });

  it('lists the versions of a file, downloads an older one, makes it current again and deletes another', async () => {
    // Three saves of the same file: each overwrite keeps the content before it as a version.
    for (const version of ['one\n', 'second\n', 'third time\n']) await writeFile(api, principal, ['notes.txt'], version);
    const uri = 'cloudreve://my/notes.txt';
    expect(await versionIds(uri)).toHaveLength(3);
    const context = await browser().newContext({ viewport: DESKTOP });
    const { page, watch } = await openPage(context);
    await signIn(page, api.origin, email);

    await row(page, 'notes.txt').click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Version history…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Versions of notes.txt' });
    const versions = dialog.getByRole('table', { name: 'Versions' }).locator('tbody tr');
    await expect.poll(() => versions.count()).toBe(3);
    const version = (size: string) => versions.filter({ hasText: size });
    expect(await version('11 B').textContent()).toContain('Current');
    expect(await version('4 B').textContent()).not.toContain('Current');
    if (screenshots) await shoot(page, 'versions-desktop');

    // An older version downloads byte for byte; the current one has no Restore or Delete.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      version('4 B')
        .getByRole('button', { name: /^Download/ })
        .click(),
    ]);
    expect(readFileSync((await download.path())!, 'utf8')).toBe('one\n');
    expect(
      await version('11 B')
        .getByRole('button', { name: /^(Restore|Delete)/ })
        .count(),
    ).toBe(0);

    // Restore makes it the file's content; the listing follows (size).
    await version('7 B')
      .getByRole('button', { name: /^Restore/ })
      .click();
    await expect.poll(() => content(['notes.txt'])).toBe('second\n');
    await expect.poll(() => dialog.locator('tbody tr', { hasText: 'Current' }).textContent()).toContain('7 B');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => row(page, 'notes.txt').textContent()).toContain('7 B');

    // Delete asks first; then that version is gone from the page and the server.
    const before = await versionIds(uri);
    await row(page, 'notes.txt').click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Version history…' }).click();
    await expect.poll(() => version('4 B').count()).toBe(1);
    const doomed = await version('4 B').getAttribute('data-version');
    await version('4 B')
      .getByRole('button', { name: /^Delete/ })
      .click();
    await dialog.getByRole('group', { name: 'Delete this version?' }).waitFor();
    await dialog.getByRole('button', { name: 'Delete version' }).click();
    await expect.poll(() => version('4 B').count()).toBe(0);
    expect(await versionIds(uri)).toEqual(before.filter((id) => id !== doomed));
    expect(await content(['notes.txt'])).toBe('second\n');

    expect(watch.dialogs).toEqual([]);
    expect(watch.errors).toEqual([]);
    await context.close();
  });
});
