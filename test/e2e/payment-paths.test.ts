/**
 * Every Stripe test card through the whole platform (issue 5): save it on the hosted Checkout page
 * (walking the emulator's 3DS step where the card asks for one), charge, stop, and check the session's
 * outcome, the driver's block, the recovery through payOutstanding, and what the emulator holds.
 * Below ¥50 the amount is carried to the driver's next session.
 * The card paths run concurrently, each holding one station of a pool at a time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { payHostedCheckout } from '../../infra/local/stripe/index.js';
import type { AmplifyNodeUser } from '../support/amplify-node.js';
import { ok, signedUpDriver } from '../support/journey.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import {
  CARDS,
  chargeSession,
  emulatorStripe,
  errorTypes,
  meOf,
  paymentIntentsOf,
  payOutstanding,
  StationPool,
  startCharge,
  startCharging,
  stopAfter,
  untilSession,
} from './support-flows.js';

let t: TestStack;
const users: AmplifyNodeUser[] = [];
/** ¥110 session fee: every session there is at least ¥50, so the card is charged. */
const feeStations = new StationPool(['YOK-MM-01', 'YOK-MM-02']);
/** No session fee, ¥55.5/kWh at 3 kW: a short session costs well under ¥50. */
const cheapStations = new StationPool(['TKY-SBY-01', 'TKY-SBY-02']);

beforeAll(async () => {
  t = await startTestStack({ EV_STATIONS: '5', EV_REPORT_MS: '300' });
}, 120_000);

afterAll(async () => {
  for (const u of users) await u.dispose();
  await t?.stop();
});

async function driver(tag: string): Promise<AmplifyNodeUser> {
  const { user } = await signedUpDriver(t.target, t.stack.cognitoPool, tag);
  users.push(user);
  return user;
}

const ledgerOf = (id: string) => t.stack.deps.ports.sessions.ledger(id);

async function succeededIntents(sessionId: string) {
  return (await paymentIntentsOf(emulatorStripe(t.stack), sessionId)).filter((pi) => pi.status === 'succeeded');
}

/** A blocked driver's start is refused and leaves no session behind. */
async function expectStartRefused(user: AmplifyNodeUser) {
  const before = (await t.stack.deps.ports.sessions.listByDriver(await user.sub(), 100)).items.length;
  const refused = await cheapStations.use((stationId) => startCharge(user, stationId));
  expect(errorTypes(refused)).toEqual(['PAYMENT.REQUIRED']);
  expect((await t.stack.deps.ports.sessions.listByDriver(await user.sub(), 100)).items.length).toBe(before);
}

describe.concurrent('every test card ends in the right session outcome', () => {
  it('4242 4242 4242 4242 → PAID off-session, with the card on the receipt', async () => {
    const user = await driver('visa');
    const final = await feeStations.use((stationId) => chargeSession(user, stationId, { card: CARDS.ok }));
    expect(final.state).toBe('PAID');
    expect(final.receipt).toMatchObject({ cardLast4: '4242', chargedYen: final.amountYen, carriedInYen: 0 });
    expect((await ledgerOf(final.id)).find((e) => e.to === 'PAID')?.evidence.via).toBe('offSession');
    expect((await succeededIntents(final.id)).map((pi) => pi.id)).toEqual([final.receipt?.paymentIntentId]);
    expect(await meOf(user)).toMatchObject({ blocked: false, outstandingYen: 0, hasCard: true });
  });

  it('4000 0025 0000 3155 → 3DS when saving (a failed challenge saves nothing), then PAID off-session', async () => {
    const user = await driver('auth-on-setup');
    const final = await feeStations.use(async (stationId) => {
      const started = (await ok(startCharge(user, stationId))).startCharge;
      const url = started.checkoutUrl;
      if (!url) throw new Error('expected Checkout for a driver without a card');
      const failed = await payHostedCheckout(url, { card: CARDS.authOnSetup, authenticate: 'fail' });
      expect(failed.outcome).toBe('authentication_failed');
      expect((await meOf(user)).hasCard).toBe(false);
      const saved = await payHostedCheckout(url, { card: CARDS.authOnSetup, authenticate: 'complete' });
      expect(saved.outcome).toBe('completed');
      await untilSession(user, started.session.id, (s) => s.state === 'CHARGING');
      return stopAfter(user, started.session.id);
    });
    expect(final.state).toBe('PAID');
    expect(final.receipt?.cardLast4).toBe('3155');
    expect((await ledgerOf(final.id)).find((e) => e.to === 'PAID')?.evidence.via).toBe('offSession');
    expect(await succeededIntents(final.id)).toHaveLength(1);
  });

  it('4000 0027 6000 3184 → PAYMENT_ACTION_REQUIRED, blocked, then PAID on the hosted page', async () => {
    const user = await driver('always-auth');
    const final = await feeStations.use((stationId) =>
      chargeSession(user, stationId, { card: CARDS.alwaysAuth, authenticate: 'complete' }),
    );
    expect(final).toMatchObject({ state: 'PAYMENT_ACTION_REQUIRED', failureCode: 'authentication_required' });
    expect(await meOf(user)).toMatchObject({ blocked: true, outstandingYen: final.amountYen });
    await expectStartRefused(user);

    const asked = await payOutstanding(user, CARDS.alwaysAuth, 'complete');
    expect(asked).toBe(final.amountYen);
    const paid = await untilSession(user, final.id, (s) => s.state === 'PAID');
    expect(paid.receipt?.chargedYen).toBe(final.amountYen);
    expect((await ledgerOf(final.id)).find((e) => e.to === 'PAID')?.evidence.via).toBe('checkout');
    expect(await succeededIntents(final.id)).toHaveLength(1);
    expect(await meOf(user)).toMatchObject({ blocked: false, outstandingYen: 0 });
  });

  it('4000 0000 0000 0341 → PAYMENT_FAILED; blocked until paid with 4242, then can start again', async () => {
    const user = await driver('decline');
    const final = await feeStations.use((stationId) =>
      chargeSession(user, stationId, { card: CARDS.attachThenDecline }),
    );
    expect(final.state).toBe('PAYMENT_FAILED');
    expect(final.failureCode).toBe('generic_decline');
    expect(await meOf(user)).toMatchObject({ blocked: true, outstandingYen: final.amountYen });
    await expectStartRefused(user);
    expect(await succeededIntents(final.id)).toHaveLength(0);

    expect(await payOutstanding(user, CARDS.ok)).toBe(final.amountYen);
    const paid = await untilSession(user, final.id, (s) => s.state === 'PAID');
    // The receipt names the card that paid, and that card is now the one on file.
    const recovery = await succeededIntents(final.id);
    expect(recovery).toHaveLength(1);
    expect(paid.receipt).toMatchObject({
      cardBrand: 'visa',
      cardLast4: '4242',
      chargedYen: final.amountYen,
      paymentIntentId: recovery[0]?.id,
    });
    expect(await meOf(user)).toMatchObject({ blocked: false, outstandingYen: 0, cardLast4: '4242' });

    // Unblocked: a new session starts; kept short at a cheap station, it is carried, not charged.
    const next = await cheapStations.use(async (stationId) => {
      const { session, usedCheckout } = await startCharging(user, stationId);
      expect(usedCheckout).toBe(false);
      return stopAfter(user, session.id);
    });
    expect(next.state).toBe('CARRIED_OVER');
  });

  it('4000 0000 0000 9995 → PAYMENT_FAILED (insufficient_funds)', async () => {
    const user = await driver('no-funds');
    const final = await feeStations.use((stationId) =>
      chargeSession(user, stationId, { card: CARDS.insufficientFunds }),
    );
    expect(final).toMatchObject({ state: 'PAYMENT_FAILED', failureCode: 'insufficient_funds' });
    expect((await meOf(user)).blocked).toBe(true);
    expect(await succeededIntents(final.id)).toHaveLength(0);
  });

  it('4000 0082 6000 3178 → 3DS when saving, then PAYMENT_FAILED (insufficient_funds)', async () => {
    const user = await driver('auth-then-no-funds');
    const final = await feeStations.use((stationId) =>
      chargeSession(user, stationId, { card: CARDS.authThenInsufficient, authenticate: 'complete' }),
    );
    expect(final).toMatchObject({ state: 'PAYMENT_FAILED', failureCode: 'insufficient_funds' });
    expect((await meOf(user)).blocked).toBe(true);
    expect(await succeededIntents(final.id)).toHaveLength(0);
  });

  it('below ¥50: CARRIED_OVER into the balance, then charged together with the next session', async () => {
    const user = await driver('carry');
    // TKY-SBY-03: no session fee, ¥1 per started minute — a short session costs a few yen, never ¥0.
    const small = await chargeSession(user, 'TKY-SBY-03', { card: CARDS.ok });
    expect(small.state).toBe('CARRIED_OVER');
    const carried = small.amountYen ?? 0;
    expect(carried).toBeGreaterThan(0);
    expect(carried).toBeLessThan(50);
    expect(await meOf(user)).toMatchObject({ balanceYen: carried, blocked: false });
    expect(await paymentIntentsOf(emulatorStripe(t.stack), small.id)).toEqual([]);

    const next = await feeStations.use((stationId) => chargeSession(user, stationId));
    expect(next.state).toBe('PAID');
    expect(next.receipt).toMatchObject({ carriedInYen: carried, chargedYen: (next.amountYen ?? 0) + carried });
    expect((await succeededIntents(next.id)).map((pi) => pi.amount)).toEqual([(next.amountYen ?? 0) + carried]);
    expect((await meOf(user)).balanceYen).toBe(0);
  });
});
