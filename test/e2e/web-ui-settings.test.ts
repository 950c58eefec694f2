// The web UI's account settings, uploads control and administration in Debian's Chromium
// against a real server (SQLite: see UI_DIALECTS): the sessions list with another device signed out
// (its refresh token then fails and its tab returns to sign-in), a password change that
// keeps this tab signed in and makes only the new password work, pausing, resuming and
// cancelling uploads in the upload panel, signing up once an administrator opens
// registration, and an administrator creating a user and setting a group's quota.
// Screenshots of the settings page at desktop and phone sizes go to test-results/screenshots/.
import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/core/index.js';
import { readAll } from '../support/app.js';
import { PASSWORD, call, jwtPayload, login, startApiServer, type ApiServer } from '../support/api-server.js';
import { DESKTOP, PHONE, buildUi, launchChromium, openPage, row, shoot, signIn, storedSession, UI_DIALECTS } from './web-ui.support.js';

const CHUNK = 256 * 1024;
const NEW_PASSWORD = 'a brand new passphrase';
const GIB = 1024 ** 3;
const CHUNK_POST = /\/api\/v4\/file\/upload\/[^/]+\/\d+$/;

let browser: Browser;

beforeAll(async () => {
  const [launched] = await Promise.all([launchChromium(), buildUi()]);
  browser = launched;
}, 600_000);

afterAll(async () => {
  await browser?.close();
});

describe.each(UI_DIALECTS)('web UI settings, upload controls and administration in Chromium (%s)', (dialect) => {
  let api: ApiServer;
  const screenshots = dialect === 'sqlite';
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    api = await startApiServer(dialect, { config: { uploads: { chunkSizeBytes: CHUNK } } });
  });
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await api?.close();
  });

  async function open(viewport = DESKTOP) {
    const phone = viewport === PHONE;
    const context = await browser.newContext({ viewport, isMobile: phone, hasTouch: phone });
    contexts.push(context);
    return openPage(context);
  }

  const sessionsList = (page: Page) => page.getByRole('list', { name: 'Active sessions' });
  const names = async (principal: Principal) =>
    (await api.t.app.vfs.list(principal, [], { limit: 100 })).entries.map((entry) => entry.name).sort();

  it('lists sessions, signs another device out, and changes the password without signing this tab out', async () => {
    const { user } = await api.t.newUser(`settings-${dialect}@example.test`);
    const laptop = await open();
    const phone = await open(PHONE);
    await signIn(phone.page, api.origin, user.email);
    await signIn(laptop.page, api.origin, user.email);

    // Two sessions, this one marked.
    await laptop.page.goto(`${api.origin}/settings`);
    const items = sessionsList(laptop.page).getByRole('listitem');
    await expect.poll(() => items.count()).toBe(2);
    await expect.poll(() => items.filter({ hasText: 'This device' }).count()).toBe(1);
    expect(await items.first().textContent()).toMatch(/Chrome on Linux/);
    expect(await laptop.page.getByText('Not available on this server yet').count()).toBe(0);
    if (screenshots) await shoot(laptop.page, 'settings-sessions-desktop');

    // Sign the phone out from the laptop: its refresh token stops working, and its tab returns to sign-in.
    const phoneTokens = (await storedSession(phone.page))!.token;
    await items
      .filter({ hasNotText: 'This device' })
      .getByRole('button', { name: /^Sign out/ })
      .click();
    await expect.poll(() => items.count()).toBe(1);
    await laptop.page.getByText('You are signed in on this device only.').waitFor();
    const refused = await call(api, 'POST', '/session/token/refresh', { json: { refresh_token: phoneTokens.refresh_token } });
    expect(refused.code).toBe(40020);
    await phone.page.goto(`${api.origin}/home`);
    await phone.page.waitForURL(/\/login/);

    // Change the password: a mismatch and a wrong current password are said in place and change nothing.
    const form = laptop.page.getByRole('form', { name: 'Change password' });
    const fill = async (current: string, next: string, again: string) => {
      await form.getByLabel('Current password').fill(current);
      // Mantine appends a required asterisk to each label.
      await form.getByLabel(/^New password\W*$/).fill(next);
      await form.getByLabel('New password again').fill(again);
      await form.getByRole('button', { name: 'Change password' }).click();
    };
    await fill(PASSWORD, NEW_PASSWORD, `${NEW_PASSWORD}!`);
    await expect.poll(() => form.getByRole('alert').textContent()).toMatch(/two new passwords differ/);
    await fill('not my password', NEW_PASSWORD, NEW_PASSWORD);
    await expect.poll(() => form.getByRole('alert').textContent()).toMatch(/Incorrect password/);
    await fill(PASSWORD, 'short', 'short');
    await expect.poll(() => form.getByRole('alert').textContent()).toMatch(/at least 8 characters/);
    expect((await login(api, user.email, PASSWORD)).access_token).toBeTruthy();

    // That sign-in is another session, which the change ends; this tab moves to the new tokens.
    await laptop.page.reload();
    await expect.poll(() => items.count()).toBe(2);
    const before = (await storedSession(laptop.page))!.token;
    await fill(PASSWORD, NEW_PASSWORD, NEW_PASSWORD);
    await form.getByRole('status').getByText('Password changed.').waitFor();
    await expect.poll(() => items.count()).toBe(1);
    const after = (await storedSession(laptop.page))!.token;
    expect(after.refresh_token).not.toBe(before.refresh_token);
    const sessionId = jwtPayload(after.refresh_token).root_token_id as string;
    expect(sessionId).toBe(jwtPayload(before.refresh_token).root_token_id);
    const stored = await api.t.app.database.db
      .selectFrom('sessions')
      .select('token_id')
      .where('id', '=', sessionId)
      .executeTakeFirstOrThrow();
    expect(jwtPayload(after.refresh_token).jti).toBe(stored.token_id);
    // Still signed in after a reload.
    await laptop.page.goto(`${api.origin}/home`);
    await laptop.page.getByText('This folder is empty').waitFor();

    // Only the new password signs in now.
    await laptop.page.getByRole('button', { name: /Account menu/ }).click();
    await laptop.page.getByRole('menuitem', { name: 'Sign out' }).click();
    await laptop.page.waitForURL(/\/login/);
    await laptop.page.getByLabel('Email').fill(user.email);
    await laptop.page.getByLabel('Password').fill(PASSWORD);
    await laptop.page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => laptop.page.getByRole('alert').textContent()).toMatch(/Incorrect password/);
    await signIn(laptop.page, api.origin, user.email, NEW_PASSWORD);

    // The settings page on a phone, with the laptop's session listed beside its own.
    await signIn(phone.page, api.origin, user.email, NEW_PASSWORD);
    await phone.page.getByRole('button', { name: 'Toggle navigation' }).click();
    await phone.page.getByRole('link', { name: 'Settings' }).click();
    await expect.poll(() => sessionsList(phone.page).getByRole('listitem').count()).toBe(2);
    await phone.page.getByTestId('storage-used').waitFor();
    if (screenshots) await shoot(phone.page, 'settings-sessions-phone');

    for (const { watch } of [laptop, phone]) {
      expect(watch.dialogs).toEqual([]);
      expect(watch.errors).toEqual([]);
    }
  });

  it('pauses, resumes and cancels uploads in the upload panel', async () => {
    const { user, principal } = await api.t.newUser(`uploads-${dialect}@example.test`);
    const { page, watch } = await open();
    const posted: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && CHUNK_POST.test(request.url())) posted.push(request.url());
    });
    // Chunks take a while, and those past `allowed` wait until the test lets them go: Pause and
    // Cancel find the upload mid-way however slow the machine (either aborts the waiting chunk).
    let routed = 0;
    let allowed = 2;
    let letGo!: () => void;
    let wentOn = new Promise<void>((resolve) => (letGo = resolve));
    await page.route(CHUNK_POST, async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 250));
      if (++routed > allowed) await wentOn;
      await route.continue().catch(() => undefined);
    });
    await signIn(page, api.origin, user.email);
    const panel = page.getByRole('region', { name: 'Uploads' });
    const status = (name: string) => panel.getByRole('listitem', { name: new RegExp(`^${name.replace('.', '\\.')}: `) });

    // Pause after the first chunks: nothing more is sent until Resume, which finishes the file intact.
    const big = randomBytes(8 * CHUNK + 100);
    await page.getByLabel('Choose files to upload').setInputFiles([{ name: 'big.bin', mimeType: 'application/octet-stream', buffer: big }]);
    await expect.poll(() => posted.length).toBeGreaterThanOrEqual(2);
    await panel.getByRole('button', { name: 'Pause big.bin' }).click();
    await expect.poll(() => status('big.bin').getAttribute('aria-label')).toMatch(/: Paused, \d+%$/);
    // Not "Uploads finished" while a file waits to be resumed.
    await panel.getByText('1 upload paused').waitFor();
    const whilePaused = posted.length;
    await page.waitForTimeout(1000);
    expect(posted.length).toBe(whilePaused);
    expect(whilePaused).toBeLessThan(9);
    if (screenshots) await shoot(page, 'upload-paused-desktop');
    letGo();
    await panel.getByRole('button', { name: 'Resume big.bin' }).click();
    await expect.poll(() => status('big.bin').getAttribute('aria-label'), { timeout: 120_000 }).toBe('big.bin: Done, 100%');
    await panel.getByText('Uploads finished').waitFor();
    expect((await readAll((await api.t.app.vfs.read(principal, ['big.bin'])).stream)).equals(big)).toBe(true);
    await row(page, 'big.bin').waitFor();

    // Cancel mid-upload: the file and its placeholder are gone, and so is the upload session.
    await panel.getByRole('button', { name: 'Clear' }).click();
    const start = posted.length;
    allowed = routed + 1;
    wentOn = new Promise<void>((resolve) => (letGo = resolve));
    await page
      .getByLabel('Choose files to upload')
      .setInputFiles([{ name: 'gone.bin', mimeType: 'application/octet-stream', buffer: randomBytes(8 * CHUNK) }]);
    await expect.poll(() => posted.length).toBeGreaterThan(start);
    await panel.getByRole('button', { name: 'Cancel gone.bin' }).click();
    await expect.poll(() => status('gone.bin').getAttribute('aria-label')).toMatch(/: Cancelled/);
    letGo();
    await expect.poll(() => names(principal)).toEqual(['big.bin']);
    // No upload session is open any more (big.bin's finished one may stay a while).
    const openUploads = () =>
      api.t.app.database.db
        .selectFrom('upload_sessions')
        .select('id')
        .where('user_id', '=', user.id)
        .where('completed_at', 'is', null)
        .execute();
    await expect.poll(async () => (await openUploads()).length).toBe(0);
    expect(await row(page, 'gone.bin').count()).toBe(0);

    expect(watch.dialogs).toEqual([]);
    expect(watch.errors).toEqual([]);
  });

  it('offers sign-up once an administrator opens registration, and the new account signs in', async () => {
    const admin = await api.t.app.users.create({ email: `admin-signup-${dialect}@example.test`, password: PASSWORD, group: 'Admin' });
    const visitor = await open(PHONE);
    await visitor.page.goto(`${api.origin}/login`);
    await visitor.page.getByLabel('Email').waitFor();
    expect(await visitor.page.getByRole('tab', { name: 'Create account' }).count()).toBe(0);

    const { page, watch } = await open();
    await signIn(page, api.origin, admin.email);
    await page.goto(`${api.origin}/admin`);
    await page.getByRole('tab', { name: 'Server' }).click();
    const toggle = page.getByRole('switch', { name: 'Open registration' });
    await expect.poll(() => toggle.isEnabled()).toBe(true);
    expect(await toggle.isChecked()).toBe(false);
    await toggle.click({ force: true });
    await expect.poll(() => toggle.isChecked()).toBe(true);
    await expect.poll(async () => (await api.t.app.settings.switches()).registrationEnabled).toBe(true);

    const email = `newcomer-${dialect}@example.test`;
    await visitor.page.reload();
    await visitor.page.getByRole('tab', { name: 'Create account' }).click();
    await visitor.page.getByLabel('Email').fill(email);
    await visitor.page.getByLabel('Password').fill('short');
    await visitor.page.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => visitor.page.getByRole('alert').textContent()).toMatch(/at least 8 characters/);
    await visitor.page.getByLabel('Password').fill(NEW_PASSWORD);
    await visitor.page.getByRole('button', { name: 'Create account' }).click();
    await visitor.page.getByText('Your account is ready').waitFor();
    if (screenshots) await shoot(visitor.page, 'signup-done-phone');
    await visitor.page.getByRole('button', { name: 'Sign in' }).click();
    await visitor.page.waitForURL(/\/home/);
    await visitor.page.getByText('This folder is empty').waitFor();
    const created = await api.t.app.users.get(email);
    expect((await api.t.app.users.groupOf(created)).name).toBe('User');

    await toggle.click({ force: true });
    await expect.poll(async () => (await api.t.app.settings.switches()).registrationEnabled).toBe(false);
    expect(watch.errors).toEqual([]);
    expect(visitor.watch.errors).toEqual([]);
  });

  it("lets an administrator create a user and set a group's quota, which the user then sees", async () => {
    const admin = await api.t.app.users.create({ email: `admin-users-${dialect}@example.test`, password: PASSWORD, group: 'Admin' });
    const { page, watch } = await open();
    await signIn(page, api.origin, admin.email);
    await page.goto(`${api.origin}/admin`);

    const email = `made-by-admin-${dialect}@example.test`;
    await page.getByRole('tab', { name: 'Users' }).click();
    await page.getByRole('button', { name: 'New user' }).click();
    const dialog = page.getByRole('dialog', { name: 'New user' });
    await dialog.getByLabel('Email').fill(email);
    await dialog.getByLabel('Name').fill('Made By Admin');
    await dialog.getByLabel('Password').fill(NEW_PASSWORD);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('table', { name: 'Users' }).getByText(email).waitFor();
    const made = await api.t.app.users.get(email);
    expect(made.displayName).toBe('Made By Admin');

    await page.getByRole('tab', { name: 'Groups' }).click();
    await page.getByRole('button', { name: 'Edit group User' }).click();
    const groupDialog = page.getByRole('dialog', { name: 'Edit group User' });
    await groupDialog.getByLabel('Quota per member (GiB)').fill('3');
    await groupDialog.getByRole('button', { name: 'Save' }).click();
    await groupDialog.waitFor({ state: 'hidden' });
    await page.getByRole('table', { name: 'Groups' }).getByText('3.0 GB').waitFor();
    expect((await api.t.app.groups.get('User')).maxStorage).toBe(3 * GIB);
    if (screenshots) await shoot(page, 'admin-group-quota-desktop');

    // The user made above signs in with the password the administrator gave, and sees the quota.
    const tokens = await login(api, email, NEW_PASSWORD);
    const capacity = await call<{ total: number; used: number }>(api, 'GET', '/user/capacity', { token: tokens.access_token });
    expect(capacity.data).toEqual({ total: 3 * GIB, used: 0 });
    expect(watch.dialogs).toEqual([]);
    expect(watch.errors).toEqual([]);
  });
});
