// Accessibility of the web UI in Debian's Chromium: axe-core, run inside the page, checks every
// main page in its main states at desktop and phone sizes (light) and at desktop size in dark
// mode: sign-in (and its refusal), the file browser (list, grid, a selection, the context menu,
// each dialog), the upload panel and its conflict question, shares, a public share (locked and
// open), a file's versions, the trash (its notice, page and questions), WebDAV (instructions,
// the new account form, the one-time password), settings, and the administration tabs and
// dialogs (shared folders, their members and removal included). Every control must be named,
// every input labelled, the ARIA valid, the text legible and the targets large enough (axe's
// WCAG 2.2 A/AA rules and best practices): any violation fails the test, except the rules
// listed in REPORTED. Everything axe found goes to test-results/a11y-report.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { PASSWORD, startApiServer, writeFile, type ApiServer } from '../support/api-server.js';
import { DESKTOP, PHONE, ROOT, buildUi, launchChromium, openPage, row, signIn } from './web-ui.support.js';

/**
 * axe-core's browser bundle. The app's CSP admits scripts by nonce only, so no <script> tag can
 * carry it; page.evaluate runs it through the DevTools protocol, which the CSP does not govern
 * (an eval *later*, such as waitForFunction's polling of a string, it does refuse).
 */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const AXE_OPTIONS = {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
  resultTypes: ['violations'],
};
/** Rules whose violations are reported but do not fail the test, and why. */
const REPORTED: Record<string, string> = {};
const REPORT = path.join(ROOT, 'test-results', 'a11y-report.json');

/** No transition running (a dialog fading in has too little contrast for axe); spinners may spin. */
const SETTLED = `document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity)`;

interface Violation {
  readonly id: string;
  readonly impact: string | null;
  readonly nodes: Array<{ target: string; summary: string }>;
}
interface Finding {
  readonly rule: string;
  readonly impact: string | null;
  readonly where: string;
  readonly target: string;
  readonly summary: string;
}

let browser: Browser;
let api: ApiServer;
const findings: Finding[] = [];

beforeAll(async () => {
  const [launched, started] = await Promise.all([launchChromium(), startApiServer('sqlite'), buildUi()]);
  browser = launched;
  api = started;
}, 600_000);

afterAll(async () => {
  mkdirSync(path.dirname(REPORT), { recursive: true });
  writeFileSync(REPORT, `${JSON.stringify(findings, null, 2)}\n`);
  await browser?.close();
  await api?.close();
});

/** Runs axe on the page (or the part `scope` selects) and records what it finds under `where`. */
async function check(page: Page, where: string, scope?: string): Promise<void> {
  // Polled from here: waitForFunction would evaluate the string in the page, which the CSP forbids.
  for (const deadline = Date.now() + 60_000; !(await page.evaluate(SETTLED)); await page.waitForTimeout(50))
    if (Date.now() > deadline) throw new Error(`${where}: transitions still running after 60 s`);
  if (!(await page.evaluate("typeof window.axe === 'object'"))) await page.evaluate(`${AXE_SOURCE}\n;0`);
  const context = scope ? JSON.stringify(scope) : 'document';
  const violations = (await page.evaluate(
    `axe.run(${context}, ${JSON.stringify(AXE_OPTIONS)}).then((result) => result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary ?? '' })),
    })))`,
  )) as Violation[];
  for (const violation of violations)
    for (const node of violation.nodes)
      findings.push({ rule: violation.id, impact: violation.impact, where, target: node.target, summary: node.summary });
}

/** The violations of one pass that fail the test, one readable line each. */
function failures(pass: string): string[] {
  return findings
    .filter((finding) => finding.where.startsWith(`${pass} `) && !(finding.rule in REPORTED))
    .map((finding) => `${finding.rule} [${finding.where}] ${finding.target}: ${finding.summary.replace(/\s+/g, ' ')}`);
}

describe('web UI accessibility (axe-core in Chromium)', () => {
  // One pass at a time, each with its own user and browser context (~55 s alone on a loaded
  // machine): side by side they multiplied each other's time past any fixed budget.
  it.for([
    ['desktop', DESKTOP, 'light'],
    ['phone', PHONE, 'light'],
    ['dark', DESKTOP, 'dark'],
  ] as const)(
    'has named controls, labelled inputs, valid ARIA and legible text: %s',
    { timeout: 600_000 },
    async ([pass, viewport, colorScheme], { expect }) => {
      const phone = viewport === PHONE;
      const email = `a11y-${pass}@example.test`;
      const user = await api.t.app.users.create({ email, password: PASSWORD, group: 'Admin' });
      const principal = await api.t.app.users.principalFor(user);
      await api.t.app.vfs.mkdir(principal, ['Projects']);
      await writeFile(api, principal, ['notes.txt'], 'hello\n');
      await writeFile(api, principal, ['draft.txt'], 'first draft\n');
      await writeFile(api, principal, ['draft.txt'], 'second draft\n');
      const contextOptions = { viewport, isMobile: phone, hasTouch: phone, colorScheme, reducedMotion: 'reduce' as const };
      const context = await browser.newContext(contextOptions);
      const { page, watch } = await openPage(context);
      const at = (state: string) => `${pass} ${state}`;
      const dialog = page.getByRole('dialog');
      const cancel = async () => {
        await dialog.getByRole('button', { name: 'Cancel' }).click();
        await dialog.waitFor({ state: 'hidden' });
      };

      // Sign-in, and a refused password.
      await page.goto(`${api.origin}/login`);
      await page.getByLabel('Email').waitFor();
      await check(page, at('sign-in'));
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill('not the password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').waitFor();
      await check(page, at('sign-in refused'));
      await signIn(page, api.origin, email);

      // The file browser: a folder and a file, in a list.
      await row(page, 'notes.txt').waitFor();
      await check(page, at('files list'));
      if (phone) {
        await page.getByRole('button', { name: 'Toggle navigation' }).click();
        await page.getByRole('link', { name: 'Administration' }).waitFor();
        await check(page, at('navigation drawer'));
        await page.getByRole('button', { name: 'Toggle navigation' }).click();
      }
      await page.getByRole('button', { name: 'New folder' }).click();
      await dialog.getByLabel('Folder name').waitFor();
      await check(page, at('new folder dialog'), '[role="dialog"]');
      await cancel();

      // A selection, its toolbar and its dialogs.
      await row(page, 'notes.txt').getByRole('checkbox', { name: 'Select notes.txt' }).click();
      await page.getByText('1 item selected').waitFor();
      await check(page, at('files selected'));
      await page.getByRole('button', { name: 'Rename' }).click();
      await dialog.getByLabel('New name').waitFor();
      await check(page, at('rename dialog'), '[role="dialog"]');
      await cancel();
      await page.getByRole('button', { name: 'Move', exact: true }).click();
      await dialog.getByText('Projects').waitFor();
      await check(page, at('move picker'), '[role="dialog"]');
      await cancel();
      await page.getByRole('button', { name: 'Move to trash' }).click();
      await dialog.getByText('You can restore it from the Trash').waitFor();
      await check(page, at('delete confirmation'), '[role="dialog"]');
      await cancel();
      await page.getByRole('button', { name: 'Share' }).click();
      await dialog.getByLabel('Protect with a password').check();
      await dialog.getByRole('textbox', { name: 'Password' }).fill('letmein42');
      await check(page, at('share dialog'), '[role="dialog"]');
      await dialog.getByRole('button', { name: 'Create link' }).click();
      const link = (await dialog.getByLabel('Share link').inputValue()).replace(/\/letmein42$/, '');
      await check(page, at('share created'), '[role="dialog"]');
      await dialog.getByRole('button', { name: 'Done' }).click();
      await dialog.waitFor({ state: 'hidden' });

      // The context menu, and the grid.
      await row(page, 'notes.txt').click({ button: 'right' });
      await page.getByRole('menu').waitFor();
      await check(page, at('context menu'), '[role="menu"]');
      await page.keyboard.press('Escape');
      await page.getByRole('menu').waitFor({ state: 'hidden' });
      await page.getByRole('button', { name: 'Grid view' }).click();
      await page.getByRole('option', { name: 'notes.txt' }).waitFor();
      await check(page, at('files grid'));
      await page.getByRole('button', { name: 'List view' }).click();
      await row(page, 'notes.txt').waitFor();

      // The upload panel, and the question a name conflict asks.
      const upload = (name: string) =>
        page.getByLabel('Choose files to upload').setInputFiles([{ name, mimeType: 'text/plain', buffer: Buffer.from('uploaded\n') }]);
      await upload('report.txt');
      const panel = page.getByRole('region', { name: 'Uploads' });
      await panel.getByText('Uploads finished').waitFor();
      await row(page, 'report.txt').waitFor();
      await check(page, at('upload panel'));
      await upload('notes.txt');
      await page.getByRole('dialog', { name: 'A file with this name exists' }).waitFor();
      await check(page, at('upload conflict'), '[role="dialog"]');
      await dialog.getByRole('button', { name: 'Skip' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await panel.getByRole('button', { name: 'Clear' }).click();

      // Shares, and the revoke question.
      await page.goto(`${api.origin}/shares`);
      await page.getByRole('table', { name: 'Share links' }).getByText('notes.txt').waitFor();
      await check(page, at('shares'));
      await page.getByRole('button', { name: 'Revoke link to notes.txt' }).click();
      await dialog.getByRole('button', { name: 'Revoke' }).waitFor();
      await check(page, at('revoke share'), '[role="dialog"]');
      await cancel();

      // The public share page, without a session: locked, then open.
      const visitorContext = await browser.newContext(contextOptions);
      const visitor = await openPage(visitorContext);
      await visitor.page.goto(link);
      await visitor.page.getByLabel('Password').waitFor();
      await check(visitor.page, at('public share locked'));
      await visitor.page.getByLabel('Password').fill('letmein42');
      await visitor.page.getByRole('button', { name: 'Open' }).click();
      await visitor.page.getByRole('button', { name: 'Download notes.txt' }).waitFor();
      await check(visitor.page, at('public share open'));
      expect(visitor.watch.errors).toEqual([]);
      await visitorContext.close();

      // WebDAV: the instructions of each system, a new account and its one-time password.
      await page.goto(`${api.origin}/webdav`);
      await page.getByText('Connect via WebDAV').waitFor();
      await check(page, at('webdav'));
      for (const system of ['macOS', 'Linux', 'rclone']) {
        await page.getByRole('tab', { name: system }).click();
        await check(page, at(`webdav ${system} instructions`), '[role="tabpanel"]');
      }
      await page.getByRole('button', { name: 'New account' }).click();
      await dialog.getByLabel('Name').waitFor();
      await dialog.getByText('Projects').waitFor();
      await check(page, at('new webdav account'), '[role="dialog"]');
      await dialog.getByLabel('Name').fill('Laptop');
      await dialog.getByRole('button', { name: 'Create account' }).click();
      await dialog.getByLabel('WebDAV password', { exact: true }).waitFor();
      await check(page, at('webdav password shown'), '[role="dialog"]');
      await dialog.getByRole('button', { name: 'Done' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await page.getByRole('table', { name: 'WebDAV accounts' }).getByText('Laptop').waitFor();
      await check(page, at('webdav accounts'));

      // A file's version history, the notice of a move to the trash, the Trash page and its questions.
      await page.goto(`${api.origin}/home`);
      await row(page, 'draft.txt').click({ button: 'right' });
      await page.getByRole('menuitem', { name: 'Version history…' }).click();
      await dialog.getByRole('table', { name: 'Versions' }).getByText('Current').waitFor();
      await check(page, at('version history'), '[role="dialog"]');
      await dialog.getByRole('button', { name: /^Delete the version/ }).click();
      await dialog.getByRole('button', { name: 'Delete version' }).waitFor();
      await check(page, at('delete version question'), '[role="dialog"]');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      await row(page, 'draft.txt').click();
      await page.getByRole('button', { name: 'Move to trash' }).click();
      await dialog.getByRole('button', { name: 'Move to trash' }).click();
      await page.getByRole('alert').filter({ hasText: 'Moved to the trash' }).getByRole('link', { name: 'Trash' }).waitFor();
      await check(page, at('moved to trash notice'));
      await page.goto(`${api.origin}/trash`);
      await page.getByRole('table', { name: 'Trash' }).getByText('draft.txt').waitFor();
      await check(page, at('trash'));
      await page.getByRole('button', { name: 'Delete permanently: draft.txt' }).click();
      await dialog.getByText('cannot be undone').waitFor();
      await check(page, at('delete permanently question'), '[role="dialog"]');
      await cancel();
      await page.getByRole('button', { name: 'Empty trash' }).click();
      await dialog.getByText('cannot be undone').waitFor();
      await check(page, at('empty trash question'), '[role="dialog"]');
      await cancel();

      // Settings.
      await page.goto(`${api.origin}/settings`);
      await page.getByTestId('storage-used').waitFor();
      await page.getByRole('list', { name: 'Active sessions' }).getByRole('listitem').first().waitFor();
      await check(page, at('settings'));

      // Administration: every tab, and the user and group dialogs.
      await page.goto(`${api.origin}/admin`);
      await page.getByText('Storage by user').waitFor();
      await check(page, at('admin overview'));
      await page.getByRole('tab', { name: 'Users' }).click();
      await page.getByRole('table', { name: 'Users' }).getByText(email).waitFor();
      await check(page, at('admin users'));
      await page.getByRole('button', { name: 'New user' }).click();
      await dialog.getByLabel('Email').waitFor();
      await check(page, at('new user dialog'), '[role="dialog"]');
      await cancel();
      await page.getByRole('button', { name: `Edit ${email}` }).click();
      await dialog.getByText('None: only the primary group.').waitFor();
      await check(page, at('edit user dialog'), '[role="dialog"]');
      await cancel();
      await page.getByRole('tab', { name: 'Groups' }).click();
      await page.getByRole('table', { name: 'Groups' }).getByText('Anonymous').waitFor();
      await check(page, at('admin groups'));
      await page.getByRole('button', { name: 'Edit group User' }).click();
      await dialog.getByLabel('Quota per member (GiB)').waitFor();
      await check(page, at('edit group dialog'), '[role="dialog"]');
      await cancel();
      await page.getByRole('tab', { name: 'Server' }).click();
      await expect.poll(() => page.getByRole('switch', { name: 'WebDAV' }).isChecked()).toBe(true);
      await check(page, at('admin server'));
      await api.t.app.jobs.queue.enqueue('a11y.example', { file: 1 }, { delayMs: 3600_000 });
      await page.getByRole('tab', { name: 'Jobs' }).click();
      await page.getByRole('table', { name: 'Jobs' }).getByText('a11y.example').first().waitFor();
      await check(page, at('admin jobs'));
      const shared = `Team-${pass}`;
      mkdirSync(path.join(api.t.dataDir, shared));
      await api.t.app.mounts.add({ name: shared, dir: path.join(api.t.dataDir, shared) });
      await page.getByRole('tab', { name: 'Shared folders' }).click();
      await page.getByRole('table', { name: 'Shared folders' }).getByText(`/${shared}`, { exact: true }).waitFor();
      await check(page, at('admin shared folders'));
      await page.getByRole('button', { name: `Members of ${shared}` }).click();
      await dialog.getByLabel('Add a member').waitFor();
      await check(page, at('shared folder members dialog'), '[role="dialog"]');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      await page.getByRole('button', { name: `Remove ${shared}` }).click();
      await dialog.getByText('is left as it is').waitFor();
      await check(page, at('remove shared folder dialog'), '[role="dialog"]');
      await cancel();

      expect(watch.dialogs).toEqual([]);
      expect(watch.errors).toEqual([]);
      await context.close();
      const reported = findings.filter((finding) => finding.where.startsWith(`${pass} `) && finding.rule in REPORTED);
      if (reported.length > 0)
        console.info(`${pass}: ${reported.length} reported findings (${Object.keys(REPORTED).join(', ')}), see ${REPORT}`);
      expect(failures(pass)).toEqual([]);
    },
  );
});
