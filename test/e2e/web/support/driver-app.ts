/**
 * The driver web app as a person uses it, step by step, through its data-testids (web/README.md),
 * and the emulator's hosted Checkout page. Every step waits on what is on screen, never on time.
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { type CognitoPoolRef, readConfirmationCode } from '../../../../infra/local/cognito/index.js';

export const STEP_TIMEOUT_MS = 30_000;
export const PASSWORD = 'Browser-Passw0rd!';

const tid = (id: string) => `[data-testid="${id}"]`;
const sessionIn = (states: readonly string[]) =>
  states.map((s) => `${tid('session-screen')}[data-state="${s}"]`).join(', ');

export async function text(page: Page, testId: string): Promise<string> {
  return ((await page.locator(tid(testId)).textContent()) ?? '').trim();
}

/** Sign-up form → confirmation code (read from cognito-local as a person reads its log) → signed in. */
export async function signUpAndSignIn(
  page: Page,
  pool: CognitoPoolRef,
  email: string,
  shot?: (step: string) => Promise<unknown>,
): Promise<void> {
  await page.locator(tid('auth-signIn')).waitFor();
  await page.click(tid('auth-to-signup'));
  await page.locator(tid('auth-signUp')).waitFor();
  await page.fill(tid('auth-email'), email);
  await page.fill(tid('auth-password'), PASSWORD);
  await shot?.('sign-up');
  await page.click(tid('auth-submit'));
  await page.locator(tid('auth-confirm')).waitFor();
  await page.fill(tid('auth-code'), await readConfirmationCode(pool, email));
  await shot?.('confirm');
  await page.click(tid('auth-submit'));
  await page
    .locator(`${tid('station-list')} article`)
    .first()
    .waitFor();
}

/** Taps Start once the button is enabled (the station list and `me` have loaded). */
export async function tapStart(page: Page, stationId: string): Promise<void> {
  await page.locator(`${tid(`start-${stationId}`)}:enabled`).click({ timeout: STEP_TIMEOUT_MS });
}

/** Fills the emulator's hosted Checkout form (setup or payment mode) and submits it. */
export async function payOnHostedPage(page: Page, card: string, shot?: (step: string) => Promise<unknown>) {
  await page.locator('#cardNumber').waitFor();
  await page.fill('#email', 'driver@example.com');
  await page.fill('#cardNumber', card);
  await page.fill('#expiry', '12 / 34');
  await page.fill('#cvc', '123');
  await page.fill('#name', 'Hanako Yamada');
  await shot?.('checkout');
  await page.click(tid('submit'));
}

export async function waitForSessionState(page: Page, states: readonly string[], timeout = STEP_TIMEOUT_MS) {
  try {
    await page.locator(sessionIn(states)).waitFor({ timeout });
  } catch (error) {
    const shown = await page
      .locator(tid('session-screen'))
      .getAttribute('data-state', { timeout: 1_000 })
      .catch(() => 'no session screen');
    throw new Error(`waited ${timeout} ms for ${states.join('|')}, the screen shows ${shown} at ${page.url()}`, {
      cause: error,
    });
  }
  return (await page.locator(tid('session-screen')).getAttribute('data-state')) ?? '';
}

/** The page's `<html lang>`: which language the app is showing. */
export function pageLang(page: Page): Promise<string | null> {
  return page.locator('html').getAttribute('lang');
}

async function liveWh(page: Page): Promise<number> {
  return Number((await page.locator(tid('live-energy')).getAttribute('data-wh')) ?? 'NaN');
}

/**
 * Waits for CHARGING with energy on the meter, then for the figure the driver reads to change
 * (the display steps in 10 Wh, a few seconds at 6 kW): the Wh and the texts before and after.
 */
export async function waitForRisingEnergy(page: Page) {
  await waitForSessionState(page, ['CHARGING']);
  const poll = { timeout: STEP_TIMEOUT_MS, interval: 100 };
  await expect.poll(() => liveWh(page), poll).toBeGreaterThan(0);
  const firstWh = await liveWh(page);
  const firstText = await text(page, 'live-energy');
  await expect.poll(() => liveWh(page), poll).toBeGreaterThan(firstWh);
  await expect.poll(() => text(page, 'live-energy'), poll).not.toBe(firstText);
  return { wh: [firstWh, await liveWh(page)], shown: [firstText, await text(page, 'live-energy')] } as const;
}

/** Stop → the confirmation dialog (shot while open) → confirm. */
export async function stopWithConfirmation(page: Page, shot?: (step: string) => Promise<unknown>) {
  await page.click(tid('stop'));
  await page.locator(`${tid('stop-dialog')}[open]`).waitFor();
  await shot?.('stop-confirm');
  await page.click(tid('stop-confirm'));
}
