// The share password prompt warns, in Debian's Chromium against a real server, when the page
// came over plain HTTP from another machine (a host name the browser resolves to this one, so
// that the page's origin is not loopback), and says nothing when opened on this machine. The
// rule itself (web/src/ui/plainHttp.ts) is a pure function of the page's origin, tested first.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoopbackOrigin, sendsPasswordsInClear } from '../../web/src/ui/plainHttp.js';
import { bodyOf } from '../support/app.js';
import { startApiServer, type ApiServer } from '../support/api-server.js';
import { buildUi, launchChromium, openPage } from './web-ui.support.js';

/** A name Chromium resolves to 127.0.0.1, so a page opened through it has a non-loopback origin. */
const LAN_NAME = 'nas.cumulus-test';

describe('which pages warn that a password crosses the network in clear', () => {
  it.each([
    ['http://192.168.1.5:5280', false, true],
    ['http://nas.local', false, true],
    ['https://files.example.org', false, false],
    ['https://192.168.1.5', false, false],
    ['http://localhost:5280', true, false],
    ['http://127.0.0.1:5280', true, false],
    ['http://127.4.5.6', true, false],
    ['http://[::1]:5280', true, false],
  ])('%s: loopback %s, warns %s', (origin, loopback, warns) => {
    expect(isLoopbackOrigin(origin)).toBe(loopback);
    expect(sendsPasswordsInClear(origin)).toBe(warns);
  });
});

describe('the share password prompt in Chromium', () => {
  let browser: Browser;
  let api: ApiServer;
  let key: string;

  beforeAll(async () => {
    const [launched, server] = await Promise.all([
      launchChromium([`--host-resolver-rules=MAP ${LAN_NAME} 127.0.0.1`]),
      startApiServer('sqlite'),
      buildUi(),
    ]);
    browser = launched;
    api = server;
    const { user, principal } = await api.t.newUser('sharer@example.test');
    await api.t.app.vfs.write(principal, ['report.txt'], bodyOf('quarterly numbers'));
    key = (await api.t.app.shares.create(user, principal, ['report.txt'], { password: 'letmein42' })).key;
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  async function prompt(origin: string) {
    const context = await browser.newContext();
    const { page, watch } = await openPage(context);
    await page.goto(`${origin}/s/${key}`);
    await page.getByLabel('Password').waitFor();
    const warning = page.getByRole('alert').filter({ hasText: 'This connection is not encrypted' });
    return { page, watch, warning, close: () => context.close() };
  }

  it('warns over plain HTTP from another machine, and the password still opens the share', async () => {
    const origin = api.origin.replace('127.0.0.1', LAN_NAME);
    const { page, watch, warning, close } = await prompt(origin);
    try {
      await warning.waitFor();
      expect(await warning.textContent()).toContain('crosses the network unencrypted');
      await page.getByLabel('Password').fill('letmein42');
      await page.getByRole('button', { name: 'Open' }).click();
      await page.getByText('report.txt').first().waitFor();
      expect(watch.errors).toEqual([]);
    } finally {
      await close();
    }
  }, 120_000);

  it('says nothing on this machine', async () => {
    const { warning, watch, close } = await prompt(api.origin);
    try {
      expect(await warning.count()).toBe(0);
      expect(watch.errors).toEqual([]);
    } finally {
      await close();
    }
  }, 120_000);
});
