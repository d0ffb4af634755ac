import { describe, expect, it } from 'vitest';
import type { ChargeScript } from '../../../functions/src/adapters/memory/memory-payment-gateway.js';
import { errorCode, type Harness, harness, value } from './harness.js';

/** Runs a card-on-file session to METERED with `wh` delivered; billing runs right after. */
async function session(h: Harness, key: string, wh: number, ...script: ChargeScript[]) {
  h.payments.scriptCharges(...script);
  const { session } = value(await h.uc.startCharge({ driverId: 'drv_1', stationId: 'st_1', startKey: key }));
  value(await h.ackClose(session.id, 100_000));
  value(await h.uc.stopCharge({ driverId: 'drv_1', sessionId: session.id }));
  const after = value(await h.ackOpen(session.id, 100_000 + wh)).session;
  if (!after) throw new Error('no session');
  return after;
}

async function ready() {
  const h = harness();
  await h.addStation('st_1');
  await h.driverWithCard('drv_1');
  return h;
}

const succeeded = (h: Harness, sessionId: string, paymentIntentId: string, amountYen: number) =>
  h.uc.paymentEvent({ type: 'payment.succeeded', eventId: h.eventId(), paymentIntentId, amountYen, sessionId });

describe('chargeSession', () => {
  it('carries amounts below ¥50 and charges them with the session that brings the total to ¥50', async () => {
    const h = await ready();
    const a = await session(h, 'a', 500); // ¥27.75 → ¥28
    expect(a).toMatchObject({ state: 'CARRIED_OVER', amountYen: 28 });
    expect((await h.drivers.get('drv_1'))?.balanceYen).toBe(28);
    const b = await session(h, 'b', 300); // ¥16.65 → ¥17, total ¥45
    expect(b.state).toBe('CARRIED_OVER');
    expect((await h.drivers.get('drv_1'))?.balanceYen).toBe(45);
    const c = await session(h, 'c', 100); // ¥5.55 → ¥6, total ¥51
    expect(c).toMatchObject({ state: 'PAYMENT_PENDING', amountYen: 6, carriedInYen: 45, chargeYen: 51 });
    expect((await h.drivers.get('drv_1'))?.balanceYen).toBe(0);
    expect(h.payments.chargeCalls.map((x) => x.amountYen)).toEqual([51]);
  });

  it('waits for the payment-succeeded event instead of assuming success', async () => {
    const h = await ready();
    const s = await session(h, 'a', 2_000, 'processing');
    expect(s.state).toBe('PAYMENT_PENDING');
    expect(value(await succeeded(h, s.id, s.paymentIntentId ?? '', 111)).session?.state).toBe('PAID');
  });

  it('asks for authentication and blocks the driver until the hosted page is paid', async () => {
    const h = await ready();
    const s = await session(h, 'a', 2_000, 'action_required');
    expect(s).toMatchObject({ state: 'PAYMENT_ACTION_REQUIRED', failureCode: 'authentication_required' });
    expect(await h.drivers.get('drv_1')).toMatchObject({ blocked: true, blockedBySessionId: s.id });
    expect(errorCode(await h.uc.startCharge({ driverId: 'drv_1', stationId: 'st_1', startKey: 'next' }))).toBe(
      'PAYMENT.REQUIRED',
    );
    const link = value(await h.uc.payOutstanding({ driverId: 'drv_1' }));
    expect(link).toMatchObject({ sessionId: s.id, amountYen: 111 });
    const checkout = [...h.payments.checkouts.values()].find((c) => c.url === link.checkoutUrl);
    expect(checkout).toMatchObject({ mode: 'payment', amountYen: 111, sessionId: s.id });
    const paidCheckout = h.payments.completeCheckout(checkout?.id ?? '');
    const done = value(
      await h.uc.paymentEvent({
        type: 'checkout.completed',
        eventId: h.eventId(),
        checkoutSessionId: paidCheckout.id,
        mode: 'payment',
        sessionId: s.id,
        paymentIntentId: paidCheckout.paymentIntentId,
      }),
    );
    expect(done.session).toMatchObject({ state: 'PAID', paymentIntentId: paidCheckout.paymentIntentId });
    expect(await h.drivers.get('drv_1')).toMatchObject({ blocked: false });
    expect((await h.drivers.get('drv_1'))?.blockedBySessionId).toBeUndefined();
    expect(
      value(await h.uc.startCharge({ driverId: 'drv_1', stationId: 'st_1', startKey: 'next' })).session.state,
    ).toBe('ENERGIZING');
  });

  it('records a decline, blocks the driver, and unblocks on the payment-succeeded event of the recovery', async () => {
    const h = await ready();
    const s = await session(h, 'a', 2_000, 'declined');
    expect(s).toMatchObject({ state: 'PAYMENT_FAILED', failureCode: 'insufficient_funds' });
    expect((await h.drivers.get('drv_1'))?.blocked).toBe(true);
    value(await succeeded(h, s.id, 'pi_recovery', 111));
    expect((await h.sessions.get(s.id))?.state).toBe('PAID');
    expect((await h.drivers.get('drv_1'))?.blocked).toBe(false);
  });

  it('stays PAYMENT_PENDING on a retryable failure and re-drives with the SAME key, charging once', async () => {
    const h = await ready();
    const s = await session(h, 'a', 2_000, 'lost_response');
    expect(s.state).toBe('PAYMENT_PENDING');
    expect(s.paymentIntentId).toBeUndefined();
    h.clock.advance(61_000);
    expect(value(await h.uc.sweepStale()).redrivenCharges).toEqual([s.id]);
    const after = await h.sessions.get(s.id);
    expect(after?.paymentIntentId).toMatch(/^pi_/);
    expect(new Set(h.payments.chargeCalls.map((c) => c.idempotencyKey))).toEqual(new Set([`charge:${s.id}:1`]));
    expect(h.payments.succeededIntents(s.id)).toHaveLength(1);
  });

  it('alerts when the processor calls the amount too small and leaves the session re-drivable', async () => {
    const h = await ready();
    const s = await session(h, 'a', 2_000, 'amount_too_small');
    expect(s.state).toBe('PAYMENT_PENDING');
    expect(h.alerts.withCode('CHARGE_AMOUNT_TOO_SMALL')).toHaveLength(1);
  });

  it('declines without calling the processor when the driver has no processor customer or card', async () => {
    const h = await ready();
    const { session: s } = value(await h.uc.startCharge({ driverId: 'drv_1', stationId: 'st_1', startKey: 'k' }));
    value(await h.ackClose(s.id, 0));
    const d = await h.drivers.get('drv_1');
    if (!d) throw new Error('driver missing');
    const { stripeCustomerId: _c, defaultPaymentMethodId: _p, ...bare } = d;
    expect(await h.drivers.update({ ...bare, version: d.version + 1 }, d.version)).toBe(true);
    value(await h.uc.stopCharge({ driverId: 'drv_1', sessionId: s.id }));
    const r = value(await h.ackOpen(s.id, 2_000)).session;
    expect(r).toMatchObject({ state: 'PAYMENT_FAILED', failureCode: 'no_card' });
    expect(h.payments.chargeCalls).toEqual([]);
    expect((await h.drivers.get('drv_1'))?.blocked).toBe(true);
  });

  it('says NOT_FOUND for an unknown session and passes through states with nothing to do', async () => {
    const h = await ready();
    expect(errorCode(await h.uc.chargeSession({ sessionId: 'nope' }))).toBe('SESSION.NOT_FOUND');
    const s = await session(h, 'a', 2_000);
    expect(value(await h.uc.chargeSession({ sessionId: s.id })).state).toBe('PAYMENT_PENDING');
    expect(h.payments.chargeCalls).toHaveLength(1);
  });
});

describe('paymentEvent', () => {
  it('dedupes by event id and maps failed / action-required events onto the session', async () => {
    const h = await ready();
    const s = await session(h, 'a', 2_000, 'processing');
    const failed = {
      type: 'payment.failed' as const,
      eventId: 'ev_f',
      paymentIntentId: s.paymentIntentId ?? '',
      sessionId: s.id,
    };
    expect(value(await h.uc.paymentEvent(failed)).session).toMatchObject({
      state: 'PAYMENT_FAILED',
      failureCode: 'payment_failed',
    });
    expect(value(await h.uc.paymentEvent(failed)).outcome).toBe('duplicate');
    const action = {
      type: 'payment.action_required' as const,
      eventId: 'ev_a',
      paymentIntentId: 'pi',
      sessionId: s.id,
    };
    expect(value(await h.uc.paymentEvent(action)).outcome).toBe('noop');
  });

  it('alerts a person when a PAID session is paid again by another intent (no auto-refund)', async () => {
    const h = await ready();
    const s = await session(h, 'a', 2_000);
    value(await succeeded(h, s.id, s.paymentIntentId ?? '', 111));
    expect(value(await succeeded(h, s.id, 'pi_other', 111)).outcome).toBe('alerted');
    expect(h.alerts.withCode('SESSION_PAID_TWICE')).toHaveLength(1);
    expect(h.payments.refunds).toEqual([]);
  });

  it('alerts on an amount that differs from what was due', async () => {
    const h = await ready();
    const s = await session(h, 'a', 2_000);
    value(await succeeded(h, s.id, s.paymentIntentId ?? '', 100));
    expect(h.alerts.withCode('PAYMENT_AMOUNT_MISMATCH')[0]?.detail).toBe('paid ¥100, due ¥111');
  });

  it('records refunds on the session and alerts; disputes alert; unknown types are ignored', async () => {
    const h = await ready();
    const s = await session(h, 'a', 2_000);
    value(await succeeded(h, s.id, s.paymentIntentId ?? '', 111));
    const refund = value(
      await h.uc.paymentEvent({
        type: 'refunded',
        eventId: 'r1',
        paymentIntentId: s.paymentIntentId ?? '',
        amountYen: 111,
        sessionId: s.id,
      }),
    );
    expect(refund.session).toMatchObject({ state: 'PAID', refundedYen: 111 });
    expect(h.alerts.withCode('PAYMENT_REFUNDED')).toHaveLength(1);
    expect(value(await h.uc.paymentEvent({ type: 'dispute.opened', eventId: 'd1', amountYen: 111 })).outcome).toBe(
      'alerted',
    );
    expect(h.alerts.withCode('DISPUTE_OPENED')[0]?.detail).toMatch(/unknown payment/);
    expect(
      value(await h.uc.paymentEvent({ type: 'ignored', eventId: 'i1', providerType: 'customer.updated' })).outcome,
    ).toBe('ignored');
  });

  it('answers events without a session as unmatched and illegal ones with the typed error, unmarked', async () => {
    const h = await ready();
    expect(
      value(await h.uc.paymentEvent({ type: 'payment.succeeded', eventId: 'x1', paymentIntentId: 'pi', amountYen: 1 }))
        .outcome,
    ).toBe('unmatched');
    const s = await session(h, 'a', 500);
    const r = await h.uc.paymentEvent({
      type: 'payment.succeeded',
      eventId: 'x2',
      paymentIntentId: 'pi',
      amountYen: 1,
      sessionId: s.id,
    });
    expect(errorCode(r)).toBe('SESSION.ILLEGAL_TRANSITION');
    expect(await h.processedEvents.has('x2')).toBe(false);
    expect(
      value(
        await h.uc.paymentEvent({
          type: 'payment.succeeded',
          eventId: 'x3',
          paymentIntentId: 'pi',
          amountYen: 1,
          sessionId: 'gone',
        }),
      ).outcome,
    ).toBe('unmatched');
  });
});

describe('payOutstanding', () => {
  it('says there is nothing to pay for a driver in good standing, and NOT_FOUND for an unknown one', async () => {
    const h = await ready();
    expect(errorCode(await h.uc.payOutstanding({ driverId: 'drv_1' }))).toBe('PAYMENT.NOT_REQUIRED');
    expect(errorCode(await h.uc.payOutstanding({ driverId: 'nobody' }))).toBe('DRIVER.NOT_FOUND');
  });
});
