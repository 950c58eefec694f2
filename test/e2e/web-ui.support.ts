// Shared by the web UI tests: building the UI once per change, Debian's Chromium, a page that
// records what must never happen (alert() calls, uncaught errors, CSP refusals), and useWebUi,
// the server-and-browser fixture a new test file starts from.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { AppOptions } from '../../src/app.js';
import type { ConfigInput } from '../../src/config/index.js';
import type { SqlDialectName } from '../../src/db/index.js';
import { startApiServer, type ApiServer } from '../support/api-server.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const SCREENSHOTS = path.join(ROOT, 'test-results', 'screenshots');
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };
export const XSS = '"><img src=x onerror=alert(1)>';
/**
 * The databases the browser tests run on: SQLite only. The browser sees the API, which the
 * tests in test/api run on both databases; running every page twice doubled the slowest
 * part of CI and could catch nothing the API tests do not.
 */
export const UI_DIALECTS: readonly SqlDialectName[] = ['sqlite'];
const CHROMIUM = '/usr/bin/chromium';
const STAMP = path.join(ROOT, 'web', 'dist', '.built');
const INPUTS = ['web/src', 'web/public', 'web/index.html', 'web/vite.config.ts', 'package-lock.json'];

function newest(entry: string): number {
  const info = statSync(entry, { throwIfNoEntry: false });
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(info.mtimeMs, ...readdirSync(entry).map((name) => newest(path.join(entry, name))));
}

function upToDate(): boolean {
  const built = statSync(STAMP, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  return built > Math.max(...INPUTS.map((input) => newest(path.join(ROOT, input))));
}

/** How long a build may take (execFile's timeout below); waiting for another process's build allows as much. */
const BUILD_MS = 600_000;

/** One process at a time (the web UI test files run in parallel and share web/dist). */
async function exclusive<T>(run: () => Promise<T>): Promise<T> {
  const lock = path.join(os.tmpdir(), `cumulus-web-build-${createHash('sha1').update(ROOT).digest('hex').slice(0, 12)}.lock`);
  const owner = path.join(lock, 'pid');
  const deadline = Date.now() + BUILD_MS;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(owner, String(process.pid));
      break;
    } catch {
      // A lock whose process is gone (a killed run) is stale; a live builder is waited for,
      // however slow the machine (its build ends within BUILD_MS).
      if (lockIsStale(lock, owner)) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`gave up waiting for ${lock}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    return await run();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function lockIsStale(lock: string, owner: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(owner, 'utf8'));
  } catch {
    // No owner written yet (or the lock just went): stale only if it has been so for long.
    const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    return age > BUILD_MS;
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Builds the UI into web/dist as `npm run build:web` does, unless a build of the current
 * sources is already there (another test file of this run built it).
 */
export function buildUi(): Promise<void> {
  return exclusive(async () => {
    if (upToDate()) return;
    await new Promise<void>((resolve, reject) => {
      execFile(
        process.execPath,
        [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', 'web', '--logLevel', 'warn'],
        { cwd: ROOT, timeout: BUILD_MS },
        (error, _stdout, stderr) => (error ? reject(new Error(`vite build failed: ${stderr}`)) : resolve()),
      );
    });
    writeFileSync(STAMP, new Date().toISOString());
  });
}

/** Debian's Chromium, headless; `extraArgs` are more command-line switches (e.g. --host-resolver-rules). */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing; scripts/test-all.sh installs Debian's chromium`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', ...extraArgs],
  });
}

/** What a page did that it must not: alert() calls, uncaught errors, CSP refusals. */
export interface Watch {
  readonly dialogs: string[];
  readonly errors: string[];
}

export async function openPage(context: BrowserContext): Promise<{ page: Page; watch: Watch }> {
  context.setDefaultTimeout(60_000);
  const page = await context.newPage();
  const watch: Watch = { dialogs: [], errors: [] };
  page.on('dialog', (dialog) => {
    watch.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  // Every CSP refusal, with what was refused and where, reported back through the console.
  // (A string: this runs in the page, and the tests' TypeScript has no DOM types.)
  await page.addInitScript(`document.addEventListener('securitypolicyviolation', (event) =>
    console.error('CSP violation: ' + event.violatedDirective + ' ' + JSON.stringify(event.sample) + ' at ' + event.sourceFile + ':' + event.lineNumber));`);
  page.on('pageerror', (error) => watch.errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    // A refused request the UI reports in place is fine; a script or style the CSP blocked is not.
    if (message.type() === 'error' && message.text().startsWith('CSP violation')) watch.errors.push(message.text());
  });
  return { page, watch };
}

export async function shoot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(200); // let transitions settle
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

export async function signIn(page: Page, origin: string, email: string, password = 'correct horse battery'): Promise<void> {
  await page.goto(`${origin}/`);
  await page.waitForURL(/\/login/);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/home/);
}

/** A file or folder of the listing (list or grid), by its name. */
export const row = (page: Page, name: string) => page.locator(`[data-name="${name.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"]`);

/** The session the app keeps in localStorage (web/src/api/session.ts), or null when signed out. */
export async function storedSession(page: Page): Promise<{ token: { access_token: string; refresh_token: string } } | null> {
  return (await page.evaluate("JSON.parse(localStorage.getItem('cumulus.session'))")) as {
    token: { access_token: string; refresh_token: string };
  } | null;
}

/** Chromium for a test file: launched (and the UI built) before its tests, closed after them. */
export function useChromium(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    const [launched] = await Promise.all([launchChromium(), buildUi()]);
    browser = launched;
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('Chromium starts in beforeAll: use it in a test or a hook');
    return browser;
  };
}

/** What `useWebUi` gives a test file: the server, the browser, and pages that are closed for it. */
export interface WebUi {
  readonly api: ApiServer;
  readonly browser: Browser;
  /** A new browser context (closed after the file's tests) at a viewport: DESKTOP by default, PHONE as a touch phone. */
  newContext(viewport?: { width: number; height: number }, options?: BrowserContextOptions): Promise<BrowserContext>;
  /** A watched page in a new context (see openPage). */
  open(
    viewport?: { width: number; height: number },
    options?: BrowserContextOptions,
  ): Promise<{ page: Page; watch: Watch; context: BrowserContext }>;
}

/**
 * The fixture of a web UI test file: builds the UI if needed, launches Chromium and starts a
 * real server (SQLite unless told) in beforeAll, and closes every context, the browser and the
 * server in afterAll. Call it at the top of a file or a describe block:
 *
 *   const ui = useWebUi({ server: { config: { uploads: { chunkSizeBytes: 256 * 1024 } } } });
 *   it('...', async () => { const { page } = await ui.open(); await signIn(page, ui.api.origin, email); });
 */
export function useWebUi(
  options: { dialect?: SqlDialectName; server?: Partial<AppOptions> & { config?: ConfigInput }; chromiumArgs?: readonly string[] } = {},
): WebUi {
  let started: { api: ApiServer; browser: Browser } | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    const [browser, api] = await Promise.all([
      launchChromium(options.chromiumArgs),
      startApiServer(options.dialect ?? 'sqlite', options.server),
      buildUi(),
    ]);
    started = { api, browser };
  }, 600_000);
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await started?.browser.close();
    await started?.api.close();
  });
  const current = () => {
    if (!started) throw new Error('The web UI fixture starts in beforeAll: use it in a test or a hook');
    return started;
  };
  const newContext = async (viewport = DESKTOP, more: BrowserContextOptions = {}) => {
    const phone = viewport === PHONE;
    const context = await current().browser.newContext({ viewport, isMobile: phone, hasTouch: phone, ...more });
    contexts.push(context);
    return context;
  };
  return {
    get api() {
      return current().api;
    },
    get browser() {
      return current().browser;
    },
    newContext,
    async open(viewport, more) {
      const context = await newContext(viewport, more);
      return { ...(await openPage(context)), context };
    },
  };
}
