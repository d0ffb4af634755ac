/**
 * One system Chromium per test file, driven by playwright-core (browsers are never downloaded here),
 * phone-sized contexts, a console watcher and numbered screenshots under test/artifacts/web/.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.EV_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS_DIR = resolve(import.meta.dirname, '../../../artifacts/web');
export const PHONE = { width: 390, height: 844 } as const;

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: run \`apt-get install -y chromium\` (bash .ci/setup)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/** A fresh phone: its own cookies and localStorage (so its own signed-in driver), Japanese locale. */
export function phoneContext(browser: Browser, locale = 'ja-JP'): Promise<BrowserContext> {
  return browser.newContext({
    viewport: PHONE,
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale,
    timezoneId: 'Asia/Tokyo',
  });
}

export interface ConsoleProblem {
  kind: 'console.error' | 'pageerror';
  text: string;
  url: string;
}

/** Collects console errors and uncaught exceptions of every page the context opens (incl. after navigations). */
export function watchConsole(context: BrowserContext, problems: ConsoleProblem[] = []): ConsoleProblem[] {
  const watch = (page: Page) => {
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      problems.push({ kind: 'console.error', text: message.text(), url: message.location().url || page.url() });
    });
    page.on('pageerror', (error) => problems.push({ kind: 'pageerror', text: String(error), url: page.url() }));
  };
  for (const page of context.pages()) watch(page);
  context.on('page', watch);
  return problems;
}

/**
 * Screenshots named `<prefix>-<nn>-<step>.png`, numbered in the order the journey takes them; the
 * prefix's shots from an earlier run are removed first so the folder shows one run.
 */
export function screenshotter(prefix: string): (page: Page, step: string) => Promise<string> {
  let n = 0;
  return async (page, step) => {
    if (n === 0) {
      await mkdir(ARTIFACTS_DIR, { recursive: true });
      const old = (await readdir(ARTIFACTS_DIR)).filter((f) => f.startsWith(`${prefix}-`) && f.endsWith('.png'));
      await Promise.all(old.map((f) => rm(join(ARTIFACTS_DIR, f), { force: true })));
    }
    n += 1;
    const path = join(ARTIFACTS_DIR, `${prefix}-${String(n).padStart(2, '0')}-${step}.png`);
    await page.screenshot({ path, fullPage: true, animations: 'disabled', caret: 'hide' });
    // A phone screen must never scroll sideways: content wider than the viewport is a layout bug.
    const width = await page.locator('html').evaluate((html) => html.scrollWidth);
    if (width > PHONE.width) throw new Error(`${path}: the page is ${width}px wide on a ${PHONE.width}px phone`);
    return path;
  };
}
