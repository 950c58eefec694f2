// Shared folders in Debian's Chromium against a real server (SQLite: see UI_DIALECTS) (issue 11 item 6):
// an administrator grafts a directory from the Shared folders tab and adds a member; the member
// sees its file under /NAME, is refused an upload once it is read-only, and loses the folder
// when taken out of it; the user's own dialog joins and leaves it too. The directory on disk is
// never touched.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startApiServer, type ApiServer } from '../support/api-server.js';
import { DESKTOP, buildUi, launchChromium, openPage, row, shoot, signIn, UI_DIALECTS } from './web-ui.support.js';

let browser: Browser;

beforeAll(async () => {
  const [launched] = await Promise.all([launchChromium(), buildUi()]);
  browser = launched;
}, 600_000);

afterAll(async () => {
  await browser?.close();
});

describe.each(UI_DIALECTS)('web UI shared folders in Chromium (%s)', (dialect) => {
  let api: ApiServer;
  let context: BrowserContext;
  let disk: string;

  beforeAll(async () => {
    api = await startApiServer(dialect);
    context = await browser.newContext({ viewport: DESKTOP });
    disk = await mkdtemp(path.join(os.tmpdir(), 'cumulus-web-mount-'));
    await writeFile(path.join(disk, 'handbook.txt'), 'read me first\n');
  });
  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await api?.close();
    if (disk) await rm(disk, { recursive: true, force: true });
  });

  it('an administrator shares a directory with a member, makes it read-only, then takes the member out', async () => {
    const admin = await api.t.app.users.create({ email: `admin-mounts-${dialect}@example.test`, password: PASSWORD, group: 'Admin' });
    const member = await api.t.app.users.create({ email: `member-mounts-${dialect}@example.test`, password: PASSWORD, group: 'User' });
    // Something of their own, so that a loaded home page can be told from one still loading.
    await api.t.app.vfs.mkdir(await api.t.app.users.principalFor(member), ['Notes']);
    const { page, watch } = await openPage(context);
    await signIn(page, api.origin, admin.email);
    await page.goto(`${api.origin}/admin?tab=mounts`);
    await page.getByLabel('Name').fill('Handbooks');
    await page.getByLabel('Directory on the server').fill(disk);
    await page.getByRole('button', { name: 'Add shared folder' }).click();
    const table = page.getByRole('table', { name: 'Shared folders' });
    await table.getByText('/Handbooks').waitFor();

    // Members: add the user by searching their email.
    await page.getByRole('button', { name: 'Members of Handbooks' }).click();
    const dialog = page.getByRole('dialog', { name: 'Members of Handbooks' });
    await dialog.getByText('No members yet.').waitFor();
    await dialog.getByRole('textbox', { name: 'Add a member' }).fill(`member-mounts-${dialect}`);
    await page.getByRole('option', { name: member.email }).click();
    await dialog.getByRole('button', { name: 'Add member' }).click();
    await dialog.getByRole('list', { name: 'Members of Handbooks' }).getByText(member.email).waitFor();
    if (dialect === 'sqlite') await shoot(page, 'admin-mount-members-desktop');
    await dialog
      .getByRole('button', { name: 'Close' })
      .click()
      .catch(() => page.keyboard.press('Escape'));
    await expect
      .poll(() =>
        table
          .getByRole('row', { name: /Handbooks/ })
          .getByRole('cell')
          .nth(2)
          .textContent(),
      )
      .toBe('1');

    // The member sees the directory's file under /Handbooks.
    const second = await browser.newContext({ viewport: DESKTOP });
    try {
      const { page: memberPage, watch: memberWatch } = await openPage(second);
      await signIn(memberPage, api.origin, member.email);
      await memberPage.getByRole('link', { name: 'Handbooks' }).click();
      await row(memberPage, 'handbook.txt').waitFor();

      // Read-only: the member's upload there is refused, with the server's reason shown.
      await page.getByRole('switch', { name: 'Handbooks is read-only' }).click();
      await expect.poll(() => page.getByRole('switch', { name: 'Handbooks is read-only' }).isChecked()).toBe(true);
      expect((await api.t.app.mounts.list()).find((m) => m.name === 'Handbooks')?.readOnly).toBe(true);
      await memberPage
        .getByLabel('Choose files to upload')
        .setInputFiles([{ name: 'note.txt', mimeType: 'text/plain', buffer: Buffer.from('no\n') }]);
      const uploads = memberPage.getByRole('region', { name: 'Uploads' });
      await expect
        .poll(() => uploads.getByRole('listitem', { name: /^note\.txt: / }).getAttribute('aria-label'))
        .toMatch(/^note\.txt: Failed/);
      await uploads.getByText(/read-only/i).waitFor();
      if (dialect === 'sqlite') await shoot(memberPage, 'mount-read-only-upload-desktop');
      expect(await readdir(disk)).toEqual(['handbook.txt']);

      // Taken out: the folder is gone from the member's files; the directory stays as it was.
      await page.getByRole('button', { name: 'Members of Handbooks' }).click();
      await dialog.getByRole('button', { name: `Remove ${member.email} from Handbooks` }).click();
      await dialog.getByText('No members yet.').waitFor();
      await memberPage.goto(`${api.origin}/home`);
      await row(memberPage, 'Notes').waitFor();
      await expect.poll(() => memberPage.getByRole('link', { name: 'Handbooks' }).count()).toBe(0);
      expect(await row(memberPage, 'Handbooks').count()).toBe(0);
      expect(await readdir(disk)).toEqual(['handbook.txt']);

      // The user's dialog joins and leaves the folder's group too.
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      await page.getByRole('tab', { name: 'Users' }).click();
      await page.getByRole('button', { name: `Edit ${member.email}` }).click();
      const userDialog = page.getByRole('dialog', { name: `Edit ${member.email}` });
      await userDialog.getByText('None: only the primary group.').waitFor();
      await userDialog.getByRole('textbox', { name: 'Join a group' }).fill('Handb');
      await page.getByRole('option', { name: 'Handbooks' }).click();
      await userDialog.getByRole('button', { name: 'Join' }).click();
      const leave = userDialog.getByRole('button', { name: `Take ${member.email} out of Handbooks` });
      await leave.waitFor();
      await memberPage.reload();
      await memberPage.getByRole('link', { name: 'Handbooks' }).waitFor();
      await leave.click();
      await userDialog.getByText('None: only the primary group.').waitFor();
      await memberPage.reload();
      await row(memberPage, 'Notes').waitFor();
      await expect.poll(() => memberPage.getByRole('link', { name: 'Handbooks' }).count()).toBe(0);
      expect(memberWatch.dialogs).toEqual([]);
    } finally {
      await second.close();
    }
    expect(watch.errors).toEqual([]);
  });
});
