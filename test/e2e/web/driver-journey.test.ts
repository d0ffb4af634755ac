/**
 * Issue 7 acceptance: the driver web app in real Chromium on a phone viewport (390×844, ja-JP) against
 * the whole local stack — sign up, first start through hosted Checkout, live kWh, stop with
 * confirmation, receipt, a second start with the card on file, a declined card recovered through
 * Pay now, and the English switch. Each step leaves a screenshot in test/artifacts/web/.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../../support/test-stack.js';
import { type ConsoleProblem, launchChromium, phoneContext, screenshotter, watchConsole } from './support/browser.js';
import {
  pageLang,
  payOnHostedPage,
  STEP_TIMEOUT_MS,
  signUpAndSignIn,
  stopWithConfirmation,
  tapStart,
  text,
  waitForRisingEnergy,
  waitForSessionState,
} from './support/driver-app.js';
import { ensureWebBuild } from './support/web-build.js';

const OK_CARD = '4242 4242 4242 4242';
const DECLINING_CARD = '4000 0000 0000 0341'; // attaches fine, every charge fails
// Minatomirai bays carry a ¥110 session fee, so a short session is charged rather than carried over (< ¥50).
const FEE_STATION_A = 'YOK-MM-01';
const FEE_STATION_B = 'YOK-MM-02';

let t: TestStack;
let browser: Browser;
const contexts: BrowserContext[] = [];
const problems: ConsoleProblem[] = [];
let counter = 0;
const email = (tag: string) => `${tag}-${Date.now().toString(36)}-${++counter}@example.com`;

async function phone(): Promise<Page> {
  const context = await phoneContext(browser);
  contexts.push(context);
  watchConsole(context, problems);
  return context.newPage();
}

beforeAll(async () => {
  await ensureWebBuild();
  // Started side by side; if one fails, the other is still closed in afterAll.
  const [stack, chromium] = await Promise.allSettled([startTestStack({ EV_WEB: 'on' }), launchChromium()]);
  if (stack.status === 'fulfilled') t = stack.value;
  if (chromium.status === 'fulfilled') browser = chromium.value;
  if (stack.status === 'rejected') throw stack.reason;
  if (chromium.status === 'rejected') throw chromium.reason;
}, 180_000);

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await t?.stop();
});

describe('the driver web app in Chromium on a phone', () => {
  it('signs up, pays through Checkout, watches kWh rise, stops, reads the receipt, starts again on the saved card, switches to English', async ({
    onTestFailed,
  }) => {
    const page = await phone();
    const shot = screenshotter('driver');
    onTestFailed(async () => void (await shot(page, 'failure').catch(() => undefined)));
    const webUrl = t.stack.urls.web ?? '';
    const stripeOrigin = new URL(t.stack.urls.stripe).origin;
    expect(webUrl).not.toBe('');

    await page.goto(webUrl);
    await expect.poll(() => pageLang(page)).toBe('ja');
    await shot(page, 'sign-in');
    await signUpAndSignIn(page, t.stack.cognitoPool, email('web'), (step) => shot(page, step));
    await shot(page, 'stations');

    // First start: no card yet, so the tap leads to the hosted Checkout page.
    await tapStart(page, FEE_STATION_A);
    await page.waitForURL((url) => url.origin === stripeOrigin, { timeout: STEP_TIMEOUT_MS });
    await page.locator('[data-testid="setup-notice"]').waitFor(); // saving a card, not paying yet
    await payOnHostedPage(page, OK_CARD, () => shot(page, 'checkout-setup'));
    await page.waitForURL((url) => url.href.startsWith(webUrl) && url.pathname.startsWith('/sessions/'), {
      timeout: STEP_TIMEOUT_MS,
    });
    expect(new URL(page.url()).searchParams.get('checkout')).toBe('success');

    const rising = await waitForRisingEnergy(page);
    expect(rising.wh[1]).toBeGreaterThan(rising.wh[0]);
    expect(rising.shown[1]).not.toBe(rising.shown[0]);
    expect(rising.shown[1]).toMatch(/^\d+\.\d{2} kWh$/);
    await page.locator('[data-testid="power-chart"]').waitFor();
    await shot(page, 'charging');

    await stopWithConfirmation(page, (step) => shot(page, step));
    expect(await waitForSessionState(page, ['PAID'])).toBe('PAID');
    await page.locator('[data-testid="receipt"]').waitFor();
    expect(await text(page, 'receipt-energy')).toMatch(/^\d+\.\d{2} kWh$/);
    // ¥110 session fee + ¥45/kWh for a few Wh: at least the fee, in whole yen.
    expect(Number((await text(page, 'receipt-charged')).replace(/[¥,]/g, ''))).toBeGreaterThanOrEqual(110);
    expect(await text(page, 'receipt-card')).toBe('Visa •••• 4242');
    await shot(page, 'receipt');

    // Second start: the card is on file, so the app goes straight to the session (no Checkout).
    const visitedStripe: string[] = [];
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame() && new URL(frame.url()).origin === stripeOrigin) visitedStripe.push(frame.url());
    });
    await page.click('[data-testid="back-to-stations"]');
    await tapStart(page, FEE_STATION_B);
    await waitForRisingEnergy(page);
    await shot(page, 'second-charging');
    await stopWithConfirmation(page);
    expect(await waitForSessionState(page, ['PAID'])).toBe('PAID');
    expect(await text(page, 'receipt-card')).toContain('4242');
    expect(visitedStripe).toEqual([]);
    await shot(page, 'second-receipt');

    // English: the same receipt in other words, remembered across a reload.
    await page.click('[data-testid="lang-switch"]');
    await expect.poll(() => pageLang(page)).toBe('en');
    expect(await text(page, 'session-state')).toBe('Paid');
    expect(await text(page, 'receipt-card')).toBe('Visa •••• 4242');
    await shot(page, 'english-receipt');
    await page.reload();
    await waitForSessionState(page, ['PAID']);
    expect(await pageLang(page)).toBe('en');
    await page.click('[data-testid="nav-history"]');
    await page.locator('[data-testid="history-screen"]').waitFor();
    await shot(page, 'english-history');
  });

  it('explains a declined card with a banner, takes Pay now on the hosted page, and clears the banner', async ({
    onTestFailed,
  }) => {
    const page = await phone();
    const shot = screenshotter('declined');
    onTestFailed(async () => void (await shot(page, 'failure').catch(() => undefined)));
    const webUrl = t.stack.urls.web ?? '';
    const stripeOrigin = new URL(t.stack.urls.stripe).origin;

    await page.goto(webUrl);
    await signUpAndSignIn(page, t.stack.cognitoPool, email('web-declined'));
    await tapStart(page, FEE_STATION_A);
    await page.waitForURL((url) => url.origin === stripeOrigin, { timeout: STEP_TIMEOUT_MS });
    await payOnHostedPage(page, DECLINING_CARD);
    await waitForRisingEnergy(page);
    await stopWithConfirmation(page);

    expect(await waitForSessionState(page, ['PAYMENT_FAILED'])).toBe('PAYMENT_FAILED');
    await page.locator('[data-testid="money-problem"]').waitFor();
    await shot(page, 'session-declined');

    await page.click('[data-testid="back-to-stations"]');
    const banner = page.locator('[data-testid="balance-banner"]');
    await banner.waitFor();
    const owed = /¥[\d,]+/.exec(await text(page, 'balance-banner-text'))?.[0];
    expect(owed).toMatch(/^¥\d/);
    // Blocked until settled: no new session can start.
    expect(await page.locator(`[data-testid="start-${FEE_STATION_B}"]`).isDisabled()).toBe(true);
    await shot(page, 'banner');

    await page.click('[data-testid="balance-banner"] [data-testid="pay-now"]');
    await page.waitForURL((url) => url.origin === stripeOrigin, { timeout: STEP_TIMEOUT_MS });
    expect(await page.locator('[data-testid="amount"]').textContent()).toBe(owed);
    await payOnHostedPage(page, OK_CARD, () => shot(page, 'pay-now-checkout'));
    await page.waitForURL((url) => url.href.startsWith(webUrl), { timeout: STEP_TIMEOUT_MS });
    expect(await waitForSessionState(page, ['PAID'])).toBe('PAID');
    await shot(page, 'paid');

    await page.click('[data-testid="back-to-stations"]');
    await page.locator('[data-testid="station-list"]').waitFor();
    await page.locator(`[data-testid="start-${FEE_STATION_B}"]:enabled`).waitFor({ timeout: STEP_TIMEOUT_MS });
    expect(await banner.count()).toBe(0);
    await shot(page, 'banner-gone');
  });

  it('logged no console errors and no uncaught exceptions on any page', async () => {
    for (const context of contexts.splice(0)) await context.close();
    // The emulator's hosted page (Stripe's, in production) has no icon, so Chromium's automatic
    // /favicon.ico request there is a 404: not the app's doing. Everything else counts.
    const stripeOrigin = new URL(t.stack.urls.stripe).origin;
    const hostedPageFavicon = (p: ConsoleProblem) =>
      p.kind === 'console.error' && p.url === `${stripeOrigin}/favicon.ico`;
    expect(problems.filter((p) => !hostedPageFavicon(p))).toEqual([]);
  });
});
