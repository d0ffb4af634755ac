import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { MemoryClock } from '../../../functions/src/adapters/memory/memory-clock.js';
import { StripePaymentEvents } from '../../../functions/src/adapters/stripe/stripe-payment-events.js';
import { signPayload } from '../../../infra/local/stripe/webhooks.js';

const SECRET = 'whsec_current_secret';
const OLD = 'whsec_previous_secret';
const clock = new MemoryClock('2026-03-01T00:00:00.000Z');
const nowSec = (): number => Math.floor(clock.now().getTime() / 1000);

const event = (type: string, object: Record<string, unknown>, id = 'evt_1'): string =>
  JSON.stringify(
    { id, object: 'event', type, api_version: '2026-10-28.endive', created: nowSec(), data: { object } },
    null,
    2,
  );

const sign = (body: string, secret = SECRET, t = nowSec()): string => signPayload(body, secret, t);

describe('StripePaymentEvents.verify', () => {
  const events = new StripePaymentEvents(SECRET, { clock });
  const body = event('payment_intent.succeeded', {
    id: 'pi_1',
    amount: 500,
    amount_received: 500,
    metadata: { sessionId: 's1' },
  });

  it('accepts a delivery signed as Stripe signs it (checked against the SDK itself)', () => {
    const sdkHeader = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: SECRET, timestamp: nowSec() });
    expect(sdkHeader).toBe(sign(body));
    expect(events.verify(body, sdkHeader)).toEqual({
      ok: true,
      event: { type: 'payment.succeeded', eventId: 'evt_1', paymentIntentId: 'pi_1', amountYen: 500, sessionId: 's1' },
    });
  });

  it('rejects a forged signature, a missing header and a tampered body', () => {
    expect(events.verify(body, `t=${nowSec()},v1=${'0'.repeat(64)}`)).toMatchObject({
      ok: false,
      error: { reason: 'signature' },
    });
    expect(events.verify(body, undefined)).toMatchObject({ ok: false, error: { reason: 'signature' } });
    const tampered = body.replace('"amount": 500', '"amount": 5');
    expect(events.verify(tampered, sign(body))).toMatchObject({ ok: false, error: { reason: 'signature' } });
  });

  it('rejects a delivery signed with another secret', () => {
    expect(events.verify(body, sign(body, 'whsec_attacker'))).toMatchObject({
      ok: false,
      error: { reason: 'signature' },
    });
  });

  it('rejects a replay older than the 300 s tolerance, accepts one inside it', () => {
    expect(events.verify(body, sign(body, SECRET, nowSec() - 301))).toMatchObject({
      ok: false,
      error: { reason: 'timestamp' },
    });
    expect(events.verify(body, sign(body, SECRET, nowSec() - 299)).ok).toBe(true);
  });

  it('accepts both secrets during rotation, and a header carrying several v1 signatures', () => {
    const rotating = new StripePaymentEvents([SECRET, OLD], { clock });
    expect(rotating.verify(body, sign(body, OLD)).ok).toBe(true);
    expect(rotating.verify(body, sign(body, SECRET)).ok).toBe(true);
    const both = `${sign(body, 'whsec_other')},v1=${sign(body, SECRET).split('v1=')[1]}`;
    expect(rotating.verify(body, both).ok).toBe(true);
    expect(() => new StripePaymentEvents([SECRET, OLD, 'whsec_third'])).toThrow();
  });

  it('rejects a signed body that is not a Stripe event', () => {
    const notJson = 'hello';
    expect(events.verify(notJson, sign(notJson))).toMatchObject({ ok: false, error: { reason: 'payload' } });
    const wrong = JSON.stringify({
      id: 'evt_x',
      object: 'event',
      type: 'payment_intent.succeeded',
      data: { object: { id: 'pi' } },
    });
    expect(events.verify(wrong, sign(wrong))).toMatchObject({ ok: false, error: { reason: 'payload' } });
  });
});

describe('Stripe event → PaymentEvent mapping', () => {
  const events = new StripePaymentEvents(SECRET, { clock });
  const map = (type: string, object: Record<string, unknown>) => {
    const body = event(type, object);
    const r = events.verify(body, sign(body));
    if (!r.ok) throw new Error(r.error.message);
    return r.event;
  };

  it('checkout.session.completed carries the session from client_reference_id', () => {
    expect(
      map('checkout.session.completed', {
        id: 'cs_1',
        mode: 'setup',
        client_reference_id: 's1',
        metadata: {},
        customer: 'cus_1',
        payment_intent: null,
      }),
    ).toEqual({
      type: 'checkout.completed',
      eventId: 'evt_1',
      checkoutSessionId: 'cs_1',
      mode: 'setup',
      sessionId: 's1',
      customerId: 'cus_1',
    });
  });

  it('falls back to metadata.sessionId and reads expanded references', () => {
    expect(
      map('checkout.session.completed', {
        id: 'cs_2',
        mode: 'payment',
        client_reference_id: null,
        metadata: { sessionId: 's2' },
        customer: { id: 'cus_2' },
        payment_intent: { id: 'pi_2' },
      }),
    ).toMatchObject({ sessionId: 's2', customerId: 'cus_2', paymentIntentId: 'pi_2' });
  });

  it('maps expiry, failures, required actions, refunds and disputes', () => {
    expect(
      map('checkout.session.expired', { id: 'cs_3', mode: 'setup', client_reference_id: 's3', metadata: null }),
    ).toEqual({
      type: 'checkout.expired',
      eventId: 'evt_1',
      checkoutSessionId: 'cs_3',
      mode: 'setup',
      sessionId: 's3',
    });
    expect(
      map('payment_intent.payment_failed', {
        id: 'pi_4',
        amount: 900,
        metadata: { sessionId: 's4' },
        last_payment_error: {
          code: 'card_declined',
          decline_code: 'insufficient_funds',
          message: 'Your card has insufficient funds.',
        },
      }),
    ).toEqual({
      type: 'payment.failed',
      eventId: 'evt_1',
      paymentIntentId: 'pi_4',
      sessionId: 's4',
      code: 'card_declined',
      declineCode: 'insufficient_funds',
      message: 'Your card has insufficient funds.',
    });
    expect(map('payment_intent.requires_action', { id: 'pi_5', amount: 900, metadata: { sessionId: 's5' } })).toEqual({
      type: 'payment.action_required',
      eventId: 'evt_1',
      paymentIntentId: 'pi_5',
      sessionId: 's5',
    });
    expect(
      map('charge.refunded', {
        id: 'ch_6',
        payment_intent: 'pi_6',
        amount_refunded: 300,
        metadata: { sessionId: 's6' },
      }),
    ).toEqual({
      type: 'refunded',
      eventId: 'evt_1',
      paymentIntentId: 'pi_6',
      amountYen: 300,
      sessionId: 's6',
    });
    expect(map('charge.dispute.created', { id: 'dp_7', payment_intent: 'pi_7', amount: 1_000 })).toEqual({
      type: 'dispute.opened',
      eventId: 'evt_1',
      paymentIntentId: 'pi_7',
      amountYen: 1_000,
    });
  });

  it('acknowledges unknown types as ignored', () => {
    expect(map('customer.created', { id: 'cus_1' })).toEqual({
      type: 'ignored',
      eventId: 'evt_1',
      providerType: 'customer.created',
    });
  });
});
