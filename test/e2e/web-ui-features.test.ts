// The web UI's uploads, downloads, share links, WebDAV accounts and administration in
// Debian's Chromium against a real server (SQLite: see UI_DIALECTS): several files uploaded in
// chunks with progress reaching 100 %, a name conflict asked once, a dropped connection
// retried from the chunk that failed, a download through a signed URL, a password-protected
// share opened in a fresh browser, a WebDAV account whose one-time password works over
// WebDAV, and the admin pages. Screenshots go to test-results/screenshots/ (git-ignored).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/core/index.js';
import { readAll } from '../support/app.js';
import { PASSWORD, startApiServer, type ApiServer } from '../support/api-server.js';
import { buildUi, launchChromium, openPage, row, shoot, signIn, DESKTOP, PHONE, UI_DIALECTS } from './web-ui.support.js';

const CHUNK = 256 * 1024;

let browser: Browser;

beforeAll(async () => {
  const [launched] = await Promise.all([launchChromium(), buildUi()]);
  browser = launched;
}, 600_000);

afterAll(async () => {
  await browser?.close();
});

describe.each(UI_DIALECTS)('web UI features in Chromium (%s)', (dialect) => {
  let api: ApiServer;
  let email: string;
  let principal: Principal;
  const screenshots = dialect === 'sqlite';

  beforeAll(async () => {
    api = await startApiServer(dialect, { config: { uploads: { chunkSizeBytes: CHUNK } } });
    const created = await api.t.newUser(`features-${dialect}@example.test`);
    email = created.user.email;
    principal = created.principal;
  });
  afterAll(async () => {
    await api?.close();
  });

  const content = async (path: string[]) => readAll((await api.t.app.vfs.read(principal, path)).stream);
  const names = async (folder: string[]) =>
    (await api.t.app.vfs.list(principal, folder, { limit: 100 })).entries.map((entry) => entry.name).sort();

  it('uploads in chunks, resolves a conflict, retries a dropped connection, downloads, shares, and makes a WebDAV account', async () => {
    const context = await browser.newContext({ viewport: DESKTOP, acceptDownloads: true });
    const { page, watch } = await openPage(context);
    const chunkPosts: string[] = [];
    page.on('request', (request) => {
      const match = /\/api\/v4\/file\/upload\/[^/]+\/(\d+)$/.exec(request.url());
      if (match && request.method() === 'POST') chunkPosts.push(`${request.url().split('/').at(-2)}#${match[1]}`);
    });
    await signIn(page, api.origin, email);

    // Several files at once: 3 chunks, 2 chunks, and one that fits in one.
    const files = {
      'a.bin': randomBytes(2 * CHUNK + 1000),
      'b.bin': randomBytes(CHUNK + 5),
      'c d.txt': Buffer.from('hello from the browser\n'),
    };
    await page
      .getByLabel('Choose files to upload')
      .setInputFiles(Object.entries(files).map(([name, buffer]) => ({ name, mimeType: 'application/octet-stream', buffer })));
    const panel = page.getByRole('region', { name: 'Uploads' });
    await panel.getByText('Uploads finished').waitFor();
    await expect.poll(() => panel.textContent()).toContain('100%');
    for (const name of Object.keys(files)) await row(page, name).waitFor();
    expect(await names([])).toEqual(Object.keys(files).sort());
    for (const [name, buffer] of Object.entries(files)) expect((await content([name])).equals(buffer)).toBe(true);
    expect(chunkPosts.length).toBe(3 + 2 + 1);
    if (screenshots) await shoot(page, 'uploads-desktop');

    // The same name again: asked once; "Keep both" numbers the new one.
    await panel.getByRole('button', { name: 'Clear' }).click();
    const again = randomBytes(100);
    await page.getByLabel('Choose files to upload').setInputFiles([{ name: 'c d.txt', mimeType: 'text/plain', buffer: again }]);
    const question = page.getByRole('dialog', { name: 'A file with this name exists' });
    await question.waitFor();
    if (screenshots) await shoot(page, 'upload-conflict-desktop');
    await question.getByRole('button', { name: 'Keep both' }).click();
    await row(page, 'c d (1).txt').waitFor();
    expect((await content(['c d (1).txt'])).equals(again)).toBe(true);
    expect((await content(['c d.txt'])).equals(files['c d.txt'])).toBe(true);

    // A connection that drops on chunk 1: after the automatic retries the file offers Retry,
    // which sends only what the server does not have yet.
    await panel.getByRole('button', { name: 'Clear' }).click();
    await page.route(/\/api\/v4\/file\/upload\/[^/]+\/1$/, (route) => route.abort('connectionreset'));
    const dropped = randomBytes(2 * CHUNK + 7);
    const before = chunkPosts.length;
    await page
      .getByLabel('Choose files to upload')
      .setInputFiles([{ name: 'e.bin', mimeType: 'application/octet-stream', buffer: dropped }]);
    const retry = panel.getByRole('button', { name: 'Retry e.bin' });
    await retry.waitFor({ timeout: 120_000 });
    await expect.poll(() => panel.textContent()).toMatch(/connection dropped/i);
    if (screenshots) await shoot(page, 'upload-retry-desktop');
    await page.unroute(/\/api\/v4\/file\/upload\/[^/]+\/1$/);
    await retry.click();
    await panel.getByText('Uploads finished').waitFor();
    expect((await content(['e.bin'])).equals(dropped)).toBe(true);
    const sent = chunkPosts.slice(before).map((post) => post.split('#')[1]);
    expect(sent.filter((index) => index === '0')).toHaveLength(1);
    expect(sent.filter((index) => index === '2')).toHaveLength(1);

    // Download through a signed URL.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      row(page, 'b.bin').getByRole('button', { name: 'b.bin', exact: true }).click(),
    ]);
    expect(readFileSync((await download.path())!).equals(files['b.bin'])).toBe(true);

    // Share with a password; the link opens in a fresh browser (no session).
    await row(page, 'c d.txt').click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Share link…' }).click();
    const share = page.getByRole('dialog');
    await share.getByLabel('Protect with a password').check();
    await share.getByRole('textbox', { name: 'Password' }).fill('letmein42');
    await share.getByRole('button', { name: 'Create link' }).click();
    const link = await share.getByLabel('Share link').inputValue();
    expect(link).toMatch(new RegExp(`^${api.origin}/s/[A-Za-z0-9]+/letmein42$`));
    if (screenshots) await shoot(page, 'share-created-desktop');
    await share.getByRole('button', { name: 'Done' }).click();

    const visitorContext = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, acceptDownloads: true });
    const visitor = await openPage(visitorContext);
    const bare = link.replace(/\/letmein42$/, '');
    await visitor.page.goto(bare);
    await visitor.page.getByLabel('Password').fill('wrong');
    await visitor.page.getByRole('button', { name: 'Open' }).click();
    await expect.poll(() => visitor.page.getByRole('alert').textContent()).toMatch(/password/i);
    if (screenshots) await shoot(visitor.page, 'share-password-phone');
    await visitor.page.getByLabel('Password').fill('letmein42');
    await visitor.page.getByRole('button', { name: 'Open' }).click();
    await visitor.page.getByText('c d.txt').first().waitFor();
    if (screenshots) await shoot(visitor.page, 'share-open-phone');
    const [shared] = await Promise.all([
      visitor.page.waitForEvent('download'),
      visitor.page.getByRole('button', { name: 'Download c d.txt' }).click(),
    ]);
    expect(readFileSync((await shared.path())!).equals(files['c d.txt'])).toBe(true);

    // My shares: listed, then revoked; the link stops working.
    await page.goto(`${api.origin}/shares`);
    await page.getByRole('table', { name: 'Share links' }).getByText('c d.txt').waitFor();
    if (screenshots) await shoot(page, 'shares-desktop');
    await page.getByRole('button', { name: 'Revoke link to c d.txt' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await page.getByText('You have not shared anything yet.').waitFor();
    await visitor.page.goto(link);
    await visitor.page.getByText('This link does not work').waitFor();
    await visitorContext.close();

    // A WebDAV account: its password is shown once and works over WebDAV.
    await page.goto(`${api.origin}/webdav`);
    await page.getByRole('button', { name: 'New account' }).click();
    const form = page.getByRole('dialog');
    await form.getByLabel('Name').fill('Laptop');
    await form.getByLabel('Read-only').check();
    await form.getByRole('button', { name: 'Create account' }).click();
    const password = (await form.getByLabel('WebDAV password', { exact: true }).textContent())!.trim();
    expect(password).toMatch(/^[0-9a-z]{32}$/);
    if (screenshots) await shoot(page, 'webdav-password-desktop');
    await form.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('table', { name: 'WebDAV accounts' }).getByText('Read-only').waitFor();
    const authorization = `Basic ${Buffer.from(`${email}:${password}`).toString('base64')}`;
    const listing = await fetch(`${api.origin}/dav/`, { method: 'PROPFIND', headers: { Authorization: authorization, Depth: '1' } });
    expect(listing.status).toBe(207);
    expect(await listing.text()).toContain('c%20d.txt');
    const write = await fetch(`${api.origin}/dav/new.txt`, { method: 'PUT', headers: { Authorization: authorization }, body: 'x' });
    expect(write.status).toBe(403);
    if (screenshots) await shoot(page, 'webdav-accounts-desktop');

    expect(watch.dialogs).toEqual([]);
    expect(watch.errors).toEqual([]);
    await context.close();
  });

  it.runIf(screenshots)('shows the administration pages', async () => {
    const admin = await api.t.app.users.create({ email: `admin-${dialect}@example.test`, password: PASSWORD, group: 'Admin' });
    for (const viewport of [DESKTOP, PHONE]) {
      const size = viewport === DESKTOP ? 'desktop' : 'phone';
      const context = await browser.newContext({ viewport, isMobile: viewport === PHONE, hasTouch: viewport === PHONE });
      const { page, watch } = await openPage(context);
      await signIn(page, api.origin, admin.email);
      await page.goto(`${api.origin}/admin`);
      await page.getByText('Storage by user').waitFor();
      await shoot(page, `admin-overview-${size}`);
      await page.getByRole('tab', { name: 'Users' }).click();
      await page.getByRole('table', { name: 'Users' }).getByText(email).waitFor();
      await shoot(page, `admin-users-${size}`);
      await page.getByRole('tab', { name: 'Groups' }).click();
      await page.getByRole('table', { name: 'Groups' }).getByText('Anonymous').waitFor();
      await page.getByRole('tab', { name: 'Server' }).click();
      await page.getByRole('switch', { name: 'WebDAV' }).waitFor();
      await expect.poll(() => page.getByRole('switch', { name: 'WebDAV' }).isChecked()).toBe(true);
      await shoot(page, `admin-server-${size}`);
      expect(watch.errors).toEqual([]);
      await context.close();
    }
  });
});
