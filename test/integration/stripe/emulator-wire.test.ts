/** The Stripe emulator as the official SDK sees it: auth, encoding, objects, errors, idempotency. */
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { payHostedCheckout, type StripeEmulator, startStripeEmulator } from '../../../infra/local/stripe/index.js';

let emu: StripeEmulator;
let stripe: Stripe;
const sdk = (key: string) =>
  new Stripe(key, {
    apiVersion: '2026-10-28.endive',
    host: '127.0.0.1',
    port: emu.port,
    protocol: 'http',
    maxNetworkRetries: 0,
  });

beforeAll(async () => {
  emu = await startStripeEmulator({});
  stripe = sdk('sk_test_wire');
});
afterAll(async () => {
  await emu?.close();
});

async function cardOnFile(number = '4242424242424242') {
  const customer = await stripe.customers.create({ email: 'w@example.com' });
  const cs = await stripe.checkout.sessions.create({
    mode: 'setup',
    customer: customer.id,
    currency: 'jpy',
    client_reference_id: 'ses-wire',
    success_url: 'http://127.0.0.1:9/ok?cs={CHECKOUT_SESSION_ID}',
    cancel_url: 'http://127.0.0.1:9/cancel',
  });
  const paid = await payHostedCheckout(cs.url ?? '', { card: number });
  expect(paid).toEqual({ outcome: 'completed', redirectUrl: `http://127.0.0.1:9/ok?cs=${cs.id}` });
  const done = await stripe.checkout.sessions.retrieve(cs.id, { expand: ['setup_intent.payment_method'] });
  const si = done.setup_intent as Stripe.SetupIntent;
  return { customer, session: done, pm: si.payment_method as Stripe.PaymentMethod };
}

describe('Stripe emulator over the real SDK', () => {
  it('requires a Bearer sk_test_ key (401 otherwise)', async () => {
    await expect(sdk('pk_test_nope').customers.list()).rejects.toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    const res = await fetch(`${emu.url}/v1/customers`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
  });

  it('returns Stripe-shaped objects with nested params and expand', async () => {
    const { customer, session, pm } = await cardOnFile();
    expect(customer).toMatchObject({ object: 'customer', email: 'w@example.com', livemode: false });
    expect(session).toMatchObject({
      object: 'checkout.session',
      mode: 'setup',
      status: 'complete',
      client_reference_id: 'ses-wire',
    });
    expect(pm).toMatchObject({
      object: 'payment_method',
      type: 'card',
      customer: customer.id,
      card: { brand: 'visa', last4: '4242' },
    });
    const updated = await stripe.customers.update(
      customer.id,
      { invoice_settings: { default_payment_method: pm.id }, metadata: { driverId: 'd-1' } },
      { idempotencyKey: `upd-${customer.id}` },
    );
    expect(updated.invoice_settings.default_payment_method).toBe(pm.id);
    expect(updated.metadata).toEqual({ driverId: 'd-1' });
    const expanded = await stripe.customers.retrieve(customer.id, {
      expand: ['invoice_settings.default_payment_method'],
    });
    expect(JSON.stringify(expanded)).toContain('"last4":"4242"');
  });

  it('creates and confirms an off-session PaymentIntent, expands latest_charge, captures manual ones', async () => {
    const { customer, pm } = await cardOnFile();
    const pi = await stripe.paymentIntents.create({
      amount: 1_234,
      currency: 'jpy',
      customer: customer.id,
      payment_method: pm.id,
      off_session: true,
      confirm: true,
      metadata: { sessionId: 's-1' },
      expand: ['latest_charge'],
    });
    expect(pi).toMatchObject({
      object: 'payment_intent',
      status: 'succeeded',
      amount: 1_234,
      amount_received: 1_234,
      currency: 'jpy',
    });
    expect(pi.latest_charge).toMatchObject({
      object: 'charge',
      amount: 1_234,
      paid: true,
      metadata: { sessionId: 's-1' },
    });
    const manual = await stripe.paymentIntents.create({
      amount: 600,
      currency: 'jpy',
      customer: customer.id,
      payment_method: pm.id,
      capture_method: 'manual',
      confirm: true,
    });
    expect(manual.status).toBe('requires_capture');
    expect((await stripe.paymentIntents.capture(manual.id)).status).toBe('succeeded');
    const open = await stripe.paymentIntents.create({ amount: 700, currency: 'jpy', customer: customer.id });
    expect(open.status).toBe('requires_payment_method');
    const confirmed = await stripe.paymentIntents.confirm(open.id, { payment_method: pm.id, off_session: true });
    expect(confirmed.status).toBe('succeeded');
    const canceled = await stripe.paymentIntents.cancel(
      (await stripe.paymentIntents.create({ amount: 800, currency: 'jpy' })).id,
    );
    expect(canceled.status).toBe('canceled');
  });

  it('answers errors with Stripe bodies and statuses (400, 402, 404)', async () => {
    const tooSmall = await stripe.paymentIntents.create({ amount: 49, currency: 'jpy' }).catch((e: unknown) => e);
    expect(tooSmall).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(tooSmall).toMatchObject({ statusCode: 400, code: 'amount_too_small', param: 'amount' });
    const unknown = await stripe.paymentIntents.retrieve('pi_missing').catch((e: unknown) => e);
    expect(unknown).toMatchObject({ statusCode: 404, code: 'resource_missing' });
    const badParam = await stripe.rawRequest('POST', '/v1/customers', { bogus: 'x' }).catch((e: unknown) => e);
    expect(badParam).toMatchObject({ statusCode: 400, code: 'parameter_unknown', param: 'bogus' });
    const customer = await stripe.customers.create({});
    const pm = await stripe.paymentMethods.attach('pm_card_chargeDeclinedInsufficientFunds', { customer: customer.id });
    const declined = await stripe.paymentIntents
      .create({
        amount: 900,
        currency: 'jpy',
        customer: customer.id,
        payment_method: pm.id,
        off_session: true,
        confirm: true,
      })
      .catch((e: unknown) => e);
    expect(declined).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(declined).toMatchObject({ statusCode: 402, code: 'card_declined', decline_code: 'insufficient_funds' });
    const pi = (declined as Stripe.errors.StripeCardError).payment_intent;
    expect(pi?.status).toBe('requires_payment_method');
    expect((await stripe.paymentIntents.retrieve(pi?.id ?? '')).last_payment_error?.decline_code).toBe(
      'insufficient_funds',
    );
  });

  it('off-session with an always-authenticate card: 402 authentication_required, PaymentIntent requires_payment_method', async () => {
    const customer = await stripe.customers.create({});
    const pm = await stripe.paymentMethods.attach('pm_card_authenticationRequired', { customer: customer.id });
    const e = await stripe.paymentIntents
      .create({
        amount: 900,
        currency: 'jpy',
        customer: customer.id,
        payment_method: pm.id,
        off_session: true,
        confirm: true,
      })
      .catch((err: unknown) => err);
    expect(e).toMatchObject({ statusCode: 402, code: 'authentication_required' });
    expect((e as Stripe.errors.StripeCardError).payment_intent?.status).toBe('requires_payment_method');
    const events = await stripe.events.list({ type: 'payment_intent.payment_failed', limit: 1 });
    expect(events.data[0]?.data.object).toMatchObject({
      last_payment_error: { code: 'authentication_required' },
    });
  });

  it('replays Idempotency-Key: same params → same response, other params → idempotency_error', async () => {
    const a = await stripe.customers.create({ email: 'i@example.com' }, { idempotencyKey: 'idem-1' });
    const b = await stripe.customers.create({ email: 'i@example.com' }, { idempotencyKey: 'idem-1' });
    expect(b.id).toBe(a.id);
    expect(b.lastResponse.headers['idempotent-replayed']).toBe('true');
    const other = await stripe.customers
      .create({ email: 'other@example.com' }, { idempotencyKey: 'idem-1' })
      .catch((e: unknown) => e);
    expect(other).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    const customer = await stripe.customers.create({});
    const pm = await stripe.paymentMethods.attach('pm_card_chargeCustomerFail', { customer: customer.id });
    const params = {
      amount: 500,
      currency: 'jpy',
      customer: customer.id,
      payment_method: pm.id,
      off_session: true,
      confirm: true,
    };
    const first = await stripe.paymentIntents.create(params, { idempotencyKey: 'idem-402' }).catch((e: unknown) => e);
    const second = await stripe.paymentIntents.create(params, { idempotencyKey: 'idem-402' }).catch((e: unknown) => e);
    expect((second as Stripe.errors.StripeCardError).payment_intent?.id).toBe(
      (first as Stripe.errors.StripeCardError).payment_intent?.id,
    );
  });

  it('paginates lists with limit, starting_after and has_more (newest first)', async () => {
    const customer = await stripe.customers.create({});
    const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    const ids: string[] = [];
    for (const amount of [100, 200, 300, 400, 500]) {
      ids.push(
        (
          await stripe.paymentIntents.create({
            amount,
            currency: 'jpy',
            customer: customer.id,
            payment_method: pm.id,
            confirm: true,
            off_session: true,
          })
        ).id,
      );
    }
    const page1 = await stripe.paymentIntents.list({ customer: customer.id, limit: 2 });
    expect(page1.data.map((p) => p.id)).toEqual([ids[4], ids[3]]);
    expect(page1.has_more).toBe(true);
    const page3 = await stripe.paymentIntents.list({ customer: customer.id, limit: 2, starting_after: ids[1] });
    expect(page3.data.map((p) => p.id)).toEqual([ids[0]]);
    expect(page3.has_more).toBe(false);
    const all: string[] = [];
    for await (const pi of stripe.paymentIntents.list({ customer: customer.id, limit: 2 })) all.push(pi.id);
    expect(all).toEqual([...ids].reverse());
    const pms = await stripe.customers.listPaymentMethods(customer.id);
    expect(pms.data.map((p) => p.id)).toEqual([pm.id]);
    await stripe.paymentMethods.detach(pm.id);
    expect((await stripe.paymentMethods.list({ customer: customer.id })).data).toEqual([]);
  });

  it('payment-mode Checkout with a 3DS card: fail keeps the session open, complete pays it', async () => {
    const customer = await stripe.customers.create({});
    const cs = await stripe.checkout.sessions.create({
      mode: 'payment',
      customer: customer.id,
      line_items: [
        { quantity: 1, price_data: { currency: 'jpy', unit_amount: 2_000, product_data: { name: 'EV charging' } } },
      ],
      payment_intent_data: { metadata: { sessionId: 's-pay' } },
      success_url: 'http://127.0.0.1:9/paid',
    });
    expect(cs).toMatchObject({ amount_total: 2_000, currency: 'jpy', status: 'open', payment_status: 'unpaid' });
    const failed = await payHostedCheckout(cs.url ?? '', { card: '4000002760003184', authenticate: 'fail' });
    expect(failed.outcome).toBe('authentication_failed');
    expect((await stripe.checkout.sessions.retrieve(cs.id)).status).toBe('open');
    const declined = await payHostedCheckout(cs.url ?? '', { card: '4000000000009995' });
    expect(declined).toMatchObject({ outcome: 'declined', message: 'Your card has insufficient funds.' });
    expect(await payHostedCheckout(cs.url ?? '', { card: '4000002760003184' })).toMatchObject({ outcome: 'completed' });
    const done = await stripe.checkout.sessions.retrieve(cs.id, { expand: ['payment_intent'] });
    expect(done).toMatchObject({ status: 'complete', payment_status: 'paid' });
    expect(done.payment_intent).toMatchObject({ status: 'succeeded', amount: 2_000, metadata: { sessionId: 's-pay' } });
    expect((await payHostedCheckout(cs.url ?? '', { card: '4242424242424242' })).outcome).toBe('not_open');
  });

  it('payment-mode Checkout with setup_future_usage saves the card that paid, ready for off-session', async () => {
    const customer = await stripe.customers.create({});
    const checkout = (setupFutureUsage?: 'off_session') =>
      stripe.checkout.sessions.create({
        mode: 'payment',
        customer: customer.id,
        line_items: [
          { quantity: 1, price_data: { currency: 'jpy', unit_amount: 900, product_data: { name: 'EV charging' } } },
        ],
        payment_intent_data: {
          metadata: { sessionId: 's-save' },
          ...(setupFutureUsage ? { setup_future_usage: setupFutureUsage } : {}),
        },
        success_url: 'http://127.0.0.1:9/paid',
      });
    // Without it, the card pays once and stays off the customer.
    const once = await checkout();
    const oncePage = await (await fetch(once.url ?? '')).text();
    expect(oncePage).toContain('data-testid="amount"');
    expect(oncePage).not.toContain('save-notice');
    expect((await payHostedCheckout(once.url ?? '', { card: '4242424242424242' })).outcome).toBe('completed');
    const oncePi = await stripe.paymentIntents.retrieve(
      String((await stripe.checkout.sessions.retrieve(once.id)).payment_intent),
      { expand: ['payment_method'] },
    );
    expect(oncePi.setup_future_usage).toBeNull();
    expect(oncePi.payment_method).toMatchObject({ customer: null, card: { last4: '4242' } });

    // With it, the page says so; a card that asks for authentication on setup is challenged once, on the page…
    const saving = await checkout('off_session');
    expect(await (await fetch(saving.url ?? '')).text()).toContain('data-testid="save-notice"');
    const paid = await payHostedCheckout(saving.url ?? '', { card: '4000002500003155', authenticate: 'complete' });
    expect(paid.outcome).toBe('completed');
    const done = await stripe.checkout.sessions.retrieve(saving.id, { expand: ['payment_intent.payment_method'] });
    const pi = done.payment_intent as Stripe.PaymentIntent;
    expect(pi).toMatchObject({ status: 'succeeded', setup_future_usage: 'off_session', amount: 900 });
    const pm = pi.payment_method as Stripe.PaymentMethod;
    expect(pm).toMatchObject({ customer: customer.id, card: { brand: 'visa', last4: '3155' } });
    expect((await stripe.paymentIntents.retrieve(pi.id, { expand: ['payment_method'] })).payment_method).toEqual(pm);
    expect((await stripe.customers.listPaymentMethods(customer.id)).data.map((p) => p.id)).toEqual([pm.id]);
    // …and is then charged off-session without one.
    const later = await stripe.paymentIntents.create({
      amount: 700,
      currency: 'jpy',
      customer: customer.id,
      payment_method: pm.id,
      off_session: true,
      confirm: true,
    });
    expect(later.status).toBe('succeeded');
  });

  it('expires open Checkout Sessions and refuses to expire closed ones', async () => {
    const cs = await stripe.checkout.sessions.create({
      mode: 'setup',
      currency: 'jpy',
      success_url: 'http://127.0.0.1:9/ok',
    });
    const expired = await stripe.checkout.sessions.expire(cs.id);
    expect(expired).toMatchObject({ status: 'expired', url: null });
    await expect(stripe.checkout.sessions.expire(cs.id)).rejects.toMatchObject({ statusCode: 400 });
  });

  it('refunds and lists events of every kind we consume', async () => {
    const { customer, pm } = await cardOnFile();
    const pi = await stripe.paymentIntents.create({
      amount: 1_000,
      currency: 'jpy',
      customer: customer.id,
      payment_method: pm.id,
      off_session: true,
      confirm: true,
    });
    const refund = await stripe.refunds.create({ payment_intent: pi.id, amount: 400 });
    expect(refund).toMatchObject({ object: 'refund', amount: 400, status: 'succeeded', payment_intent: pi.id });
    await expect(stripe.refunds.create({ payment_intent: pi.id, amount: 700 })).rejects.toMatchObject({
      statusCode: 400,
    });
    emu.openDispute(pi.id);
    const types = (await stripe.events.list({ limit: 100 })).data.map((e) => e.type);
    for (const t of [
      'checkout.session.completed',
      'setup_intent.succeeded',
      'payment_intent.succeeded',
      'charge.refunded',
      'charge.dispute.created',
    ]) {
      expect(types).toContain(t);
    }
    const one = (await stripe.events.list({ type: 'charge.dispute.created', limit: 1 })).data[0];
    expect((await stripe.events.retrieve(one?.id ?? '')).data.object).toMatchObject({
      object: 'dispute',
      amount: 600,
      payment_intent: pi.id,
    });
  });
});
