// The web UI in Debian's Chromium, driven by playwright-core against a real server on both
// databases: sign in, create a folder, rename, move (folder picker), delete with
// confirmation, an API refusal shown in place, a file name made of HTML that stays text,
// reload-proof URLs, keyboard selection, sign-out. Writes screenshots of each page at desktop
// and phone sizes to test-results/screenshots/ (git-ignored).
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/core/index.js';
import { call, startApiServer, type ApiServer } from '../support/api-server.js';
import { DESKTOP, PHONE, XSS, buildUi, launchChromium, openPage, row, shoot, signIn, UI_DIALECTS } from './web-ui.support.js';

let browser: Browser;

beforeAll(async () => {
  const [launched] = await Promise.all([launchChromium(), buildUi()]);
  browser = launched;
}, 600_000);

afterAll(async () => {
  await browser?.close();
});

describe.each(UI_DIALECTS)('web UI in Chromium (%s)', (dialect) => {
  let api: ApiServer;
  let email: string;
  let principal: Principal;
  const screenshots = dialect === 'sqlite';

  beforeAll(async () => {
    // Access tokens that expire 66 s after they are issued: the app must renew them in the
    // background (a minute ahead) while the test runs, without the user noticing.
    api = await startApiServer(dialect, { clock: () => Date.now() - (3600 - 66) * 1000 });
    const created = await api.t.newUser(`webui-${dialect}@example.test`);
    email = created.user.email;
    principal = created.principal;
  });
  afterAll(async () => {
    await api?.close();
  });

  const names = async (folder: string[]) =>
    (await api.t.app.vfs.list(principal, folder, { limit: 100 })).entries.map((entry) => entry.name).sort();

  it('signs in, creates, renames, moves and deletes folders, keeps HTML names as text, and signs out', async () => {
    const context = await browser.newContext({ viewport: DESKTOP });
    const { page, watch } = await openPage(context);
    const renewals: number[] = [];
    page.on('response', (answer) => {
      if (answer.url().endsWith('/api/v4/session/token/refresh'))
        // A body the browser dropped already (the page moved on, the context closed) is not a renewal to count.
        void answer
          .json()
          .then((body: { code: number }) => renewals.push(body.code))
          .catch(() => undefined);
    });

    // The app's pages carry a strict CSP with a fresh nonce.
    const response = await page.goto(`${api.origin}/login`);
    const csp = response!.headers()['content-security-policy'] ?? '';
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain('unsafe-inline');
    if (screenshots) await shoot(page, 'login-desktop');

    // A wrong password: the server's message, in place.
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/password/i);

    await signIn(page, api.origin, email);
    await page.getByText('This folder is empty').waitFor();

    // New folder, then one whose name is HTML.
    for (const name of ['Projects', XSS]) {
      await page.getByRole('button', { name: 'New folder' }).click();
      await page.getByLabel('Folder name').fill(name);
      await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
      await row(page, name).waitFor();
    }
    expect(await names([])).toEqual([XSS, 'Projects'].sort());

    // Creating it again: the server refuses (40004) and the dialog says so, changing nothing.
    await page.getByRole('button', { name: 'New folder' }).click();
    await page.getByLabel('Folder name').fill('Projects');
    await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
    const refusal = page.getByRole('dialog').getByRole('alert');
    await refusal.waitFor();
    expect((await refusal.textContent())!.length).toBeGreaterThan(5);
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect(await names([])).toEqual([XSS, 'Projects'].sort());

    // Rename with F2 from the keyboard.
    await row(page, 'Projects').click();
    await page.keyboard.press('F2');
    const renameInput = page.getByLabel('New name');
    await renameInput.fill('Projects 2024');
    await page.getByRole('dialog').getByRole('button', { name: 'Rename' }).click();
    await row(page, 'Projects 2024').waitFor();
    expect(await names([])).toEqual([XSS, 'Projects 2024'].sort());

    // Keyboard: Ctrl+A selects everything, Escape clears.
    await page.keyboard.press('Control+a');
    await page.getByText('2 items selected').waitFor();
    await page.keyboard.press('Escape');
    await page.getByText('2 items selected').waitFor({ state: 'detached' });
    if (screenshots) await shoot(page, 'files-desktop');

    // Move the HTML-named folder into the other one through the context menu and the folder picker.
    await row(page, XSS).click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Move to…' }).click();
    const picker = page.getByRole('dialog');
    await picker.getByRole('button', { name: 'Open folder Projects 2024' }).click();
    await picker.getByRole('button', { name: 'Move here' }).click();
    await row(page, XSS).waitFor({ state: 'detached' });
    expect(await names([])).toEqual(['Projects 2024']);
    expect(await names(['Projects 2024'])).toEqual([XSS]);

    // Into the folder; its URL survives a reload.
    await page.getByRole('link', { name: 'Projects 2024' }).click();
    await page.waitForURL(/path=%2FProjects(\+|%20)2024/);
    await page.reload();
    await row(page, XSS).waitFor();
    await expect.poll(() => page.getByRole('navigation', { name: 'Folder path' }).textContent()).toContain('Projects 2024');

    // The HTML name is text everywhere it shows: list, grid, dialogs; nothing ran.
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.getByText(XSS, { exact: true }).count()).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Grid view' }).click();
    await page.getByRole('option', { name: XSS }).waitFor();
    if (screenshots) await shoot(page, 'files-grid-desktop');
    await page.getByRole('button', { name: 'List view' }).click();

    // Move to the trash with confirmation: Cancel keeps it, Move to trash removes it.
    await row(page, XSS).click();
    await page.getByRole('button', { name: 'Move to trash' }).click();
    const confirm = page.getByRole('dialog');
    await expect.poll(() => confirm.textContent()).toContain(XSS);
    if (screenshots) await shoot(page, 'delete-dialog-desktop');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    expect(await names(['Projects 2024'])).toEqual([XSS]);
    await page.keyboard.press('Delete');
    await page.getByRole('dialog').getByRole('button', { name: 'Move to trash' }).click();
    await page.getByText('This folder is empty').waitFor();
    expect(await names(['Projects 2024'])).toEqual([]);
    expect(await page.locator('img[src="x"]').count()).toBe(0);

    // A folder that does not exist: said so, with a way back.
    await page.goto(`${api.origin}/home?path=/nowhere`);
    await page.getByText('This folder does not exist').waitFor();

    // Settings: storage used against the quota.
    await page.goto(`${api.origin}/settings`);
    await expect.poll(() => page.getByTestId('storage-used').textContent()).toMatch(/used of/);
    if (screenshots) await shoot(page, 'settings-desktop');
    await page.goto(`${api.origin}/webdav`);
    await page.getByText('Connect via WebDAV').waitFor();
    await expect.poll(() => page.getByLabel('WebDAV address', { exact: true }).textContent()).toBe(`${api.origin}/dav/`);
    await page.getByRole('tab', { name: 'Windows' }).click();
    const port = new URL(api.origin).port;
    await expect.poll(() => page.getByLabel('Windows folder', { exact: true }).textContent()).toBe(`\\\\127.0.0.1@${port}\\dav\\`);
    if (screenshots) await shoot(page, 'webdav-desktop');

    // The access token was renewed in the background, and every request after it worked.
    await expect.poll(() => renewals.length, { timeout: 120_000 }).toBeGreaterThan(0);
    expect(renewals.every((code) => code === 0)).toBe(true);
    await page.goto(`${api.origin}/home`);
    await row(page, 'Projects 2024').waitFor();

    // Sign out: the server ends the session (its refresh token stops working) and the app forgets it.
    const stored = (await page.evaluate("JSON.parse(localStorage.getItem('cumulus.session'))")) as { token: { refresh_token: string } };
    await page.getByRole('button', { name: /Account menu/ }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login/);
    expect(await page.evaluate("localStorage.getItem('cumulus.session')")).toBeNull();
    const refused = await call(api, 'POST', '/session/token/refresh', { json: { refresh_token: stored.token.refresh_token } });
    expect(refused.code).toBe(40020);
    await page.goto(`${api.origin}/home`);
    await page.waitForURL(/\/login\?next=%2Fhome/);

    expect(watch.dialogs).toEqual([]);
    expect(watch.errors).toEqual([]);
    await context.close();
  });

  it('serves the app at every client route, and never in place of the API or WebDAV', async () => {
    const page = await fetch(`${api.origin}/home?path=/a/b`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const html = await page.text();
    const nonce = /nonce="([^"]+)"/.exec(html)![1]!;
    expect(html).not.toContain('__CSP_NONCE__');
    expect(page.headers.get('content-security-policy')).toContain(`'nonce-${nonce}'`);
    // A fresh nonce on every load.
    expect(await (await fetch(`${api.origin}/s/abc/def`)).text()).not.toContain(nonce);

    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const asset = await fetch(`${api.origin}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${api.origin}/assets/missing-abc123.js`)).status).toBe(404);

    const api404 = await call(api, 'GET', '/no/such/endpoint');
    expect(api404).toMatchObject({ status: 200, code: 404 });
    const other = await fetch(`${api.origin}/api/v3/file`);
    expect([other.status, other.headers.get('content-type')]).toEqual([404, 'text/plain; charset=utf-8']);
    const dav = await fetch(`${api.origin}/dav/`);
    expect(dav.status).toBe(401);
    expect(await dav.text()).not.toContain('<div id="root">');
    expect((await fetch(`${api.origin}/home`, { method: 'POST' })).status).toBe(404);
  });

  it.runIf(screenshots)('looks right on a phone', async () => {
    const phone = await api.t.newUser(`phone-${dialect}@example.test`);
    await api.t.app.vfs.mkdir(phone.principal, ['Photos']);
    await api.t.app.vfs.mkdir(phone.principal, [XSS]);
    const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const { page, watch } = await openPage(context);
    await page.goto(`${api.origin}/login`);
    await shoot(page, 'login-phone');
    await signIn(page, api.origin, phone.user.email);
    await row(page, 'Photos').waitFor();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    // The navigation is a drawer behind the burger; the toolbar buttons keep their names.
    await expect.poll(() => page.getByRole('button', { name: 'New folder' }).isVisible()).toBe(true);
    await shoot(page, 'files-phone');
    await page.getByRole('button', { name: 'Toggle navigation' }).click();
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByTestId('storage-used').waitFor();
    await shoot(page, 'settings-phone');
    await page.goto(`${api.origin}/webdav`);
    await page.getByText('Connect via WebDAV').waitFor();
    await shoot(page, 'webdav-phone');
    expect(watch.dialogs).toEqual([]);
    expect(watch.errors).toEqual([]);
    await context.close();
  });
});
