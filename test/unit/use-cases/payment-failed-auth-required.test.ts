import { describe, expect, it } from 'vitest';
import type { ChargeScript } from '../../../functions/src/adapters/memory/memory-payment-gateway.js';
import { type Harness, harness, value } from './harness.js';

/** A card-on-file session metered and billed; the charge's own result is scripted. */
async function billed(h: Harness, script: ChargeScript) {
  h.payments.scriptCharges(script);
  const { session } = value(await h.uc.startCharge({ driverId: 'drv_1', stationId: 'st_1', startKey: 'a' }));
  value(await h.ackClose(session.id, 100_000));
  value(await h.uc.stopCharge({ driverId: 'drv_1', sessionId: session.id }));
  const after = value(await h.ackOpen(session.id, 102_000)).session;
  if (!after) throw new Error('no session');
  return after;
}

async function ready() {
  const h = harness();
  await h.addStation('st_1');
  await h.driverWithCard('drv_1');
  return h;
}

describe('paymentEvent: payment_intent.payment_failed with authentication_required', () => {
  it('is action required, not a decline, when the event arrives before the charge call’s own result', async () => {
    const h = await ready();
    // The call's response is lost: only the webhook tells what happened.
    const s = await billed(h, 'lost_response');
    expect(s.state).toBe('PAYMENT_PENDING');
    const out = value(
      await h.uc.paymentEvent({
        type: 'payment.failed',
        eventId: 'evt_auth',
        paymentIntentId: 'pi_auth',
        sessionId: s.id,
        code: 'authentication_required',
        declineCode: 'authentication_required',
        message: 'Your card was declined. This transaction requires authentication.',
      }),
    );
    expect(out.session).toMatchObject({
      state: 'PAYMENT_ACTION_REQUIRED',
      failureCode: 'authentication_required',
      paymentIntentId: 'pi_auth',
    });
    expect(await h.drivers.get('drv_1')).toMatchObject({ blocked: true, blockedBySessionId: s.id });
    const ledger = await h.sessions.ledger(s.id);
    expect(ledger.map((e) => e.to)).not.toContain('PAYMENT_FAILED');
  });

  it('reads a decline code of authentication_required alone the same way', async () => {
    const h = await ready();
    const s = await billed(h, 'processing');
    const out = value(
      await h.uc.paymentEvent({
        type: 'payment.failed',
        eventId: 'evt_auth2',
        paymentIntentId: s.paymentIntentId ?? '',
        sessionId: s.id,
        code: 'card_declined',
        declineCode: 'authentication_required',
      }),
    );
    expect(out.session?.state).toBe('PAYMENT_ACTION_REQUIRED');
  });

  it('keeps a real decline a decline', async () => {
    const h = await ready();
    const s = await billed(h, 'processing');
    const out = value(
      await h.uc.paymentEvent({
        type: 'payment.failed',
        eventId: 'evt_nsf',
        paymentIntentId: s.paymentIntentId ?? '',
        sessionId: s.id,
        code: 'card_declined',
        declineCode: 'insufficient_funds',
      }),
    );
    expect(out.session).toMatchObject({ state: 'PAYMENT_FAILED', failureCode: 'insufficient_funds' });
  });
});
