/**
 * Paying an outstanding session on the hosted page with another card: the receipt names the card that
 * paid (not the one that failed), and that card — saved by the recovery Checkout — becomes the driver's
 * default at the processor and on the driver row, whichever of the two provider events lands first.
 */
import { describe, expect, it } from 'vitest';
import type { ChargeScript } from '../../../functions/src/adapters/memory/memory-payment-gateway.js';
import { type Harness, harness, value } from './harness.js';

const MASTERCARD = { brand: 'mastercard', last4: '4444' };

async function ready() {
  const h = harness();
  await h.addStation('st_1');
  await h.driverWithCard('drv_1');
  // The card on file is the one that will fail (as 4000 0000 0000 0341 does).
  const d = await h.drivers.get('drv_1');
  if (!d) throw new Error('no driver');
  h.drivers.put({ ...d, defaultPaymentMethodId: 'pm_0341', cardLast4: '0341' });
  return h;
}

/** A card-on-file session metered and billed, its charge scripted; then the driver opens the recovery page. */
async function outstanding(h: Harness, script: ChargeScript, key = 'a') {
  h.payments.scriptCharges(script);
  const { session } = value(await h.uc.startCharge({ driverId: 'drv_1', stationId: 'st_1', startKey: key }));
  value(await h.ackClose(session.id, 100_000));
  value(await h.uc.stopCharge({ driverId: 'drv_1', sessionId: session.id }));
  const billed = value(await h.ackOpen(session.id, 102_000)).session;
  if (!billed) throw new Error('no session');
  const link = value(await h.uc.payOutstanding({ driverId: 'drv_1' }));
  const checkout = [...h.payments.checkouts.values()].find((c) => c.url === link.checkoutUrl);
  if (!checkout) throw new Error('no recovery checkout');
  return { billed, checkout };
}

const completed = (h: Harness, checkoutSessionId: string, sessionId: string, paymentIntentId?: string) =>
  h.uc.paymentEvent({
    type: 'checkout.completed',
    eventId: h.eventId(),
    checkoutSessionId,
    mode: 'payment',
    sessionId,
    ...(paymentIntentId ? { paymentIntentId } : {}),
  });

const succeeded = (h: Harness, sessionId: string, paymentIntentId: string, amountYen: number) =>
  h.uc.paymentEvent({ type: 'payment.succeeded', eventId: h.eventId(), paymentIntentId, amountYen, sessionId });

describe('a session paid on the hosted recovery page', () => {
  it('asks the processor to save the card that pays for later off-session charges', async () => {
    const h = await ready();
    const { checkout } = await outstanding(h, 'declined');
    expect(checkout).toMatchObject({ mode: 'payment', setupFutureUsage: 'off_session' });
  });

  it('shows the card that paid on the receipt and makes it the default (checkout.completed first)', async () => {
    const h = await ready();
    const { billed, checkout } = await outstanding(h, 'declined');
    expect(billed).toMatchObject({ state: 'PAYMENT_FAILED', cardLast4: '0341' });
    const paid = h.payments.completeCheckout(checkout.id, MASTERCARD);
    const pm = paid.card?.paymentMethodId ?? '';
    expect(pm).toMatch(/^pm_/);

    const done = value(await completed(h, paid.id, billed.id, paid.paymentIntentId));
    expect(done.session).toMatchObject({
      state: 'PAID',
      paymentIntentId: paid.paymentIntentId,
      paymentMethodId: pm,
      cardBrand: 'mastercard',
      cardLast4: '4444',
    });
    expect(await h.drivers.get('drv_1')).toMatchObject({
      blocked: false,
      defaultPaymentMethodId: pm,
      cardBrand: 'mastercard',
      cardLast4: '4444',
    });
    expect(h.payments.defaults.get(checkout.customerId)).toBe(pm);
    expect(h.payments.attached.get(pm)).toBe(checkout.customerId);
    const entry = (await h.sessions.ledger(billed.id)).find((e) => e.to === 'PAID');
    expect(entry?.evidence).toMatchObject({
      stripeObjectId: paid.paymentIntentId,
      via: 'checkout',
      paymentMethodId: pm,
      cardLast4: '4444',
      savedAsDefault: true,
    });

    // The intent's own payment_intent.succeeded, arriving later, changes nothing.
    const late = value(await succeeded(h, billed.id, paid.paymentIntentId ?? '', billed.chargeYen ?? 0));
    expect(late.outcome).toBe('noop');
    expect((await h.sessions.ledger(billed.id)).filter((e) => e.to === 'PAID')).toHaveLength(1);
  });

  it('does the same when payment_intent.succeeded lands first, and checkout.completed is then a no-op', async () => {
    const h = await ready();
    const { billed, checkout } = await outstanding(h, 'action_required');
    expect(billed.state).toBe('PAYMENT_ACTION_REQUIRED');
    const paid = h.payments.completeCheckout(checkout.id, MASTERCARD);
    const pm = paid.card?.paymentMethodId ?? '';

    const first = value(await succeeded(h, billed.id, paid.paymentIntentId ?? '', billed.chargeYen ?? 0));
    expect(first.session).toMatchObject({ state: 'PAID', paymentMethodId: pm, cardLast4: '4444' });
    expect(await h.drivers.get('drv_1')).toMatchObject({ blocked: false, defaultPaymentMethodId: pm });
    expect(h.payments.defaults.get(checkout.customerId)).toBe(pm);
    const entry = (await h.sessions.ledger(billed.id)).find((e) => e.to === 'PAID');
    expect(entry?.evidence).toMatchObject({ via: 'checkout', paymentMethodId: pm, savedAsDefault: true });

    const versionBefore = (await h.drivers.get('drv_1'))?.version;
    expect(value(await completed(h, paid.id, billed.id, paid.paymentIntentId)).outcome).toBe('noop');
    expect((await h.drivers.get('drv_1'))?.version).toBe(versionBefore);
  });

  it('charges the next session off-session with the saved card, not the one that failed', async () => {
    const h = await ready();
    const { billed, checkout } = await outstanding(h, 'declined');
    const paid = h.payments.completeCheckout(checkout.id, MASTERCARD);
    value(await completed(h, paid.id, billed.id, paid.paymentIntentId));

    const { billed: next } = await billedSession(h, 'b');
    expect(next).toMatchObject({ state: 'PAYMENT_PENDING', paymentMethodId: paid.card?.paymentMethodId });
    expect(h.payments.chargeCalls.map((c) => c.paymentMethodId)).toEqual(['pm_0341', paid.card?.paymentMethodId]);
  });

  it('is retried whole when the processor fails midway: nothing is marked, the redelivery finishes', async () => {
    const h = await ready();
    const { billed, checkout } = await outstanding(h, 'declined');
    const paid = h.payments.completeCheckout(checkout.id, MASTERCARD);
    const pm = paid.card?.paymentMethodId ?? '';
    const event = {
      type: 'payment.succeeded' as const,
      eventId: 'evt_recovery',
      paymentIntentId: paid.paymentIntentId ?? '',
      amountYen: billed.chargeYen ?? 0,
      sessionId: billed.id,
    };

    h.payments.failNext('retrievePaymentIntent');
    await expect(h.uc.paymentEvent(event)).rejects.toThrow(/unavailable/);
    expect((await h.sessions.get(billed.id))?.state).toBe('PAYMENT_FAILED');

    // The driver row already names the new card, the processor not yet: the session must not be PAID yet.
    h.payments.failNext('setDefaultPaymentMethod');
    await expect(h.uc.paymentEvent(event)).rejects.toThrow(/unavailable/);
    expect((await h.sessions.get(billed.id))?.state).toBe('PAYMENT_FAILED');
    expect(await h.processedEvents.has('evt_recovery')).toBe(false);

    const done = value(await h.uc.paymentEvent(event));
    expect(done.session).toMatchObject({ state: 'PAID', paymentMethodId: pm, cardLast4: '4444' });
    expect(h.payments.defaults.get(checkout.customerId)).toBe(pm);
    expect(await h.drivers.get('drv_1')).toMatchObject({ blocked: false, defaultPaymentMethodId: pm });
    expect(value(await h.uc.paymentEvent(event)).outcome).toBe('duplicate');
  });

  it('looks nothing up for an off-session payment: the card on the session paid', async () => {
    const h = await ready();
    const { billed } = await billedSession(h, 'a', 'processing');
    // Any lookup would now fail the event.
    h.payments.failNext('retrievePaymentIntent');
    const done = value(await succeeded(h, billed.id, billed.paymentIntentId ?? '', billed.chargeYen ?? 0));
    expect(done.session).toMatchObject({ state: 'PAID', paymentMethodId: 'pm_0341', cardLast4: '0341' });
    const entry = (await h.sessions.ledger(billed.id)).find((e) => e.to === 'PAID');
    expect(entry?.evidence.via).toBe('offSession');
    expect(entry?.evidence.savedAsDefault).toBeUndefined();
    expect((await h.drivers.get('drv_1'))?.defaultPaymentMethodId).toBe('pm_0341');
  });

  it('keeps the default card when the hosted payment did not save its card, but still names it', async () => {
    const h = await ready();
    const { billed, checkout } = await outstanding(h, 'declined');
    const paid = h.payments.completeCheckout(checkout.id, MASTERCARD);
    const pi = h.payments.intents.get(paid.paymentIntentId ?? '');
    if (!pi) throw new Error('no intent');
    delete pi.setupFutureUsage;

    const done = value(await completed(h, paid.id, billed.id, paid.paymentIntentId));
    expect(done.session).toMatchObject({ state: 'PAID', cardBrand: 'mastercard', cardLast4: '4444' });
    expect(await h.drivers.get('drv_1')).toMatchObject({ blocked: false, defaultPaymentMethodId: 'pm_0341' });
    expect(h.payments.defaults.has(checkout.customerId)).toBe(false);
    const entry = (await h.sessions.ledger(billed.id)).find((e) => e.to === 'PAID');
    expect(entry?.evidence).toMatchObject({ paymentMethodId: paid.card?.paymentMethodId, cardLast4: '4444' });
    expect(entry?.evidence.savedAsDefault).toBeUndefined();
  });
});

/** A billed session whose charge does not block the driver (no recovery page). */
async function billedSession(h: Harness, key: string, script: ChargeScript = 'processing') {
  h.payments.scriptCharges(script);
  const { session } = value(await h.uc.startCharge({ driverId: 'drv_1', stationId: 'st_1', startKey: key }));
  value(await h.ackClose(session.id, 100_000));
  value(await h.uc.stopCharge({ driverId: 'drv_1', sessionId: session.id }));
  const billed = value(await h.ackOpen(session.id, 102_000)).session;
  if (!billed) throw new Error('no session');
  return { billed };
}
