// Photo libraries in Debian's Chromium (issue 12): a folder becomes a library from its menu
// ("Photo library…"); the Photos page leads to its timeline, by month, newest first, with
// thumbnails; the lightbox moves with the arrow keys, shows the metadata and closes on Escape.
// axe-core checks the timeline and the lightbox.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePath } from '../../src/core/index.js';
import { PASSWORD, startApiServer, type ApiServer } from '../support/api-server.js';
import { exifJpeg } from '../support/media-samples.js';
import { jpeg } from '../services/photos/support.js';
import { DESKTOP, buildUi, launchChromium, openPage, row, shoot, signIn } from './web-ui.support.js';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

/** axe's violations in the page (or the part `scope` selects), one line each. */
async function violations(page: Page, scope = 'document'): Promise<string[]> {
  await page.waitForTimeout(300); // a dialog fading in has too little contrast for axe
  if (!(await page.evaluate("typeof window.axe === 'object'"))) await page.evaluate(`${AXE_SOURCE}\n;0`);
  return (await page.evaluate(
    `axe.run(${scope === 'document' ? scope : JSON.stringify(scope)}, { runOnly: { type: 'tag', values: ${JSON.stringify(AXE_TAGS)} } })
      .then((result) => result.violations.flatMap((v) => v.nodes.map((n) => v.id + ' ' + n.target.join(' '))))`,
  )) as string[];
}

let browser: Browser;
let api: ApiServer;

beforeAll(async () => {
  const [launched, started] = await Promise.all([launchChromium(), startApiServer('sqlite'), buildUi()]);
  browser = launched;
  api = started;
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
});

describe('web UI photo libraries in Chromium (sqlite)', () => {
  it(
    'marks a folder from its menu, shows its timeline by month and moves through the lightbox by keyboard',
    { timeout: 300_000 },
    async () => {
      const user = await api.t.app.users.create({ email: 'photos-ui@example.test', password: PASSWORD, group: 'User' });
      const principal = await api.t.app.users.principalFor(user);
      await api.t.app.vfs.mkdir(principal, parsePath('/Holidays'));
      const photos: Array<[string, Buffer]> = [
        ['old.jpg', await jpeg('#a03030', '2020:01:05 10:00:00')],
        ['eiffel.jpg', await exifJpeg()], // 2021-05-14, Canon EOS R5
        ['new.jpg', await jpeg('#3030a0', '2022:03:01 10:00:00')],
      ];
      for (const [name, content] of photos) {
        const { entry } = await api.t.app.vfs.write(principal, ['Holidays', name], Readable.from([content]));
        await api.t.app.media.ensureIndexed(entry.blobId!, name);
      }
      const context = await browser.newContext({ viewport: DESKTOP, reducedMotion: 'reduce' });
      try {
        const { page, watch } = await openPage(context);
        await signIn(page, api.origin, user.email);
        await row(page, 'Holidays').click({ button: 'right' });
        await page.getByRole('menuitem', { name: 'Photo library…' }).click();
        await page.getByRole('button', { name: 'Make it a photo library' }).click();
        await expect
          .poll(async () => (await api.t.app.libraries.list(principal)).map((library) => library.importPath))
          .toEqual([['Holidays', 'Import']]);

        await page.getByRole('link', { name: 'Photos' }).click();
        await page.getByRole('link', { name: '/Holidays' }).click();
        const months = page.getByRole('heading', { level: 2 });
        await expect.poll(() => months.allTextContents()).toEqual(['March 2022', 'May 2021', 'January 2020']);
        await expect.poll(() => page.locator('img.thumb').count()).toBe(3);
        expect(await violations(page)).toEqual([]);
        await shoot(page, 'photos-timeline-desktop');

        await page.getByRole('button', { name: /^new\.jpg/ }).click();
        const dialog = page.getByRole('dialog');
        await expect.poll(() => dialog.getByRole('heading').textContent()).toBe('new.jpg');
        await page.keyboard.press('ArrowRight');
        await expect.poll(() => dialog.getByRole('heading').textContent()).toBe('eiffel.jpg');
        await expect.poll(() => dialog.getByLabel('Metadata').textContent()).toContain('Canon EOS R5');
        await dialog.getByRole('img', { name: 'eiffel.jpg' }).waitFor();
        expect(await violations(page, '[role="dialog"]')).toEqual([]);
        await page.keyboard.press('ArrowRight');
        await expect.poll(() => dialog.getByRole('heading').textContent()).toBe('old.jpg');
        await page.keyboard.press('ArrowLeft');
        await expect.poll(() => dialog.getByRole('heading').textContent()).toBe('eiffel.jpg');
        await page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'hidden' });
        expect(watch.errors).toEqual([]);
      } finally {
        await context.close();
      }
    },
  );
});
